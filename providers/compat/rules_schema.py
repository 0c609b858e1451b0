"""The rules about schemas: JSON Schema 2020-12 (and OpenAPI 3.0's subset), keyword by keyword.

This module holds the rules about values (types, formats, null, enums, defaults, bounds, patterns);
`rules_structure` those about objects, arrays, compositions and string content; `SCHEMA_RULES` is both.

Every rule here has an `Effect` on the set of values the schema accepts; its severities follow from
the effect and the direction (`model.Effect.severities`). Section numbers cite JSON Schema 2020-12:
"core" is draft-bhutton-json-schema-01, "validation" draft-bhutton-json-schema-validation-01.

What "accepts" means: the values a client written against the document produces — the properties a
schema declares, never undeclared ones. So an optional property added to a request is harmless (no
client sends it yet), and a property removed from an open request object too (the value is still
accepted, now undeclared). The oracle test (`tests/providers/compat/test_oracle.py`) holds every
rule to that definition with generated values and `jsonschema`.
"""

from __future__ import annotations

from providers.compat.levels import Effect, Rule, effect
from providers.compat.rules_structure import STRUCTURE_RULES

TYPES, VALUES, BOUNDS = "schema types", "schema values", "schema constraints"
OBJECTS, ARRAYS, COMPOSITION, CONTENT = (
    "schema objects",
    "schema arrays",
    "schema composition",
    "schema content",
)
NARROWS, WIDENS, INCOMPARABLE, NONE = Effect.NARROWS, Effect.WIDENS, Effect.INCOMPARABLE, Effect.NONE

#: keyword → (rule stem, validation section, True for a lower bound)
BOUND_KEYWORDS: dict[str, tuple[str, str, bool]] = {
    "minLength": ("min-length", "§6.3.2", True),
    "maxLength": ("max-length", "§6.3.1", False),
    "minimum": ("min", "§6.2.4", True),
    "maximum": ("max", "§6.2.2", False),
    "exclusiveMinimum": ("exclusive-min", "§6.2.5", True),
    "exclusiveMaximum": ("exclusive-max", "§6.2.3", False),
    "minItems": ("min-items", "§6.4.2", True),
    "maxItems": ("max-items", "§6.4.1", False),
    "minProperties": ("min-properties", "§6.5.2", True),
    "maxProperties": ("max-properties", "§6.5.1", False),
    "minContains": ("min-contains", "§6.4.5", True),
    "maxContains": ("max-contains", "§6.4.4", False),
}


def _bound_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for keyword, (stem, section, lower) in BOUND_KEYWORDS.items():
        tighter, looser = ("increased", "decreased") if lower else ("decreased", "increased")
        oasdiff = f"request-*-{stem}-{{set,{tighter},{looser}}}, response-*-{stem}-{{unset,{looser}}}"
        rules += [
            effect(
                f"{stem}-set",
                BOUNDS,
                NARROWS,
                f"`{keyword}` where there was none (validation {section})",
                oasdiff,
            ),
            effect(f"{stem}-unset", BOUNDS, WIDENS, f"`{keyword}` removed (validation {section})", oasdiff),
            effect(
                f"{stem}-{tighter}", BOUNDS, NARROWS, f"`{keyword}` tightened (validation {section})", oasdiff
            ),
            effect(
                f"{stem}-{looser}", BOUNDS, WIDENS, f"`{keyword}` relaxed (validation {section})", oasdiff
            ),
        ]
    return tuple(rules)


