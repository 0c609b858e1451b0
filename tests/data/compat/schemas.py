"""The schema cases of `cases`: one schema edit per rule, in a request body and a response body."""

from __future__ import annotations

from tests.data.compat.cases import B, Case, D, I, N, S, obj, schema_case


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
