"""Boundary values offered to request schemas: only those each schema admits, never in the contract itself."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

from contracts import openapi_specs
from providers.fuzz.boundaries import with_boundaries


def document(**components: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items/{item_id}": {
                "parameters": [{"$ref": "#/components/parameters/ItemId"}],
                "get": {
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 64}},
                        {"name": "X-Size", "in": "header", "schema": {"type": "integer", "format": "int32"}},
                        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
                        {"name": "at", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                        {"name": "tag", "in": "header", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
                "put": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
                    },
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "components": {
            "parameters": {
                "ItemId": {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            },
            "schemas": {
                "Item": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer", "minimum": 1, "maximum": 1000},
                        "price": {"type": "number", "exclusiveMinimum": 0},
                        "name": {"$ref": "#/components/schemas/Name"},
                    },
                },
                "Name": {"type": "string", "minLength": 1, "maxLength": 2000},
            },
            **components,
        },
    }


def examples(doc: dict[str, Any], *path: str | int) -> list[Any]:
    node: Any = doc
    for key in path:
        node = node[key]
    return list(node.get("examples", []))


def test_an_unbounded_integer_is_offered_every_machine_edge() -> None:
    offered = examples(with_boundaries(document()), "components", "parameters", "ItemId", "schema")
    assert {2**31, 2**32, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 0, -1} <= set(offered)


def test_only_values_the_schema_admits_are_offered() -> None:
    doc = with_boundaries(document())
    get = doc["paths"]["/items/{item_id}"]["get"]["parameters"]
    q, size, sort, at, tag = (p["schema"] for p in get)
    assert all(isinstance(v, str) and len(v) <= 64 for v in q["examples"]) and q["examples"]
    assert set(size["examples"]) == {0, -1}  # int32: the edges past 31 bits would not be positive
    assert "examples" not in sort  # an enum is not a free value
    assert at["examples"] == ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]
    assert tag["examples"] and all(value.isascii() for value in tag["examples"])  # what a header can carry
    item = doc["components"]["schemas"]["Item"]["properties"]
    assert "examples" not in item["count"]  # no edge lies within 1…1000
    assert 0 not in item["price"]["examples"] and 1.0e308 in item["price"]["examples"]
    assert "a" * 1024 in item["name"]["examples"] and "a" * 4096 not in item["name"]["examples"]
    assert "ünïcödé ✓ 😀" in item["name"]["examples"]
    for schema in (q, size, at, tag, item["price"], item["name"]):
        bare = {k: v for k, v in schema.items() if k != "examples"}
        for value in schema["examples"]:
            assert jsonschema.Draft202012Validator(bare).is_valid(value), (schema, value)


def test_the_contract_itself_is_not_changed() -> None:
    for spec in openapi_specs():
        before = copy.deepcopy(spec.document)
        offered = with_boundaries(spec.document)
        assert spec.document == before
        assert offered != before  # the reference contracts do have free parameters and properties