VALUE_RULES: tuple[Rule, ...] = (
    # --- types, formats, null -----------------------------------------------------------------------
    effect(
        "type-changed",
        TYPES,
        INCOMPARABLE,
        "values of the old type are refused, values of the new one were (validation §6.1.1)",
        "request-*-type-changed, response-*-type-changed",
        "oasdiff warns for a property of a parameter; any type change refuses what clients send",
    ),
    effect(
        "type-widened",
        TYPES,
        WIDENS,
        "more types accepted (`integer` → `number`, a type added to a list) (validation §6.1.1)",
        "*-type-generalized, *-list-of-types-widened",
    ),
    effect(
        "type-narrowed",
        TYPES,
        NARROWS,
        "fewer types accepted (`number` → `integer`, a type dropped from a list) (validation §6.1.1)",
        "*-type-specialized, *-list-of-types-narrowed",
    ),
    effect(
        "format-added",
        TYPES,
        NARROWS,
        "a format where there was none: a server that asserts formats refuses other strings (validation §7)",
        "*-type-changed (format set)",
    ),
    effect(
        "format-removed",
        TYPES,
        WIDENS,
        "any string of the type is now valid (validation §7)",
        "*-type-generalized",
    ),
    effect(
        "format-changed",
        TYPES,
        INCOMPARABLE,
        "values are written in another format (validation §7)",
        "*-type-changed (format changed)",
    ),
    effect(
        "format-widened",
        TYPES,
        WIDENS,
        "a wider format of the same type (int32 → int64, float → double; OAS 3.1 Data Types)",
        "*-type-generalized",
    ),
    effect(
        "format-narrowed",
        TYPES,
        NARROWS,
        "a narrower format of the same type (int64 → int32)",
        "*-type-specialized",
    ),
    effect(
        "nullable-added",
        TYPES,
        WIDENS,
        "null becomes valid (`type: [x, null]`, 3.0 `nullable`, an enum with null, a oneOf with null)",
        "*-became-nullable",
    ),
    effect("nullable-removed", TYPES, NARROWS, "null is no longer valid", "*-became-not-nullable"),
    # --- values: enum, const, vendor enums, defaults -------------------------------------------------
    effect(
        "enum-value-added",
        VALUES,
        WIDENS,
        "a value clients reading it do not handle (validation §6.1.2)",
        "request-*-enum-value-added, response-property-enum-value-added",
        "oasdiff warns for a response; a client switching over the values meets one it does not know",
    ),
    effect(
        "enum-value-removed",
        VALUES,
        NARROWS,
        "clients sending that value are refused (validation §6.1.2)",
        "request-*-enum-value-removed, response-*-enum-value-removed",
    ),
    effect(
        "enum-added", VALUES, NARROWS, "restricted to a list of values (validation §6.1.2)", "*-became-enum"
    ),
    effect("enum-removed", VALUES, WIDENS, "no longer restricted to a list of values", "*-became-not-enum"),
    effect("const-added", VALUES, NARROWS, "restricted to one value (validation §6.1.3)", "*-const-added"),
    effect("const-removed", VALUES, WIDENS, "no longer restricted to one value", "*-const-removed"),
    effect("const-changed", VALUES, INCOMPARABLE, "the one value allowed is another", "*-const-changed"),
    effect(
        "extensible-enum-value-removed",
        VALUES,
        NARROWS,
        "`x-extensible-enum` lists the values a server takes today: clients sending a removed one are refused",
        "request-parameter-x-extensible-enum-value-removed, request-property-x-extensible-enum-value-removed",
    ),
    effect(
        "extensible-enum-value-added",
        VALUES,
        NONE,
        "`x-extensible-enum` tells clients to expect values they do not know: a new one is part of the deal",
    ),
    effect(
        "default-added",
        VALUES,
        NONE,
        "an annotation (validation §9.2): no value becomes valid or invalid",
        "*-default-value-added",
    ),
    effect(
        "default-removed",
        VALUES,
        NONE,
        "an annotation (validation §9.2): no value becomes valid or invalid",
        "*-default-value-removed",
    ),
    effect(
        "default-changed",
        VALUES,
        NONE,
        "an annotation (validation §9.2): no value becomes valid or invalid; clients that omit the value "
        "may see other behaviour, which the message names for review",
        "*-default-value-changed",
    ),
    # --- constraints --------------------------------------------------------------------------------
    *_bound_rules(),
    effect(
        "pattern-set", BOUNDS, NARROWS, "strings must match a pattern (validation §6.3.3)", "*-pattern-added"
    ),
    effect(
        "pattern-unset",
        BOUNDS,
        WIDENS,
        "any string is valid again — also when the new pattern matches everything (`''`, `.*`)",
        "*-pattern-removed",
    ),
    effect(
        "pattern-widened",
        BOUNDS,
        WIDENS,
        "the new pattern provably matches every string the old one did (an alternative added)",
        "*-pattern-generalized",
    ),
    effect(
        "pattern-changed",
        BOUNDS,
        INCOMPARABLE,
        "another pattern: strings matching the old one may not match it (regular-expression inclusion is not "
        "decided, so the change is treated as refusing them)",
        "*-pattern-changed",
        "oasdiff warns; an unknown change to what is valid is not let through",
    ),
    effect(
        "multiple-of-set",
        BOUNDS,
        NARROWS,
        "numbers must be a multiple (validation §6.2.1)",
        "*-multiple-of-set",
    ),
    effect("multiple-of-unset", BOUNDS, WIDENS, "no multiple required any more", "*-multiple-of-unset"),
    effect(
        "multiple-of-narrowed",
        BOUNDS,
        NARROWS,
        "a multiple of the old factor (2 → 4): fewer numbers are valid",
        "response-*-multiple-of-specialized",
    ),
    effect(
        "multiple-of-widened",
        BOUNDS,
        WIDENS,
        "a divisor of the old factor (4 → 2): more numbers are valid",
        "request-*-multiple-of-generalized",
    ),
    effect(
        "multiple-of-changed", BOUNDS, INCOMPARABLE, "an unrelated factor (2 → 3)", "*-multiple-of-changed"
    ),
    effect(
        "unique-items-set",
        BOUNDS,
        NARROWS,
        "arrays with duplicates are refused (validation §6.4.3)",
        "*-unique-items-set",
    ),
    effect("unique-items-unset", BOUNDS, WIDENS, "arrays may hold duplicates", "*-unique-items-unset"),
)


SCHEMA_RULES: tuple[Rule, ...] = VALUE_RULES + STRUCTURE_RULES
