"""`$ref` following: JSON pointers with escapes, references into lists, and the errors that stop a run."""

from __future__ import annotations

from typing import Any

import pytest

from providers.compat import compare
from providers.compat.resolve import Node, Resolver
from providers.errors import ContractError
from tests.providers.compat.support import document, json_body, ok, only


def test_pointer_escapes_and_percent_encoding_are_decoded() -> None:
    doc = {"components": {"schemas": {"a/b~c": {"type": "string"}, "with space": {"type": "integer"}}}}
    resolver = Resolver(doc, "doc")
    found = resolver.lookup("#/components/schemas/a~1b~0c", "#/x")
    assert found.value == {"type": "string"}
    assert found.pointer == "#/components/schemas/a~1b~0c"
    assert resolver.lookup("#/components/schemas/with%20space", "#/x").value == {"type": "integer"}


def test_a_reference_into_a_list_and_to_the_root() -> None:
    doc = {"paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query"}]}}}}
    resolver = Resolver(doc, "doc")
    assert resolver.lookup("#/paths/~1a/get/parameters/0", "#/x").value["name"] == "q"
    assert resolver.lookup("#", "#/x").value is doc


def test_resolve_follows_a_chain_and_reports_where_it_ended() -> None:
    doc = {"components": {"parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"name": "b"}}}}
    resolver = Resolver(doc, "doc")
    node = resolver.resolve(Node({"$ref": "#/components/parameters/A"}, "#/paths/~1a/get/parameters/0"))
    assert node == Node({"name": "b"}, "#/components/parameters/B")


@pytest.mark.parametrize(
    "ref,message",
    [
        ("#/components/schemas/Missing", "points at nothing"),
        ("other.yaml#/components/schemas/Thing", "points into another file, which was not read"),
        ("#Thing", "names no \\$anchor"),
    ],
)
def test_unfollowable_references_are_contract_errors(ref: str, message: str) -> None:
    doc = document({"/a": {"get": {"responses": {"200": ok({"$ref": ref})}}}})
    with pytest.raises(ContractError, match=message) as caught:
        compare(doc, doc, old_label="old.yaml")
    assert str(caught.value).startswith(
        "old.yaml: #/paths/~1a/get/responses/200/content/application~1json/schema"
    )
    assert "\n" not in str(caught.value)


def test_a_reference_cycle_between_components_is_a_contract_error() -> None:
    doc = document(
        {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/A"}], "responses": {"200": ok()}}}},
        parameters={"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}},
    )
    with pytest.raises(ContractError, match="cycle"):
        compare(doc, doc)


def test_a_self_referencing_schema_is_not_an_error() -> None:
    def doc(max_length: int) -> dict[str, Any]:
        tree = {
            "type": "object",
            "properties": {
                "label": {"type": "string", "maxLength": max_length},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
            },
        }
        path = {
            "post": {
                "requestBody": json_body({"$ref": "#/components/schemas/Tree"}),
                "responses": {"204": ok()},
            }
        }
        return document({"/trees": path}, schemas={"Tree": tree})

    change = only(compare(doc(10), doc(5)), "max-length-decreased")
    assert change.location == "POST /trees → request application/json → body.label"
