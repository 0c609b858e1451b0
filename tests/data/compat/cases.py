"""One pair of documents per compat rule: the source of `tests/data/compat/<rule>/{old,new}.yaml`.

Each case is written out by hand with the severities the rule must have — the contract of the rule,
not read back from the rule table. Schema cases put the old and the new schema where a client sends
it (the body of `POST /things`) and where it reads it (the body of `GET /things`), and expect a
severity for each; document cases give whole documents and one severity. `python -m
tests.data.compat.cases` rewrites the files; `test_rule_pairs` checks they are current and that
compat reports every rule on its pair.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
B, D, N = "breaking", "deprecation", "non-breaking"
S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741


@dataclass(frozen=True)
class Case:
    rule: str
    old: dict[str, Any]
    new: dict[str, Any]
    #: (location fragment, severity): every one must be reported with this rule and severity
    expect: tuple[tuple[str, str], ...]


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def doc(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "things", "version": "1.0.0"}, "paths": paths, **extra}


def ok(schema: Any = None, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok", **extra}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def things(schema: Any) -> dict[str, Any]:
    """The schema as the body clients send (POST /things) and the one they read (GET /things)."""
    return doc(
        {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": copy.deepcopy(schema)}},
                    },
                    "responses": {"204": {"description": "created"}},
                },
                "get": {"operationId": "readThing", "responses": {"200": ok(copy.deepcopy(schema))}},
            }
        }
    )


def schema_case(rule: str, old: Any, new: Any, request: str | None, response: str | None) -> Case:
    """None for a direction the rule is never reported in (the other direction's rule covers it)."""
    expect = tuple(
        (where, severity)
        for where, severity in (("POST /things", request), ("GET /things", response))
        if severity
    )
    return Case(rule, things(old), things(new), expect)


def op(**extra: Any) -> dict[str, Any]:
    return {"responses": {"200": ok(S)}, **extra}


def one(rule: str, old: dict[str, Any], new: dict[str, Any], where: str, severity: str) -> Case:
    return Case(rule, old, new, ((where, severity),))


def query(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": S, **extra}


def get_with(**extra: Any) -> dict[str, Any]:
    return doc({"/a": {"get": op(**extra)}})


def body(content: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return doc(
        {
            "/a": {
                "post": {
                    "requestBody": {"required": required, "content": content},
                    "responses": {"204": {"description": "x"}},
                }
            }
        }
    )


def statuses(responses: dict[str, Any]) -> dict[str, Any]:
    return doc({"/a": {"get": {"responses": responses}}})


def headers(values: dict[str, Any]) -> dict[str, Any]:
    return statuses({"200": ok(S, headers=values)})


SCHEMES = {
    "token": {"type": "http", "scheme": "bearer"},
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
}


def secured(security: list[Any], schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    return doc({"/a": {"get": op(security=security)}}, components={"securitySchemes": schemes or SCHEMES})


def hook(payload: Any, name: str = "thingCreated") -> dict[str, Any]:
    return doc({}, webhooks={name: {"post": {"requestBody": {"content": {"application/json": {"schema": payload}}},
                                             "responses": {"200": {"description": "ok"}}}}})  # fmt: skip


def callback(payload: Any) -> dict[str, Any]:
    cb = {"{$request.body#/url}": {"post": {"requestBody": {"content": {"application/json": {"schema": payload}}},
                                            "responses": {"200": {"description": "ok"}}}}}  # fmt: skip
    return doc(
        {"/subscribe": {"post": {"callbacks": {"onEvent": cb}, "responses": {"201": {"description": "x"}}}}}
    )


def bound_cases() -> list[Case]:
    """Four rules per bound keyword: set, unset, tightened, relaxed."""
    bases = {
        "minLength": ({"type": "string"}, 2, 4, True),
        "maxLength": ({"type": "string"}, 9, 5, False),
        "minimum": ({"type": "number"}, 1, 3, True),
        "maximum": ({"type": "number"}, 9, 5, False),
        "exclusiveMinimum": ({"type": "number"}, 1, 3, True),
        "exclusiveMaximum": ({"type": "number"}, 9, 5, False),
        "minItems": ({"type": "array", "items": S}, 1, 3, True),
        "maxItems": ({"type": "array", "items": S}, 9, 5, False),
        "minProperties": ({"type": "object"}, 1, 3, True),
        "maxProperties": ({"type": "object"}, 9, 5, False),
        "minContains": ({"type": "array", "contains": S}, 1, 3, True),
        "maxContains": ({"type": "array", "contains": S}, 9, 5, False),
    }
    stems = {"minLength": "min-length", "maxLength": "max-length", "minimum": "min", "maximum": "max",
             "exclusiveMinimum": "exclusive-min", "exclusiveMaximum": "exclusive-max", "minItems": "min-items",
             "maxItems": "max-items", "minProperties": "min-properties", "maxProperties": "max-properties",
             "minContains": "min-contains", "maxContains": "max-contains"}  # fmt: skip
    cases = []
    for keyword, (base, loose, tight, lower) in bases.items():
        stem = stems[keyword]
        tighter, looser = ("increased", "decreased") if lower else ("decreased", "increased")
        cases += [
            schema_case(f"{stem}-set", base, {**base, keyword: tight}, B, N),
            schema_case(f"{stem}-unset", {**base, keyword: tight}, base, N, B),
            schema_case(f"{stem}-{tighter}", {**base, keyword: loose}, {**base, keyword: tight}, B, N),
            schema_case(f"{stem}-{looser}", {**base, keyword: tight}, {**base, keyword: loose}, N, B),
        ]
    return cases


def schema_cases() -> list[Case]:
    cat, dog = (
        obj({"kind": {"const": "cat"}, "meow": S}, ["kind"]),
        obj({"kind": {"const": "dog"}, "bark": S}, ["kind"]),
    )
    bird = obj({"kind": {"const": "bird"}}, ["kind"])
    open_a, open_b = obj({"a": S}), obj({"b": S})
    return [
        schema_case("type-changed", S, I, B, B),
        schema_case("type-widened", I, {"type": "number"}, N, B),
        schema_case("type-narrowed", {"type": ["string", "integer"]}, S, B, N),
        schema_case("format-added", S, {"type": "string", "format": "uuid"}, B, N),
        schema_case("format-removed", {"type": "string", "format": "uuid"}, S, N, B),
        schema_case(
            "format-changed",
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
            B,
            B,
        ),
        schema_case(
            "format-widened",
            {"type": "integer", "format": "int32"},
            {"type": "integer", "format": "int64"},
            N,
            B,
        ),
        schema_case(
            "format-narrowed",
            {"type": "integer", "format": "int64"},
            {"type": "integer", "format": "int32"},
            B,
            N,
        ),
        schema_case("nullable-added", S, {"type": ["string", "null"]}, N, B),
        schema_case("nullable-removed", {"type": "string", "nullable": True}, S, B, N),
        schema_case("enum-value-added", {"enum": ["a"]}, {"enum": ["a", "b"]}, N, B),
        schema_case("enum-value-removed", {"enum": ["a", "b"]}, {"enum": ["a"]}, B, N),
        schema_case("enum-added", S, {"type": "string", "enum": ["a"]}, B, N),
        schema_case("enum-removed", {"type": "string", "enum": ["a"]}, S, N, B),
        schema_case("const-added", S, {"type": "string", "const": "a"}, B, N),
        schema_case("const-removed", {"type": "string", "const": "a"}, S, N, B),
        schema_case(
            "const-changed", {"type": "string", "const": "a"}, {"type": "string", "const": "b"}, B, B
        ),
        schema_case(
            "extensible-enum-value-removed",
            {"type": "string", "x-extensible-enum": ["a", "b"]},
            {"type": "string", "x-extensible-enum": ["a"]},
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "extensible-enum-value-added",
            {"type": "string", "x-extensible-enum": ["a"]},
            {"type": "string", "x-extensible-enum": ["a", "b"]},
            N,
            N,
        ),  # fmt: skip
        schema_case("default-added", I, {"type": "integer", "default": 1}, N, N),
        schema_case("default-removed", {"type": "integer", "default": 1}, I, N, N),
        schema_case(
            "default-changed", {"type": "integer", "default": 1}, {"type": "integer", "default": 2}, N, N
        ),
        *bound_cases(),
        schema_case("pattern-set", S, {"type": "string", "pattern": "^[a-z]+$"}, B, N),
        schema_case(
            "pattern-unset",
            {"type": "string", "pattern": "^[a-z]+$"},
            {"type": "string", "pattern": ""},
            N,
            B,
        ),
        schema_case(
            "pattern-widened",
            {"type": "string", "pattern": "^a$"},
            {"type": "string", "pattern": "^(a|b)$"},
            N,
            B,
        ),
        schema_case(
            "pattern-changed", {"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, B, B
        ),
        schema_case("multiple-of-set", I, {"type": "integer", "multipleOf": 2}, B, N),
        schema_case("multiple-of-unset", {"type": "integer", "multipleOf": 2}, I, N, B),
        schema_case(
            "multiple-of-narrowed",
            {"type": "integer", "multipleOf": 2},
            {"type": "integer", "multipleOf": 4},
            B,
            N,
        ),
        schema_case(
            "multiple-of-widened",
            {"type": "integer", "multipleOf": 4},
            {"type": "integer", "multipleOf": 2},
            N,
            B,
        ),
        schema_case(
            "multiple-of-changed",
            {"type": "integer", "multipleOf": 2},
            {"type": "integer", "multipleOf": 3},
            B,
            B,
        ),
        schema_case(
            "unique-items-set",
            {"type": "array", "items": S},
            {"type": "array", "items": S, "uniqueItems": True},
            B,
            N,
        ),
        schema_case(
            "unique-items-unset",
            {"type": "array", "items": S, "uniqueItems": True},
            {"type": "array", "items": S},
            N,
            B,
        ),
        schema_case("property-added", obj({"a": S}), obj({"a": S, "b": S}), N, N),
        schema_case("required-property-added", obj({"a": S}), obj({"a": S, "b": S}, ["b"]), B, N),
        schema_case(
            "closed-object-property-added",
            obj({"a": S}, additionalProperties=False),
            obj({"a": S, "b": S}, additionalProperties=False),
            None,
            B,
        ),  # fmt: skip
        schema_case("property-removed", obj({"a": S, "b": S}), obj({"a": S}), N, N),
        schema_case("required-property-removed", obj({"a": S, "b": S}, ["b"]), obj({"a": S}), N, B),
        schema_case(
            "property-refused", obj({"a": S, "b": S}), obj({"a": S}, additionalProperties=False), B, None
        ),
        schema_case("property-made-required", obj({"a": S}), obj({"a": S}, ["a"]), B, N),
        schema_case("property-made-optional", obj({"a": S}, ["a"]), obj({"a": S}), N, B),
        schema_case(
            "additional-properties-refused",
            obj({"a": S}, additionalProperties=S),
            obj({"a": S}, additionalProperties=False),
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "additional-properties-allowed",
            obj({"a": S}, additionalProperties=False),
            obj({"a": S}, additionalProperties=S),
            N,
            B,
        ),  # fmt: skip
        schema_case(
            "additional-properties-declared", obj({"a": S}), obj({"a": S}, additionalProperties=False), N, N
        ),
        schema_case(
            "unevaluated-properties-refused",
            obj({"a": S}, unevaluatedProperties=S),
            obj({"a": S}, unevaluatedProperties=False),
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "unevaluated-properties-allowed",
            obj({"a": S}, unevaluatedProperties=False),
            obj({"a": S}, unevaluatedProperties=S),
            N,
            B,
        ),  # fmt: skip
        schema_case(
            "unevaluated-properties-declared", obj({"a": S}), obj({"a": S}, unevaluatedProperties=False), N, N
        ),
        schema_case(
            "dependent-required-added",
            obj({"a": S, "b": S}),
            obj({"a": S, "b": S}, dependentRequired={"a": ["b"]}),
            B,
            N,
        ),
        schema_case(
            "dependent-required-removed",
            obj({"a": S, "b": S}, dependentRequired={"a": ["b"]}),
            obj({"a": S, "b": S}),
            N,
            B,
        ),
        schema_case(
            "dependent-required-changed",
            obj({"a": S, "b": S, "c": S}, dependentRequired={"a": ["b"]}),
            obj({"a": S, "b": S, "c": S}, dependentRequired={"a": ["c"]}),
            B,
            B,
        ),  # fmt: skip
        schema_case(
            "dependent-schema-added",
            obj({"a": S}),
            obj({"a": S}, dependentSchemas={"a": {"required": ["b"]}}),
            B,
            N,
        ),
        schema_case(
            "dependent-schema-removed",
            obj({"a": S}, dependentSchemas={"a": {"required": ["b"]}}),
            obj({"a": S}),
            N,
            B,
        ),
        schema_case(
            "property-names-added",
            {"type": "object"},
            {"type": "object", "propertyNames": {"maxLength": 3}},
            B,
            N,
        ),
        schema_case(
            "property-names-removed",
            {"type": "object", "propertyNames": {"maxLength": 3}},
            {"type": "object"},
            N,
            B,
        ),
        schema_case(
            "pattern-property-added",
            {"type": "object"},
            {"type": "object", "patternProperties": {"^x-": S}},
            B,
            N,
        ),
        schema_case(
            "pattern-property-removed",
            {"type": "object", "patternProperties": {"^x-": S}},
            {"type": "object"},
            N,
            B,
        ),
        schema_case(
            "prefix-items-added",
            {"type": "array", "prefixItems": [S]},
            {"type": "array", "prefixItems": [S, True]},
            N,
            N,
        ),
        schema_case(
            "prefix-items-removed",
            {"type": "array", "prefixItems": [S, True]},
            {"type": "array", "prefixItems": [S]},
            N,
            N,
        ),
        schema_case("contains-added", {"type": "array"}, {"type": "array", "contains": S}, B, N),
        schema_case("contains-removed", {"type": "array", "contains": S}, {"type": "array"}, N, B),
        schema_case(
            "unevaluated-items-refused",
            {"type": "array", "prefixItems": [S], "unevaluatedItems": S},
            {"type": "array", "prefixItems": [S], "unevaluatedItems": False},
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "unevaluated-items-allowed",
            {"type": "array", "prefixItems": [S], "unevaluatedItems": False},
            {"type": "array", "prefixItems": [S], "unevaluatedItems": S},
            N,
            B,
        ),  # fmt: skip
        schema_case("any-of-variant-added", {"anyOf": [S, I]}, {"anyOf": [S, I, {"type": "boolean"}]}, N, B),
        schema_case(
            "any-of-variant-removed", {"anyOf": [S, I, {"type": "boolean"}]}, {"anyOf": [S, I]}, B, N
        ),
        schema_case("one-of-variant-added", {"oneOf": [cat, dog]}, {"oneOf": [cat, dog, bird]}, N, B),
        schema_case("one-of-variant-added-overlapping", open_a, {"oneOf": [open_a, open_b]}, B, B),
        schema_case("one-of-variant-removed", {"oneOf": [cat, dog, bird]}, {"oneOf": [cat, dog]}, B, N),
        schema_case(
            "one-of-variant-removed-overlapping",
            {"oneOf": [open_a, open_b, obj({"c": S})]},
            {"oneOf": [open_a, open_b]},
            B,
            B,
        ),
        schema_case("one-of-became-any-of", {"oneOf": [open_a, open_b]}, {"anyOf": [open_a, open_b]}, N, B),
        schema_case("any-of-became-one-of", {"anyOf": [open_a, open_b]}, {"oneOf": [open_a, open_b]}, B, N),
        schema_case("not-added", S, {"type": "string", "not": {"const": "x"}}, B, N),
        schema_case("not-removed", {"type": "string", "not": {"const": "x"}}, S, N, B),
        schema_case(
            "if-then-else-added",
            obj({"a": S}),
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            B,
            N,
        ),
        schema_case(
            "if-then-else-removed",
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            obj({"a": S}),
            N,
            B,
        ),
        schema_case(
            "if-changed",
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            obj({"a": S}, **{"if": {"required": ["c"]}, "then": {"required": ["b"]}}),
            B,
            B,
        ),  # fmt: skip
        schema_case(
            "then-added",
            obj({"a": S}, **{"if": {"required": ["a"]}, "else": {"required": ["c"]}}),
            obj(
                {"a": S},
                **{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            ),
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "then-removed",
            obj(
                {"a": S},
                **{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            ),
            obj({"a": S}, **{"if": {"required": ["a"]}, "else": {"required": ["c"]}}),
            N,
            B,
        ),  # fmt: skip
        schema_case(
            "else-added",
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            obj(
                {"a": S},
                **{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            ),
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "else-removed",
            obj(
                {"a": S},
                **{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
            ),
            obj({"a": S}, **{"if": {"required": ["a"]}, "then": {"required": ["b"]}}),
            N,
            B,
        ),  # fmt: skip
        schema_case(
            "discriminator-changed",
            {"oneOf": [cat, dog], "discriminator": {"propertyName": "kind"}},
            {"oneOf": [cat, dog], "discriminator": {"propertyName": "type"}},
            N,
            N,
        ),  # fmt: skip
        schema_case(
            "content-schema-added",
            {"type": "string", "contentMediaType": "application/json"},
            {"type": "string", "contentMediaType": "application/json", "contentSchema": obj({"a": S})},
            B,
            N,
        ),  # fmt: skip
        schema_case(
            "content-schema-removed",
            {"type": "string", "contentMediaType": "application/json", "contentSchema": obj({"a": S})},
            {"type": "string", "contentMediaType": "application/json"},
            N,
            B,
        ),  # fmt: skip
        schema_case(
            "content-media-type-changed",
            {"type": "string", "contentMediaType": "application/json"},
            {"type": "string", "contentMediaType": "application/xml"},
            B,
            B,
        ),  # fmt: skip
        schema_case(
            "content-encoding-changed",
            {"type": "string", "contentEncoding": "base64"},
            {"type": "string", "contentEncoding": "base32"},
            B,
            B,
        ),  # fmt: skip
        schema_case(
            "property-deprecated", obj({"a": S}), obj({"a": {"type": "string", "deprecated": True}}), D, D
        ),
        schema_case(
            "property-undeprecated", obj({"a": {"type": "string", "deprecated": True}}), obj({"a": S}), N, N
        ),
    ]


def document_cases() -> list[Case]:
    past, future = "2020-01-01", "2999-01-01"
    dep = {"deprecated": True}
    sunset_header = {"Sunset": {"schema": {"type": "string", "const": "Sat, 01 Jan 2999 00:00:00 GMT"}}}
    return [
        one("spec-removed", get_with(), get_with(), "", B),  # the test compares a document with none
        one("spec-added", get_with(), get_with(), "", N),
        one(
            "path-moved",
            doc({"/v1/things": {"get": op()}}),
            doc({"/v2/things": {"get": op()}}),
            "/v1/things",
            B,
        ),
        one(
            "operation-removed",
            doc({"/a": {"get": op(), "post": op()}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            B,
        ),
        one(
            "deprecated-operation-removed",
            doc({"/a": {"get": op(), "post": op(**dep, **{"x-sunset": past})}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            N,
        ),  # fmt: skip
        one(
            "operation-removed-before-sunset",
            doc({"/a": {"get": op(), "post": op(**dep, **{"x-sunset": future})}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            B,
        ),  # fmt: skip
        one(
            "operation-added",
            doc({"/a": {"get": op()}}),
            doc({"/a": {"get": op(), "post": op()}}),
            "POST /a",
            N,
        ),
        one(
            "path-parameter-renamed",
            doc({"/a/{id}": {"get": op()}}),
            doc({"/a/{a_id}": {"get": op()}}),
            "/a/{a_id}",
            N,
        ),
        one("operation-id-changed", get_with(operationId="x"), get_with(operationId="y"), "GET /a", N),
        one("tag-added", get_with(), get_with(tags=["t"]), "GET /a", N),
        one("tag-removed", get_with(tags=["t"]), get_with(), "GET /a", N),
        one(
            "component-schema-removed",
            doc({}, components={"schemas": {"Old": S}}),
            doc({}),
            "components.schemas.Old",
            N,
        ),
        one("webhook-removed", hook(obj({"id": S})), doc({}), "webhook thingCreated POST", B),
        one("webhook-added", doc({}), hook(obj({"id": S})), "webhook thingCreated POST", N),
        one(
            "callback-removed",
            callback(obj({"id": S})),
            doc({"/subscribe": {"post": {"responses": {"201": {"description": "x"}}}}}),
            "callback onEvent",
            B,
        ),  # fmt: skip
        one(
            "callback-added",
            doc({"/subscribe": {"post": {"responses": {"201": {"description": "x"}}}}}),
            callback(obj({"id": S})),
            "callback onEvent",
            N,
        ),  # fmt: skip
        one("operation-deprecated", get_with(), get_with(**dep), "GET /a", D),
        one("operation-undeprecated", get_with(**dep), get_with(), "GET /a", N),
        one(
            "parameter-deprecated",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", **dep)]),
            "query parameter q",
            D,
        ),
        one(
            "parameter-undeprecated",
            get_with(parameters=[query("q", **dep)]),
            get_with(parameters=[query("q")]),
            "query parameter q",
            N,
        ),
        one("sunset-announced", headers({}), headers(sunset_header), "header Sunset", D),
        one("sunset-withdrawn", headers(sunset_header), headers({}), "header Sunset", N),
        one("sunset-removed", get_with(**dep, **{"x-sunset": future}), get_with(**dep), "GET /a", B),
        one(
            "sunset-moved-earlier",
            get_with(**dep, **{"x-sunset": future}),
            get_with(**dep, **{"x-sunset": "2998-01-01"}),
            "GET /a",
            B,
        ),
        one(
            "sunset-postponed",
            get_with(**dep, **{"x-sunset": "2998-01-01"}),
            get_with(**dep, **{"x-sunset": future}),
            "GET /a",
            N,
        ),
        one(
            "sunset-invalid",
            get_with(**dep, **{"x-sunset": future}),
            get_with(**dep, **{"x-sunset": "next spring"}),
            "GET /a",
            B,
        ),
        one(
            "stability-decreased",
            get_with(**{"x-stability-level": "stable"}),
            get_with(**{"x-stability-level": "beta"}),
            "GET /a",
            B,
        ),
        one(
            "stability-increased",
            get_with(**{"x-stability-level": "beta"}),
            get_with(**{"x-stability-level": "stable"}),
            "GET /a",
            N,
        ),
        one(
            "stability-invalid",
            get_with(**{"x-stability-level": "beta"}),
            get_with(**{"x-stability-level": "gold"}),
            "GET /a",
            B,
        ),
        one("security-added", secured([]), secured([{"token": []}]), "GET /a → security", B),
        one(
            "security-tightened",
            secured([{"token": []}, {"key": []}]),
            secured([{"token": []}]),
            "GET /a → security",
            B,
        ),
        one(
            "security-relaxed",
            secured([{"token": []}]),
            secured([{"token": []}, {"key": []}]),
            "GET /a → security",
            N,
        ),
        one(
            "security-scheme-narrowed",
            secured([{"key": []}]),
            secured([{"key": []}], {**SCHEMES, "key": {**SCHEMES["key"], "name": "X-Other"}}),
            "security scheme key",
            B,
        ),  # fmt: skip
        one(
            "security-scheme-widened",
            secured([{"token": []}], {"token": {"type": "http", "scheme": "bearer", "x-audiences": ["a"]}}),
            secured(
                [{"token": []}], {"token": {"type": "http", "scheme": "bearer", "x-audiences": ["a", "b"]}}
            ),
            "security scheme token",
            N,
        ),  # fmt: skip
        one(
            "security-scheme-removed",
            secured([{"token": []}]),
            secured([{"token": []}], {"token": SCHEMES["token"]}),
            "components.securitySchemes.key",
            N,
        ),
        one(
            "security-scheme-added",
            secured([{"token": []}], {"token": SCHEMES["token"]}),
            secured([{"token": []}]),
            "components.securitySchemes.key",
            N,
        ),
        one(
            "required-parameter-added",
            get_with(),
            get_with(parameters=[query("q", required=True)]),
            "query parameter q",
            B,
        ),
        one("parameter-added", get_with(), get_with(parameters=[query("q")]), "query parameter q", N),
        one("parameter-removed", get_with(parameters=[query("q")]), get_with(), "query parameter q", B),
        one(
            "deprecated-parameter-removed",
            get_with(parameters=[query("q", **dep, **{"x-sunset": past})]),
            get_with(),
            "query parameter q",
            N,
        ),
        one(
            "parameter-removed-before-sunset",
            get_with(parameters=[query("q", **dep, **{"x-sunset": future})]),
            get_with(),
            "query parameter q",
            B,
        ),
        one(
            "parameter-made-required",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", required=True)]),
            "query parameter q",
            B,
        ),
        one(
            "parameter-made-optional",
            get_with(parameters=[query("q", required=True)]),
            get_with(parameters=[query("q")]),
            "query parameter q",
            N,
        ),
        one(
            "parameter-serialization-changed",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", explode=False)]),
            "query parameter q",
            B,
        ),
        one(
            "parameter-media-type-changed",
            get_with(
                parameters=[{"name": "q", "in": "query", "content": {"application/json": {"schema": S}}}]
            ),
            get_with(parameters=[{"name": "q", "in": "query", "content": {"text/plain": {"schema": S}}}]),
            "query parameter q",
            B,
        ),  # fmt: skip
        one(
            "request-body-added-required",
            get_with(),
            get_with(requestBody={"required": True, "content": {"application/json": {"schema": S}}}),
            "GET /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-added",
            get_with(),
            get_with(requestBody={"content": {"application/json": {"schema": S}}}),
            "GET /a → request body",
            N,
        ),
        one(
            "request-body-removed",
            body({"application/json": {"schema": S}}),
            doc({"/a": {"post": {"responses": {"204": {"description": "x"}}}}}),
            "POST /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-made-required",
            body({"application/json": {"schema": S}}, required=False),
            body({"application/json": {"schema": S}}),
            "POST /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-made-optional",
            body({"application/json": {"schema": S}}),
            body({"application/json": {"schema": S}}, required=False),
            "POST /a → request body",
            N,
        ),  # fmt: skip
        Case(
            "media-type-removed",
            body({"application/json": {"schema": S}, "text/plain": {"schema": S}}),
            body({"application/json": {"schema": S}}),
            (("POST /a → request text/plain", B),),
        ),  # fmt: skip
        Case(
            "media-type-added",
            body({"application/json": {"schema": S}}),
            body({"application/json": {"schema": S}, "text/plain": {"schema": S}}),
            (("POST /a → request text/plain", N),),
        ),  # fmt: skip
        Case(
            "media-type-generalized",
            statuses({"200": {"description": "x", "content": {"application/json": {"schema": S}}}}),
            statuses({"200": {"description": "x", "content": {"application/*": {"schema": S}}}}),
            (("response 200 application/json", B),),
        ),  # fmt: skip
        Case(
            "media-type-schema-added",
            body({"application/json": {}}),
            body({"application/json": {"schema": S}}),
            (("POST /a → request application/json", B),),
        ),  # fmt: skip
        Case(
            "media-type-schema-removed",
            statuses({"200": ok(S)}),
            statuses({"200": {"description": "x", "content": {"application/json": {}}}}),
            (("response 200 application/json", B),),
        ),  # fmt: skip
        one(
            "response-success-status-removed",
            statuses({"200": ok(S), "202": ok(S)}),
            statuses({"200": ok(S)}),
            "response 202",
            B,
        ),
        one(
            "response-error-status-removed",
            statuses({"200": ok(S), "404": ok()}),
            statuses({"200": ok(S)}),
            "response 404",
            N,
        ),
        one(
            "success-status-added",
            statuses({"200": ok(S)}),
            statuses({"200": ok(S), "202": ok(S)}),
            "response 202",
            B,
        ),
        one(
            "error-status-added",
            statuses({"200": ok(S)}),
            statuses({"200": ok(S), "429": ok()}),
            "response 429",
            N,
        ),
        one(
            "response-header-removed",
            headers({"Location": {"required": True, "schema": S}}),
            headers({}),
            "header Location",
            B,
        ),
        one(
            "optional-response-header-removed",
            headers({"X-Hint": {"schema": S}}),
            headers({}),
            "header X-Hint",
            N,
        ),
        one(
            "response-header-made-optional",
            headers({"Location": {"required": True, "schema": S}}),
            headers({"Location": {"schema": S}}),
            "header Location",
            B,
        ),  # fmt: skip
        one(
            "response-header-made-required",
            headers({"Location": {"schema": S}}),
            headers({"Location": {"required": True, "schema": S}}),
            "header Location",
            N,
        ),  # fmt: skip
        one("response-header-added", headers({}), headers({"X-New": {"schema": S}}), "header X-New", N),
    ]


def all_cases() -> list[Case]:
    return [*schema_cases(), *document_cases()]


def files(case: Case) -> dict[str, str]:
    def dump(value: Any) -> str:
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True)

    expect = {"rule": case.rule, "expect": [{"where": w, "severity": s} for w, s in case.expect]}
    return {"old.yaml": dump(case.old), "new.yaml": dump(case.new), "expect.yaml": dump(expect)}


def write() -> None:
    for case in all_cases():
        folder = HERE / case.rule
        folder.mkdir(exist_ok=True)
        for name, text in files(case).items():
            (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write()
