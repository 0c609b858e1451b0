"""The AsyncAPI document of `/ws` is well formed and says what the suites and the stub rely on.

The AsyncAPI validators on PyPI were tried and none is usable here (asyncapi-python-parser-jonaslagoni
0.5 ships without its JSON Schemas; asyncapi3 0.0.2 warns at import and checks little), so this
checks the structure the project relies on: every `$ref` resolves, every schema is valid JSON
Schema (draft 7, AsyncAPI's default schema format), every example validates against its message,
operations only name messages of their channel, and the `x-` blocks the suites read are complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from contracts import asyncapi_spec
from tests.stubs.websocket_support import SERVER_MESSAGES, message_schemas

DOC = asyncapi_spec()
CLIENT_MESSAGES = message_schemas("receive")


def resolve(ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references: {ref}"
    node: Any = DOC
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def message(name: str) -> dict[str, Any]:
    node = DOC["components"]["messages"][name]
    return resolve(node["$ref"]) if "$ref" in node else node


def test_document_is_asyncapi_3_for_the_websocket_service() -> None:
    assert DOC["asyncapi"] == "3.0.0"
    assert DOC["info"]["x-service"] == "websocket-service"
    assert DOC["info"]["version"].count(".") == 2


def test_every_reference_resolves() -> None:
    found = list(refs(DOC))
    assert len(found) > 50
    for ref in found:
        resolve(ref)  # raises KeyError for a dangling reference


def test_the_channel_is_ws_on_a_ws_server() -> None:
    channel = DOC["channels"]["events"]
    assert channel["address"] == "/ws"
    servers = [resolve(s["$ref"]) for s in channel["servers"]]
    assert [s["protocol"] for s in servers] == ["ws"]
    assert channel["bindings"]["ws"]["method"] == "GET"


@pytest.mark.parametrize("name", sorted(DOC["components"]["schemas"]))
def test_every_schema_is_valid_json_schema(name: str) -> None:
    jsonschema.Draft7Validator.check_schema(DOC["components"]["schemas"][name])


@pytest.mark.parametrize("name", sorted(DOC["components"]["messages"]))
def test_every_message_has_examples_that_match_its_schema(name: str) -> None:
    msg = message(name)
    wire_type = resolve(msg["payload"]["$ref"])["properties"]["type"]["const"]
    assert msg["name"] == wire_type
    validator = SERVER_MESSAGES.get(wire_type) or CLIENT_MESSAGES[wire_type]
    assert msg["examples"], f"{name} has no example"
    for example in msg["examples"]:
        errors = [e.message for e in validator.iter_errors(example["payload"])]
        assert not errors, f"{name} example {example['name']!r}: {errors}"


def test_every_message_is_sent_or_received_by_some_operation() -> None:
    assert set(SERVER_MESSAGES) | set(CLIENT_MESSAGES) == {
        resolve(message(n)["payload"]["$ref"])["properties"]["type"]["const"]
        for n in DOC["components"]["messages"]
    }
    assert not set(SERVER_MESSAGES) & set(CLIENT_MESSAGES), "a type is either the server's or the client's"
    assert set(CLIENT_MESSAGES) == {"ping", "subscribe", "unsubscribe", "resume"}


def test_operations_name_messages_of_their_channel_and_requests_have_replies() -> None:
    channel_messages = {f"#/channels/events/messages/{n}" for n in DOC["channels"]["events"]["messages"]}
    for name, operation in DOC["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert operation["channel"]["$ref"] == "#/channels/events"
        used = [m["$ref"] for m in operation["messages"] + operation.get("reply", {}).get("messages", [])]
        assert set(used) <= channel_messages, name
        if operation["action"] == "receive":
            assert operation["reply"]["messages"], f"{name}: a client request has a reply"


def test_server_messages_require_seq_and_ts_and_client_messages_refuse_them() -> None:
    pong = {"type": "pong", "id": "p", "seq": 1, "ts": "2026-03-01T12:00:00Z", "payload": {}}
    assert SERVER_MESSAGES["pong"].is_valid(pong)
    assert not SERVER_MESSAGES["pong"].is_valid({k: v for k, v in pong.items() if k != "seq"})
    assert not SERVER_MESSAGES["pong"].is_valid({**pong, "seq": 0})
    assert not SERVER_MESSAGES["pong"].is_valid({**pong, "ts": "yesterday"})
    ping = {"type": "ping", "id": "p", "payload": {}}
    assert CLIENT_MESSAGES["ping"].is_valid(ping)
    assert not CLIENT_MESSAGES["ping"].is_valid({**ping, "seq": 1})
    assert not CLIENT_MESSAGES["ping"].is_valid({**ping, "id": ""})
    assert not CLIENT_MESSAGES["ping"].is_valid({**ping, "id": "x" * 65})


def test_error_codes_are_the_protocols() -> None:
    codes = resolve("#/components/schemas/ErrorMessage")["properties"]["payload"]["properties"]["code"][
        "enum"
    ]
    assert set(codes) == {
        "unknown_type",
        "invalid_message",
        "not_found",
        "invalid_resume",
        "too_many_subscriptions",
    }


def test_handshake_block_tells_how_to_authenticate_and_what_a_refusal_is() -> None:
    handshake = DOC["channels"]["events"]["x-handshake"]
    assert handshake["refused-status"] == 401
    assert handshake["auth"] == ["header", "subprotocol"]
    assert handshake["subprotocol"] == "events.v1"
    assert handshake["subprotocol-token-prefix"] == "bearer."
    assert handshake["audiences"] == ["websocket"]
    resolve(handshake["refusal-schema"])
    for ref in DOC["servers"]["reference"]["security"]:
        scheme = resolve(ref["$ref"])
        assert scheme["x-token-kind"] == "user" and scheme["x-audiences"] == ["websocket"]


def test_close_codes_are_declared_by_meaning() -> None:
    codes = {name: entry["code"] for name, entry in DOC["channels"]["events"]["x-close-codes"].items()}
    assert codes["frame-too-large"] == 1009
    assert codes["token-expired"] == 4401
    assert codes["normal"] == 1000
    assert len(set(codes.values())) == len(codes), "one meaning per code"
    assert DOC["channels"]["events"]["x-close-codes"]["token-expired"]["reason"] == "token expired"


def test_message_roles_name_declared_messages() -> None:
    roles = DOC["channels"]["events"]["x-message-roles"]
    declared = set(SERVER_MESSAGES) | set(CLIENT_MESSAGES)
    assert set(roles.values()) == declared
    assert roles["first"] == "welcome" and roles["error"] == "error"
    assert DOC["channels"]["events"]["x-sequence"] == {
        "field": "seq",
        "start": 1,
        "step": 1,
        "scope": "session",
        "reply-id-field": "id",
    }
