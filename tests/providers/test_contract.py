"""Operations and security requirements come from the documents, and bad extensions are clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts import SpecFile, spec_by_name
from providers.contract import operations_of
from providers.errors import ContractError


def spec(document: dict[str, Any]) -> SpecFile:
    return SpecFile("x-v1", Path("x-v1.yaml"), "x-service", "v1", document)


def test_requirements_carry_kind_audiences_and_scopes_from_the_auth_spec() -> None:
    ops = {op.operation_id: op for op in operations_of(spec_by_name("auth-v2"))}
    assert ops["issueToken"].is_public
    (introspect,) = ops["introspectToken"].requirements
    assert (introspect.kind, introspect.audiences, introspect.scopes) == (
        "service",
        ("auth",),
        ("auth:introspect",),
    )
    (userinfo,) = ops["getUserInfo"].requirements
    assert userinfo.kind == "user" and set(userinfo.audiences) == {"backend", "websocket"}
    assert ops["getUserInfo"].declares(401) and not ops["getUserInfo"].declares(418)
    assert ops["getUserInfo"].read_only and not ops["issueToken"].read_only


def test_document_level_security_applies_to_operations_without_their_own() -> None:
    document = {
        "security": [{"bearer": ["admin"]}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "x-token-kind": "user", "x-audiences": ["api"]}
            }
        },
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    (op,) = operations_of(spec(document))
    assert op.requirements[0].roles == ("admin",)


@pytest.mark.parametrize(
    ("scheme", "kind", "audiences"),
    [
        ({"type": "http", "scheme": "bearer"}, "user", ("",)),
        (
            {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/t", "scopes": {}}}},
            "service",
            ("",),
        ),
        ({"type": "oauth2", "flows": {"password": {"tokenUrl": "/t", "scopes": {}}}}, "user", ("",)),
        (
            {"type": "http", "scheme": "bearer", "x-token-kind": "service", "x-audiences": ["api"]},
            "service",
            ("api",),
        ),
    ],
)
def test_a_generated_scheme_without_extensions_implies_its_kind_and_any_audience(
    scheme: dict[str, Any], kind: str, audiences: tuple[str, ...]
) -> None:
    document = {
        "components": {"securitySchemes": {"bearer": scheme}},
        "paths": {"/a": {"get": {"security": [{"bearer": []}], "responses": {}}}},
    }
    (op,) = operations_of(spec(document))
    assert (op.requirements[0].kind, op.requirements[0].audiences) == (kind, audiences)


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        ({"type": "http", "scheme": "bearer", "x-token-kind": "robot"}, "x-token-kind"),
        ({"type": "http", "scheme": "bearer", "x-token-kind": "user", "x-audiences": []}, "x-audiences"),
    ],
)
def test_wrong_extensions_are_contract_errors(scheme: dict[str, Any], message: str) -> None:
    document = {
        "components": {"securitySchemes": {"bearer": scheme}},
        "paths": {"/a": {"get": {"security": [{"bearer": []}], "responses": {}}}},
    }
    with pytest.raises(ContractError, match=message):
        operations_of(spec(document))


def test_unknown_scheme_is_named() -> None:
    document = {"paths": {"/a": {"get": {"security": [{"missing": []}], "responses": {}}}}}
    with pytest.raises(ContractError, match="unknown scheme 'missing'"):
        operations_of(spec(document))
