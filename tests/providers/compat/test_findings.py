"""Regression tests for what issue 14 found, one test per finding: each failed before the rework.

Named after the finding: rules compat missed, verdicts it got wrong on real-world shapes, crashes that
read as "breaking" (exit 1), and what it could not read.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgate.cli import main
from providers.compat import Severity, compare, compare_files
from tests.data.compat.cases import S, callback, doc, hook, obj, ok, things

B, N = Severity.BREAKING, Severity.NON_BREAKING


def kinds_at(changes: list[Any], fragment: str) -> list[tuple[str, Severity]]:
    return [(c.kind, c.severity) for c in changes if fragment in c.location]


def breaking(changes: list[Any]) -> list[str]:
    return [f"{c.kind} @ {c.location}" for c in changes if c.severity is B]


# --- JSON Schema 2020-12 keywords and subschemas ------------------------------------------------


@pytest.mark.parametrize(
    "old,new,kind",
    [
        (
            obj({"a": S, "b": S}),
            obj({"a": S, "b": S}, dependentRequired={"a": ["b"]}),
            "dependent-required-added",
        ),
        (
            obj({"a": S}),
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            "if-then-else-added",
        ),
        (
            {"type": "object"},
            {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
            "property-names-added",
        ),
        (
            obj({"a": S}, unevaluatedProperties=S),
            obj({"a": S}, unevaluatedProperties=False),
            "unevaluated-properties-refused",
        ),
        (
            {"type": "string"},
            {"type": "string", "contentSchema": obj({"a": S}, ["a"])},
            "content-schema-added",
        ),
    ],
    ids=["dependentRequired", "if-then", "propertyNames", "unevaluatedProperties", "contentSchema"],
)
def test_2020_12_keywords_added_to_a_request_are_breaking(old: Any, new: Any, kind: str) -> None:
    changes = compare(things(old), things(new))
    assert (kind, B) in kinds_at(changes, "POST /things")
    assert (kind, N) in kinds_at(changes, "GET /things")


def test_prefix_items_tightened_position_by_position() -> None:
    old = {"type": "array", "prefixItems": [{"type": "string", "maxLength": 10}]}
    new = {"type": "array", "prefixItems": [{"type": "string", "maxLength": 5}]}
    changes = compare(things(old), things(new))
    assert [(c.kind, c.location.rsplit(" → ", 1)[1]) for c in changes if "POST" in c.location] == [
        ("max-length-decreased", "body[0]")
    ]


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: {"type": "array", "contains": s},
        lambda s: {"type": "object", "if": {"required": ["x"]}, "then": {"properties": {"x": s}}},
        lambda s: {"type": "array", "prefixItems": [s]},
        lambda s: {"anyOf": [obj({"x": s}, ["x"]), {"type": "string"}]},
    ],
    ids=["contains", "then", "prefixItems", "anyOf-branch"],
)
def test_a_limit_raised_inside_a_subschema_is_found(wrap: Any) -> None:
    changes = compare(
        things(wrap({"type": "integer", "minimum": 1})), things(wrap({"type": "integer", "minimum": 5}))
    )
    assert ("min-increased", B) in kinds_at(changes, "POST /things")


def test_a_property_made_required_inside_an_any_of_branch_is_breaking() -> None:
    old = {"type": "object", "properties": {"a": S, "b": S}, "anyOf": [{"required": ["a"]}, {"required": []}]}
    new = {
        "type": "object",
        "properties": {"a": S, "b": S},
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
    }
    assert ("property-made-required", B) in kinds_at(compare(things(old), things(new)), "POST /things")


def test_a_body_wrapped_in_one_of_whose_branches_overlap_is_breaking() -> None:
    body = obj({"name": S})
    wrapped = {"oneOf": [obj({"name": S}), obj({"title": S})]}  # {"name": "x"} matches both: refused
    assert ("one-of-variant-added-overlapping", B) in kinds_at(
        compare(things(body), things(wrapped)), "POST /things"
    )
    disjoint = {"oneOf": [obj({"name": S}), {"type": "string"}]}
    assert breaking([c for c in compare(things(body), things(disjoint)) if "POST" in c.location]) == []


def test_x_extensible_enum_values_removed_from_a_request() -> None:
    old, new = (
        {"type": "string", "x-extensible-enum": ["a", "b"]},
        {"type": "string", "x-extensible-enum": ["a"]},
    )
    assert ("extensible-enum-value-removed", B) in kinds_at(compare(things(old), things(new)), "POST /things")


def test_a_schema_added_to_a_request_media_type_that_had_none() -> None:
    def post(media: dict[str, Any]) -> dict[str, Any]:
        return doc(
            {
                "/a": {
                    "post": {
                        "requestBody": {"content": {"application/json": media}},
                        "responses": {"204": {"description": "x"}},
                    }
                }
            }
        )

    assert kinds_at(compare(post({}), post({"schema": obj({"a": S}, ["a"])})), "POST /a") == [
        ("media-type-schema-added", B)
    ]


# --- deprecation and sunset ---------------------------------------------------------------------


def _op(**extra: Any) -> dict[str, Any]:
    return doc({"/a": {"get": {"responses": {"200": ok(S)}, **extra}}})


def test_an_x_sunset_removed_from_a_deprecated_operation_is_breaking() -> None:
    changes = compare(_op(deprecated=True, **{"x-sunset": "2030-01-01"}), _op(deprecated=True))
    assert kinds_at(changes, "GET /a") == [("sunset-removed", B)]


def test_an_invalid_sunset_date_is_breaking() -> None:
    changes = compare(_op(deprecated=True), _op(deprecated=True, **{"x-sunset": "soon"}))
    assert kinds_at(changes, "GET /a") == [("sunset-invalid", B)]


def test_removing_a_deprecated_operation_or_parameter_after_its_sunset_is_not_breaking() -> None:
    today = date(2026, 6, 1)
    gone = doc({"/a": {"get": {"responses": {"200": ok(S)}}}})
    old = doc(
        {
            "/a": {
                "get": {"responses": {"200": ok(S)}},
                "post": {"deprecated": True, "x-sunset": "2026-01-01", "responses": {"200": ok(S)}},
            }
        }
    )
    assert breaking(compare(old, gone, today=today)) == []
    assert breaking(compare(old, gone, today=date(2025, 6, 1))) == [
        "operation-removed-before-sunset @ POST /a"
    ]
    param = {"name": "q", "in": "query", "deprecated": True, "x-sunset": "2026-01-01", "schema": S}
    with_param = doc({"/a": {"get": {"parameters": [param], "responses": {"200": ok(S)}}}})
    assert breaking(compare(with_param, gone, today=today)) == []


def test_a_sunset_header_in_the_future_protects_the_operation() -> None:
    header = {"Sunset": {"schema": {"type": "string", "const": "Sat, 01 Jan 2028 00:00:00 GMT"}}}
    old = doc(
        {"/a": {"get": {"responses": {"200": ok(S)}}, "post": {"responses": {"200": ok(S, headers=header)}}}}
    )
    new = doc({"/a": {"get": {"responses": {"200": ok(S)}}}})
    assert breaking(compare(old, new, today=date(2026, 6, 1))) == [
        "operation-removed-before-sunset @ POST /a"
    ]


# --- verdicts oasdiff does not give --------------------------------------------------------------


def test_a_request_pattern_changed_to_match_everything_is_a_relaxation() -> None:
    changes = compare(
        things({"type": "string", "pattern": "^[a-z]+$"}), things({"type": "string", "pattern": ""})
    )
    assert kinds_at(changes, "POST /things") == [("pattern-unset", N)]


def test_equivalent_xml_media_types_are_the_same_body() -> None:
    def xml(media: str) -> dict[str, Any]:
        return doc({"/a": {"post": {"requestBody": {"content": {media: {"schema": obj({"a": S})}}},
                                    "responses": {"200": {"description": "x", "content": {media: {"schema": obj({"a": S})}}}}}}})  # fmt: skip

    assert compare(xml("application/xml"), xml("text/xml")) == []
    assert compare(xml("application/json"), xml("application/json; charset=utf-8")) == []


# --- real-world shapes ---------------------------------------------------------------------------


def test_paths_differing_only_in_parameter_names_compare_equal_to_themselves() -> None:
    def item(name: str, method: str) -> dict[str, Any]:
        param = {"name": name, "in": "path", "required": True, "schema": S}
        return {method: {"parameters": [param], "responses": {"200": ok(S)}}}

    for order in (("idOrUrl", "id"), ("id", "idOrUrl")):
        paths = {
            f"/v13/deployments/{{{order[0]}}}": item(order[0], "get"),
            f"/v13/deployments/{{{order[1]}}}": item(order[1], "patch"),
        }
        assert compare(doc(paths), doc(dict(reversed(list(paths.items()))))) == []


def test_an_operation_that_is_a_ref_to_another_file_is_compared(tmp_path: Path) -> None:
    def write(name: str, required: list[str]) -> str:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "ops.yaml").write_text(
            yaml.safe_dump({"getThing": {"responses": {"200": ok(obj({"a": S, "b": S}, required))}}})
        )
        (folder / "openapi.yaml").write_text(
            yaml.safe_dump(doc({"/things": {"get": {"$ref": "ops.yaml#/getThing"}}}))
        )
        return str(folder / "openapi.yaml")

    changes = list(compare_files(write("old", ["a", "b"]), write("new", ["a"])).changes)
    assert [(c.kind, c.severity, c.old_pointer) for c in changes] == [
        (
            "property-made-optional",
            B,
            "ops.yaml#/getThing/responses/200/content/application~1json/schema/properties/b",
        )
    ]


def test_a_webhook_payload_that_drops_a_field_is_breaking() -> None:
    changes = compare(hook(obj({"id": S, "total": S}, ["id", "total"])), hook(obj({"id": S}, ["id"])))
    assert [(c.kind, c.severity, c.location) for c in changes] == [
        ("required-property-removed", B, "webhook thingCreated POST → request application/json → body.total")
    ]
    assert [(c.kind, c.severity) for c in compare(hook(obj({"id": S})), doc({}))] == [("webhook-removed", B)]


def test_a_callback_payload_that_drops_a_field_is_breaking() -> None:
    changes = compare(callback(obj({"id": S, "total": S}, ["id", "total"])), callback(obj({"id": S}, ["id"])))
    assert [(c.kind, c.severity) for c in changes] == [("required-property-removed", B)]
    assert "callback onEvent {$request.body#/url} POST" in changes[0].location


def test_a_required_true_on_a_property_is_read_as_required() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string", "required": True}}}
    assert ("property-made-required", B) in kinds_at(compare(things(old), things(new)), "POST /things")


# --- bad input is exit 2, one line, never a traceback --------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["compat", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "content,expected",
    [
        (
            b"openapi: 3.1.0\ninfo: {title: caf\xe9, version: '1'}\npaths: {}\n",
            "not UTF-8 text (byte 0xe9 at offset 32)",
        ),
        (
            json.dumps(doc({"/a": {"post": {"requestBody": "x", "responses": {}}}})).encode(),
            "#/paths/~1a/post/requestBody: requestBody must be a mapping, found a string",
        ),
        (
            json.dumps(things({"type": "object", "properties": ["a"]})).encode(),
            "/schema/properties: properties must be a mapping, found a list",
        ),
        (json.dumps(things({"type": 5})).encode(), "/schema/type: type must be one of"),
        (
            b"a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
            b"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
            "an alias bomb",
        ),
        (
            json.dumps(doc({"/a": {"get": {"$ref": "missing.yaml#/op"}}})).encode(),
            "missing.yaml: cannot read",
        ),
    ],
    ids=["not-utf8", "request-body-string", "properties-list", "type-5", "alias-bomb", "unreachable-file"],
)
def test_unreadable_or_wrongly_typed_documents_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(things(S)))
    bad = tmp_path / ("bad.json" if content.startswith(b"{") else "bad.yaml")
    bad.write_bytes(content)
    for argv in ((str(good), str(bad)), (str(bad), str(good))):
        code, out, err = _cli(capsys, *argv)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert expected in err and bad.name in err, err


def test_swagger_2_documents_are_converted_and_compared(tmp_path: Path) -> None:
    def swagger(required: list[str]) -> dict[str, Any]:
        return {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/pets": {
                    "post": {
                        "parameters": [
                            {
                                "in": "body",
                                "name": "pet",
                                "required": True,
                                "schema": {"$ref": "#/definitions/Pet"},
                            }
                        ],
                        "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
                    }
                }
            },  # fmt: skip
            "definitions": {
                "Pet": {
                    "type": "object",
                    "required": required,
                    "properties": {"name": {"type": "string"}, "tag": {"type": "string", "x-nullable": True}},
                }
            },
        }

    (tmp_path / "old.json").write_text(json.dumps(swagger(["name"])))
    (tmp_path / "new.json").write_text(json.dumps(swagger(["name", "tag"])))
    changes = list(compare_files(str(tmp_path / "old.json"), str(tmp_path / "new.json")).changes)
    assert [(c.kind, c.severity, c.location) for c in changes] == [
        ("property-made-required", B, "POST /pets → request application/json → body.tag"),
        ("property-made-required", N, "POST /pets → response 200 application/json → body.tag"),
    ]
    assert changes[0].new_pointer == "#/components/schemas/Pet/properties/tag"
