"""Schema rules, each as a pair of specs, in both directions and behind a `$ref`.

Every case puts the old and the new schema in the same two places: the body clients send
(`POST /things`) and the body clients read (`GET /things`), inline or as `#/components/schemas/Thing`.
The expected severities are written out here — they are the contract of the rule, not read back
from the rule table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from providers.compat import Change, Severity, compare
from tests.providers.compat.support import changes_of, document, json_body, ok, only, schema_pair_doc

B, D, N = Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING
STRING = {"type": "string"}


def obj(properties: dict[str, Any], required: list[str] = (), **extra: Any) -> dict[str, Any]:  # type: ignore[assignment]
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


@dataclass(frozen=True)
class Case:
    id: str
    old: Any
    new: Any
    kind: str
    request: Severity
    response: Severity
    field: str = "body"


CASES = [
    Case("type changed", STRING, {"type": "integer"}, "type-changed", B, B),
    Case("type widened", {"type": "integer"}, {"type": "number"}, "type-widened", N, B),
    Case("type widened to a union", STRING, {"type": ["string", "integer"]}, "type-widened", N, B),
    Case("type narrowed", {"type": "number"}, {"type": "integer"}, "type-narrowed", B, N),
    Case("format added", STRING, {"type": "string", "format": "uuid"}, "format-added", B, N),
    Case("format removed", {"type": "string", "format": "uuid"}, STRING, "format-removed", N, B),
    Case(
        "format changed",
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        "format-changed",
        B,
        B,
    ),
    Case("made nullable by a type list", STRING, {"type": ["string", "null"]}, "nullable-added", N, B),
    Case(
        "made nullable by a oneOf with null",
        STRING,
        {"oneOf": [STRING, {"type": "null"}]},
        "nullable-added",
        N,
        B,
    ),
    Case("made nullable the 3.0 way", STRING, {"type": "string", "nullable": True}, "nullable-added", N, B),
    Case(
        "made nullable by an enum with null", {"enum": ["a"]}, {"enum": ["a", None]}, "nullable-added", N, B
    ),
    Case("no longer nullable", {"type": ["string", "null"]}, STRING, "nullable-removed", B, N),
    Case(
        "field removed",
        obj({"a": STRING, "b": {"type": "integer"}}, ["a"]),
        obj({"a": STRING}, ["a"]),
        "property-removed",
        N,
        N,
        "body.b",
    ),
    Case(
        "field renamed",
        obj({"title": {"type": "string", "maxLength": 9}}, ["title"]),
        obj({"name": {"type": "string", "maxLength": 9}}, ["name"]),
        "required-property-removed",
        N,
        B,
        "body.title",
    ),
    Case(
        "required field added",
        obj({"a": STRING}, ["a"]),
        obj({"a": STRING, "b": STRING}, ["a", "b"]),
        "required-property-added",
        B,
        N,
        "body.b",
    ),
    Case(
        "optional field added",
        obj({"a": STRING}),
        obj({"a": STRING, "b": STRING}),
        "property-added",
        N,
        N,
        "body.b",
    ),
    Case(
        "optional field made required",
        obj({"a": STRING, "b": STRING}, ["a"]),
        obj({"a": STRING, "b": STRING}, ["a", "b"]),
        "property-made-required",
        B,
        N,
        "body.b",
    ),
    Case(
        "field removed from required",
        obj({"a": STRING, "b": STRING}, ["a", "b"]),
        obj({"a": STRING, "b": STRING}, ["a"]),
        "property-made-optional",
        N,
        B,
        "body.b",
    ),
    Case(
        "field deprecated",
        obj({"a": STRING}),
        obj({"a": {"type": "string", "deprecated": True}}),
        "property-deprecated",
        D,
        D,
        "body.a",
    ),
    Case("enum widened", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]}, "enum-value-added", N, B),
    Case("enum narrowed", {"enum": ["a", "b", "c"]}, {"enum": ["a", "b"]}, "enum-value-removed", B, N),
    Case("const widened to an enum", {"const": "a"}, {"enum": ["a", "b"]}, "enum-value-added", N, B),
    Case("enum introduced", STRING, {"type": "string", "enum": ["a"]}, "enum-added", B, N),
    Case("enum dropped", {"type": "string", "enum": ["a"]}, STRING, "enum-removed", N, B),
    Case(
        "maxLength tightened",
        {"type": "string", "maxLength": 200},
        {"type": "string", "maxLength": 100},
        "max-length-decreased",
        B,
        N,
    ),
    Case(
        "maxLength relaxed",
        {"type": "string", "maxLength": 100},
        {"type": "string", "maxLength": 200},
        "max-length-increased",
        N,
        B,
    ),
    Case(
        "minimum raised",
        {"type": "integer", "minimum": 0},
        {"type": "integer", "minimum": 1},
        "min-increased",
        B,
        N,
    ),
    Case("minimum added", {"type": "integer"}, {"type": "integer", "minimum": 1}, "min-set", B, N),
    Case("maximum removed", {"type": "integer", "maximum": 9}, {"type": "integer"}, "max-unset", N, B),
    Case("pattern added", STRING, {"type": "string", "pattern": "^[a-z]+$"}, "pattern-set", B, N),
    Case("pattern removed", {"type": "string", "pattern": "^[a-z]+$"}, STRING, "pattern-unset", N, B),
    Case(
        "pattern replaced",
        {"type": "string", "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
        "pattern-changed",
        B,
        B,
    ),
    Case(
        "maxItems tightened",
        {"type": "array", "items": STRING, "maxItems": 10},
        {"type": "array", "items": STRING, "maxItems": 5},
        "max-items-decreased",
        B,
        N,
    ),
    Case(
        "uniqueItems added",
        {"type": "array", "items": STRING},
        {"type": "array", "items": STRING, "uniqueItems": True},
        "unique-items-set",
        B,
        N,
    ),
    Case(
        "multipleOf made coarser",
        {"type": "integer", "multipleOf": 2},
        {"type": "integer", "multipleOf": 4},
        "multiple-of-narrowed",
        B,
        N,
    ),
    Case(
        "default changed",
        {"type": "integer", "default": 20},
        {"type": "integer", "default": 50},
        "default-changed",
        N,
        N,
    ),
    Case("default removed", {"type": "integer", "default": 20}, {"type": "integer"}, "default-removed", N, N),
    Case("default added", {"type": "integer"}, {"type": "integer", "default": 20}, "default-added", N, N),
    Case(
        "additional properties forbidden",
        obj({"a": STRING}),
        obj({"a": STRING}, additionalProperties=False),
        "additional-properties-declared",
        N,
        N,
    ),
    Case(
        "additional properties allowed",
        obj({"a": STRING}, additionalProperties=False),
        obj({"a": STRING}),
        "additional-properties-declared",
        N,
        N,
    ),
    Case(
        "map values of any shape",
        {"type": "object", "additionalProperties": STRING},
        {"type": "object", "additionalProperties": True},
        "type-widened",
        N,
        B,
        "body.{.*}",
    ),
    Case(
        "map value type changed",
        {"type": "object", "additionalProperties": STRING},
        {"type": "object", "additionalProperties": {"type": "integer"}},
        "type-changed",
        B,
        B,
        "body.{.*}",
    ),
    Case(
        "oneOf alternative added",
        {"oneOf": [STRING, {"type": "integer"}]},
        {"oneOf": [STRING, {"type": "integer"}, {"type": "boolean"}]},
        "one-of-variant-added",
        N,
        B,
    ),
    Case(
        "oneOf alternative removed",
        {"oneOf": [STRING, {"type": "integer"}, {"type": "boolean"}]},
        {"oneOf": [STRING, {"type": "integer"}]},
        "one-of-variant-removed",
        B,
        N,
    ),
    Case(
        "array item field removed",
        {"type": "array", "items": obj({"a": STRING, "b": STRING})},
        {"type": "array", "items": obj({"a": STRING})},
        "property-removed",
        N,
        N,
        "body[].b",
    ),
    Case(
        "nested field tightened",
        obj({"inner": obj({"name": {"type": "string", "maxLength": 9}})}),
        obj({"inner": obj({"name": {"type": "string", "maxLength": 3}})}),
        "max-length-decreased",
        B,
        N,
        "body.inner.name",
    ),
]


def _split(changes: list[Change]) -> tuple[list[Change], list[Change]]:
    request = [c for c in changes if c.location.startswith("POST /things → request application/json")]
    response = [c for c in changes if c.location.startswith("GET /things → response 200 application/json")]
    assert len(request) + len(response) == len(changes), changes
    return request, response


@pytest.mark.parametrize("via_ref", [False, True], ids=["inline", "via-ref"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_schema_rule_in_request_and_response(case: Case, via_ref: bool) -> None:
    changes = changes_of(
        schema_pair_doc(case.old, via_ref=via_ref), schema_pair_doc(case.new, via_ref=via_ref)
    )
    request, response = _split(changes)
    for side, severity, verb in ((request, case.request, "POST"), (response, case.response, "GET")):
        found = only(side, case.kind)
        assert found.severity is severity, f"{verb}: {found}"
        assert found.location.endswith(f"→ {case.field}"), found.location
        if via_ref:
            assert (found.new_pointer or "").startswith("#/components/schemas/Thing"), found
        else:
            assert (found.new_pointer or "").startswith("#/paths/~1things/"), found


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_schema_unchanged_is_no_change(case: Case) -> None:
    for schema in (case.old, case.new):
        assert changes_of(schema_pair_doc(schema, via_ref=False), schema_pair_doc(schema, via_ref=True)) == []


@pytest.mark.parametrize(
    "old,new",
    [
        ({"type": ["string", "null"]}, {"oneOf": [STRING, {"type": "null"}]}),
        ({"type": "string", "nullable": True}, {"anyOf": [{"type": "null"}, STRING]}),
        ({"type": "string", "description": "a"}, {"type": "string", "description": "b", "example": "x"}),
        (obj({"a": STRING}), {"properties": {"a": STRING}}),
        (
            obj({"a": STRING, "b": STRING}, ["a", "b"]),
            {"allOf": [obj({"a": STRING}, ["a"]), obj({"b": STRING}, ["b"])]},
        ),
        ({"const": "x"}, {"enum": ["x"]}),
        ({"enum": ["a", "b"]}, {"type": "string", "enum": ["a", "b"]}),
        ({"type": ["integer", "number"]}, {"type": "number"}),
    ],
    ids=[
        "type-list-vs-oneOf",
        "nullable-vs-anyOf",
        "annotations",
        "implied-object",
        "allOf",
        "const",
        "untyped-enum",
        "number",
    ],
)
def test_spelling_differences_are_not_changes(old: Any, new: Any) -> None:
    assert changes_of(schema_pair_doc(old, via_ref=False), schema_pair_doc(new, via_ref=True)) == []


def test_location_and_pointers_name_the_field_in_both_documents() -> None:
    def doc(name_schema: dict[str, Any]) -> dict[str, Any]:
        thread = obj({"id": {"type": "string", "format": "uuid"}, "name": name_schema}, ["id", "name"])
        path = {"get": {"responses": {"200": ok({"$ref": "#/components/schemas/Thread"})}}}
        return document({"/v2/threads/{thread_id}": path}, schemas={"Thread": thread})

    change = only(changes_of(doc({"type": "string"}), doc({"type": "integer"})), "type-changed")
    assert change.location == "GET /v2/threads/{thread_id} → response 200 application/json → body.name"
    assert change.old_pointer == change.new_pointer == "#/components/schemas/Thread/properties/name"
    assert change.old == ["string"] and change.new == ["integer"]
    assert change.severity is B


def _component_doc(schemas: dict[str, Any], body: str = "Thing") -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{body}"}
    paths = {"/things": {"post": {"requestBody": json_body(ref), "responses": {"200": ok(ref)}}}}
    return document(paths, schemas=schemas)


def test_a_change_behind_a_chain_of_refs_is_found() -> None:
    def doc(max_length: int) -> dict[str, Any]:
        return _component_doc(
            {
                "Thing": {"$ref": "#/components/schemas/Alias"},
                "Alias": {"$ref": "#/components/schemas/Name"},
                "Name": {"type": "string", "maxLength": max_length},
            }
        )

    changes = changes_of(doc(10), doc(5))
    assert [(c.kind, c.severity) for c in changes] == [
        ("max-length-decreased", B),
        ("max-length-decreased", N),
    ]
    assert {c.new_pointer for c in changes} == {"#/components/schemas/Name"}


def test_keywords_beside_a_ref_count() -> None:
    def doc(max_length: int) -> dict[str, Any]:
        return _component_doc(
            {
                "Thing": obj({"name": {"$ref": "#/components/schemas/Name", "maxLength": max_length}}),
                "Name": {"type": "string"},
            }
        )

    request = [c for c in changes_of(doc(10), doc(5)) if c.location.startswith("POST /things → request")]
    assert [(c.kind, c.location.rsplit(" → ", 1)[1]) for c in request] == [
        ("max-length-decreased", "body.name")
    ]


def test_recursive_schema_terminates_and_reports_its_change_once() -> None:
    def doc(name_type: str) -> dict[str, Any]:
        node = obj(
            {
                "name": {"type": name_type},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                "parent": {"$ref": "#/components/schemas/Thing"},
            }
        )
        return _component_doc({"Thing": node})

    changes = changes_of(doc("string"), doc("integer"))
    assert [c.location for c in changes] == [
        "POST /things → request application/json → body.name",
        "POST /things → response 200 application/json → body.name",
    ]


def test_mutually_recursive_schemas_terminate() -> None:
    def doc(extra: bool) -> dict[str, Any]:
        a = obj({"b": {"$ref": "#/components/schemas/B"}})
        b = obj({"a": {"$ref": "#/components/schemas/Thing"}, **({"x": STRING} if extra else {})})
        return _component_doc({"Thing": a, "B": b})

    changes = changes_of(doc(True), doc(False))
    assert {(c.kind, c.location.rsplit(" → ", 1)[1]) for c in changes} == {("property-removed", "body.b.x")}


def test_all_of_parts_are_merged_and_pointers_kept() -> None:
    def doc(base_props: dict[str, Any]) -> dict[str, Any]:
        return _component_doc(
            {
                "Base": obj(base_props, ["id"] if "id" in base_props else []),
                "Thing": {
                    "allOf": [{"$ref": "#/components/schemas/Base"}, obj({"extra": STRING}, ["extra"])]
                },
            }
        )

    changes = changes_of(doc({"id": STRING, "note": STRING}), doc({"note": STRING}))
    response = [c for c in changes if "response" in c.location]
    removed = only(response, "required-property-removed")
    assert removed.location.endswith("body.id")
    assert removed.old_pointer == "#/components/schemas/Base/properties/id"
    assert removed.severity is B


def test_read_only_properties_do_not_count_in_requests() -> None:
    def doc(id_schema: dict[str, Any]) -> dict[str, Any]:
        return schema_pair_doc(obj({"id": id_schema, "name": STRING}), via_ref=True)

    # made read-only: clients no longer send it (an open object still accepts it), still read it
    changes = changes_of(doc(STRING), doc({"type": "string", "readOnly": True}))
    assert [(c.kind, c.severity, c.location.split(" → ")[1]) for c in changes] == [
        ("property-removed", N, "request application/json")
    ]
    assert "now read-only" in changes[0].message
    # a read-only property changing type only matters to readers
    changes = changes_of(
        doc({"type": "string", "readOnly": True}), doc({"type": "integer", "readOnly": True})
    )
    assert [c.location.split(" → ")[1] for c in changes] == ["response 200 application/json"]


def test_write_only_properties_do_not_count_in_responses() -> None:
    def doc(secret: dict[str, Any]) -> dict[str, Any]:
        return schema_pair_doc(obj({"secret": secret}), via_ref=True)

    changes = changes_of(doc(STRING), doc({"type": "string", "writeOnly": True}))
    assert [(c.kind, c.severity, c.location.split(" → ")[1]) for c in changes] == [
        ("property-removed", N, "response 200 application/json")
    ]
    # a required property made write-only disappears from what clients read
    required = schema_pair_doc(obj({"secret": STRING}, ["secret"]), via_ref=True)
    hidden = schema_pair_doc(obj({"secret": {"type": "string", "writeOnly": True}}, ["secret"]), via_ref=True)
    response = [c for c in changes_of(required, hidden) if "response" in c.location]
    assert [(c.kind, c.severity) for c in response] == [("required-property-removed", B)]


def test_rename_needs_an_unambiguous_partner() -> None:
    old = obj({"first": STRING, "second": STRING})
    new = obj({"alpha": STRING, "beta": STRING})
    changes = changes_of(schema_pair_doc(old, via_ref=False), schema_pair_doc(new, via_ref=False))
    assert not any("renamed" in c.message for c in changes)
    assert sorted(c.kind for c in changes if "response" in c.location) == [
        "property-added",
        "property-added",
        "property-removed",
        "property-removed",
    ]


def test_rename_among_several_candidates_uses_the_names() -> None:
    uuid = {"type": "string", "format": "uuid"}
    old = obj({"run_id": uuid}, ["run_id"])
    new = obj({"id": uuid, "thread_id": uuid}, ["id", "thread_id"])
    response = [
        c
        for c in changes_of(schema_pair_doc(old, via_ref=False), schema_pair_doc(new, via_ref=False))
        if "response" in c.location
    ]
    removed = only(response, "required-property-removed")
    assert removed.old == "run_id" and "renamed to id?" in removed.message
    assert removed.severity is B


def _pets(variants: list[str], cat_name: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Thing": {"oneOf": [{"$ref": f"#/components/schemas/{v}"} for v in variants]},
        "Cat": obj({"name": cat_name}),
        "Dog": obj({"bark": STRING}),
        "Bird": obj({"wings": {"type": "integer"}}),
    }
    return _component_doc(schemas)


def test_one_of_alternatives_are_matched_by_component_name() -> None:
    changes = changes_of(_pets(["Cat", "Dog"], STRING), _pets(["Dog", "Cat", "Bird"], {"type": "integer"}))
    response = [c for c in changes if "response" in c.location]
    # open objects without a discriminator overlap: a value valid before may now match two alternatives
    added = only(response, "one-of-variant-added-overlapping")
    assert added.new == "Bird" and added.severity is B
    changed = only(response, "type-changed")
    assert changed.location.endswith("body<Cat>.name")
    request = [c for c in changes if "request" in c.location]
    assert only(request, "one-of-variant-added-overlapping").severity is B


def test_one_of_alternatives_are_matched_by_discriminator_value() -> None:
    def event(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return obj({"type": {"const": kind}, "data": payload}, ["type"])

    def doc(status_payload: dict[str, Any]) -> dict[str, Any]:
        schema = {
            "oneOf": [event("output", STRING), event("status", status_payload)],
            "discriminator": {"propertyName": "type"},
        }
        return schema_pair_doc(schema, via_ref=False)

    changes = changes_of(doc({"enum": ["queued", "running"]}), doc({"enum": ["queued", "running", "failed"]}))
    response = [c for c in changes if "response" in c.location]
    widened = only(response, "enum-value-added")
    assert widened.location.endswith("body<status>.data") and widened.new == ["failed"]
    assert widened.severity is B


def test_a_ref_cycle_without_a_value_is_an_error() -> None:
    from providers.errors import ContractError

    doc = _component_doc(
        {
            "Thing": {"$ref": "#/components/schemas/Other"},
            "Other": {"allOf": [{"$ref": "#/components/schemas/Thing"}]},
        }
    )
    with pytest.raises(ContractError, match="cycle"):
        compare(doc, doc)
