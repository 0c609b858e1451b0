"""The OpenAPI documents are valid 3.1 and keep the conventions the suites rely on."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from contracts import SpecFile, openapi_specs

SPECS = openapi_specs()
METHODS = {"get", "put", "post", "delete", "patch"}


def operations(spec: SpecFile) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in spec.document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def resolve(spec: SpecFile, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec.document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_the_four_documents_are_there() -> None:
    assert {s.name for s in SPECS} >= {"auth-v1", "auth-v2", "backend-v1", "backend-v2"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_document_is_valid_openapi_3_1(spec: SpecFile) -> None:
    assert spec.document["openapi"].startswith("3.1")
    validate(spec.document)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_security_schemes_say_token_kind_and_audiences(spec: SpecFile) -> None:
    schemes = spec.document["components"]["securitySchemes"]
    for name, scheme in schemes.items():
        assert scheme.get("x-token-kind") in {"user", "service"}, name
        assert scheme.get("x-audiences") and all(isinstance(a, str) for a in scheme["x-audiences"]), name


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_operation_states_security_and_its_error_answers(spec: SpecFile) -> None:
    for method, path, op in operations(spec):
        label = f"{spec.name} {method.upper()} {path}"
        security = op.get("security", spec.document.get("security"))
        assert security is not None, f"{label}: no security requirement, neither its own nor the document's"
        assert op.get("operationId"), label
        responses = op["responses"]
        if any(requirement for requirement in security):
            assert "401" in responses, f"{label}: protected but no 401"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = resolve(spec, response).get("content", {})
                assert list(content) == ["application/problem+json"], f"{label} {status}"


@pytest.mark.parametrize("spec", [s for s in SPECS if s.version == "v1"], ids=lambda s: s.name)
def test_v1_responses_declare_deprecation_headers(spec: SpecFile) -> None:
    for method, path, op in operations(spec):
        assert op.get("deprecated") is True, f"{method} {path}"
        for status, response in op["responses"].items():
            headers = resolve(spec, response).get("headers", {})
            for name in ("Deprecation", "Sunset", "Link"):
                assert name in headers, f"{spec.name} {method.upper()} {path} {status} lacks {name}"
                assert resolve(spec, headers[name]).get("required") is True


@pytest.mark.parametrize("spec", [s for s in SPECS if s.version != "v1"], ids=lambda s: s.name)
def test_current_documents_are_not_deprecated(spec: SpecFile) -> None:
    for method, path, op in operations(spec):
        assert not op.get("deprecated"), f"{method} {path}"
