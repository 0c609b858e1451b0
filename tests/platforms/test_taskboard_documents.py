"""taskboard's contracts as its team would keep them: the OpenAPI document FastAPI generates, saved beside
the code and served unchanged at `/openapi.json`, and a hand-written AsyncAPI 3.0 document whose
references resolve and whose payload schemas are valid JSON Schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.platforms.taskboard import create_app, serve
from tests.platforms.taskboard_support import ASYNCAPI, HERE, client, settings

SAVED = HERE / "openapi.json"
REGENERATE = "python -m tests.platforms.taskboard --write-openapi tests/platforms/taskboard/openapi.json"


def test_the_saved_openapi_document_is_what_fastapi_generates() -> None:
    generated = create_app(settings()).openapi()
    assert json.loads(SAVED.read_text(encoding="utf-8")) == generated, f"stale: run `{REGENERATE}`"


def test_the_served_document_is_the_saved_one() -> None:
    with serve(settings()) as url, client(url) as http:
        assert http.get("/openapi.json").json() == json.loads(SAVED.read_text(encoding="utf-8"))


def test_the_openapi_document_is_valid_openapi_3_1() -> None:
    document = json.loads(SAVED.read_text(encoding="utf-8"))
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_protected_operation_declares_bearer_auth_and_its_refusals() -> None:
    document = json.loads(SAVED.read_text(encoding="utf-8"))
    public = {("get", "/healthz"), ("post", "/api/session")}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if (method, path) in public:
                assert "security" not in operation
                continue
            assert operation["security"] == [{"BearerToken": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
            if "{" in path:
                assert {"404", "422"} <= set(operation["responses"]), (method, path)


def resolve(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = ASYNCAPI
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_asyncapi_document_is_3_0_and_its_references_resolve() -> None:
    assert ASYNCAPI["asyncapi"] == "3.0.0"
    channel = ASYNCAPI["channels"]["events"]
    assert channel["address"] == "/ws/events"
    for operation in ASYNCAPI["operations"].values():
        assert operation["action"] in ("send", "receive")
        assert resolve(operation["channel"]["$ref"]) is channel
        replies = operation.get("reply", {}).get("messages", [])
        for message in operation["messages"] + replies:
            assert message["$ref"].startswith("#/channels/events/messages/")
            assert "payload" in resolve(resolve(message["$ref"])["$ref"])
    for server in ASYNCAPI["servers"].values():
        for scheme in server["security"]:
            assert resolve(scheme["$ref"])["type"] in ("http", "httpApiKey")


@pytest.mark.parametrize("name", sorted(ASYNCAPI["components"]["schemas"]))
def test_every_asyncapi_payload_schema_is_valid_json_schema(name: str) -> None:
    jsonschema.Draft7Validator.check_schema(ASYNCAPI["components"]["schemas"][name])
