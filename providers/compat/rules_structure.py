"""The schema rules about structure: objects, arrays, compositions and the content of strings.

Companion of `rules_schema` (its docstring says what "accepts" means and how severities follow from
effects); section numbers cite JSON Schema 2020-12 core and validation.
"""

from __future__ import annotations

from providers.compat.levels import Effect, Rule, effect

OBJECTS, ARRAYS, COMPOSITION, CONTENT = (
    "schema objects",
    "schema arrays",
    "schema composition",
    "schema content",
)
NARROWS, WIDENS, INCOMPARABLE, NONE = Effect.NARROWS, Effect.WIDENS, Effect.INCOMPARABLE, Effect.NONE

STRUCTURE_RULES: tuple[Rule, ...] = (
    # --- objects ------------------------------------------------------------------------------------
    effect(
        "property-added",
        OBJECTS,
        NONE,
        "an optional property: clients do not send it yet, and clients ignore properties they do not read",
        "new-optional-request-property, response-optional-property-added",
    ),
    effect(
        "required-property-added",
        OBJECTS,
        NARROWS,
        "clients do not send it and are refused (validation §6.5.3); a response only promises more",
        "new-required-request-property, new-required-request-property-with-default, "
        "response-required-property-added, new-required-request-header-property",
    ),
    effect(
        "closed-object-property-added",
        OBJECTS,
        WIDENS,
        "a property added to an object that refused undeclared ones (`additionalProperties: false`): "
        "clients that validate what they read refuse it",
    ),
    effect(
        "property-removed",
        OBJECTS,
        NONE,
        "an optional property: a response never had to carry it; a request still accepts it, undeclared "
        "(the object admits other properties)",
        "request-property-removed, response-optional-property-removed",
    ),
    effect(
        "required-property-removed",
        OBJECTS,
        WIDENS,
        "clients reading it find nothing; a request still accepts it, undeclared",
        "response-required-property-removed",
    ),
    effect(
        "property-refused",
        OBJECTS,
        NARROWS,
        "no longer declared and the object refuses undeclared properties: clients sending it are refused",
        "request-property-removed",
        "oasdiff warns; here the new schema provably refuses what clients send",
    ),
    effect(
        "property-made-required",
        OBJECTS,
        NARROWS,
        "clients that omit it are refused (validation §6.5.3)",
        "request-property-became-required, request-property-became-required-with-default, "
        "response-property-became-required, request-header-property-became-required",
    ),
    effect(
        "property-made-optional",
        OBJECTS,
        WIDENS,
        "clients reading it may find nothing",
        "request-property-became-optional, response-property-became-optional",
    ),
    effect(
        "additional-properties-refused",
        OBJECTS,
        NARROWS,
        "`additionalProperties: false` where a map or `true` was declared: the entries clients send are "
        "refused (core §10.3.2.3)",
    ),
    effect(
        "additional-properties-allowed",
        OBJECTS,
        WIDENS,
        "entries of a declared map where none were allowed (core §10.3.2.3)",
    ),
    effect(
        "additional-properties-declared",
        OBJECTS,
        NONE,
        "undeclared properties stop (or start) being refused where no map was declared: no declared value "
        "changes validity",
    ),
    effect(
        "unevaluated-properties-refused",
        OBJECTS,
        NARROWS,
        "`unevaluatedProperties: false` where declared entries were allowed (core §11.3)",
        "*-unevaluated-properties-added",
    ),
    effect(
        "unevaluated-properties-allowed",
        OBJECTS,
        WIDENS,
        "unevaluated entries allowed where none were (core §11.3)",
        "*-unevaluated-properties-removed",
    ),
    effect(
        "unevaluated-properties-declared",
        OBJECTS,
        NONE,
        "`unevaluatedProperties` added or removed where no entries were declared",
    ),
    effect(
        "dependent-required-added",
        OBJECTS,
        NARROWS,
        "sending one property now requires sending others (validation §6.5.4)",
        "*-dependent-required-added",
    ),
    effect(
        "dependent-required-removed",
        OBJECTS,
        WIDENS,
        "a dependency between properties dropped",
        "*-dependent-required-removed",
    ),
    effect(
        "dependent-required-changed",
        OBJECTS,
        INCOMPARABLE,
        "a dependency replaced by an unrelated one",
        "*-dependent-required-changed",
    ),
    effect(
        "dependent-schema-added",
        OBJECTS,
        NARROWS,
        "sending one property now subjects the object to a schema (core §10.2.2.4)",
        "*-dependent-schema-added",
    ),
    effect(
        "dependent-schema-removed",
        OBJECTS,
        WIDENS,
        "a conditional schema dropped",
        "*-dependent-schema-removed",
    ),
    effect(
        "property-names-added",
        OBJECTS,
        NARROWS,
        "property names must match a schema (core §10.3.2.4)",
        "*-property-names-added",
    ),
    effect(
        "property-names-removed", OBJECTS, WIDENS, "any property name is valid", "*-property-names-removed"
    ),
    effect(
        "pattern-property-added",
        OBJECTS,
        NARROWS,
        "properties whose names match a pattern must match a schema (core §10.3.2.2)",
        "*-pattern-property-added",
    ),
    effect(
        "pattern-property-removed",
        OBJECTS,
        WIDENS,
        "properties matching a pattern are no longer constrained",
        "*-pattern-property-removed",
    ),
    # --- arrays -------------------------------------------------------------------------------------
    effect(
        "prefix-items-added",
        ARRAYS,
        NONE,
        "a tuple position gained (core §10.3.1.1); what it accepts is compared position by position",
        "*-prefix-items-added",
        "oasdiff reports a removed position as breaking whatever it held; here each position's schema is "
        "compared",
    ),
    effect(
        "prefix-items-removed",
        ARRAYS,
        NONE,
        "a tuple position dropped; what it accepts now is compared position by position",
        "*-prefix-items-removed",
    ),
    effect(
        "contains-added",
        ARRAYS,
        NARROWS,
        "arrays must contain a matching element (core §10.3.1.3)",
        "*-contains-added",
    ),
    effect("contains-removed", ARRAYS, WIDENS, "no element has to match any more", "*-contains-removed"),
    effect(
        "unevaluated-items-refused",
        ARRAYS,
        NARROWS,
        "`unevaluatedItems: false`: elements past the evaluated ones are refused (core §11.2)",
        "*-unevaluated-items-added",
    ),
    effect(
        "unevaluated-items-allowed",
        ARRAYS,
        WIDENS,
        "elements past the evaluated ones are allowed",
        "*-unevaluated-items-removed",
    ),
    # --- composition --------------------------------------------------------------------------------
    effect(
        "any-of-variant-added",
        COMPOSITION,
        WIDENS,
        "an alternative clients reading it do not handle (core §10.2.1.2)",
        "request-*-any-of-added, response-*-any-of-added",
    ),
    effect(
        "any-of-variant-removed",
        COMPOSITION,
        NARROWS,
        "clients sending that alternative are refused",
        "request-*-any-of-removed, response-*-any-of-removed",
    ),
    effect(
        "one-of-variant-added",
        COMPOSITION,
        WIDENS,
        "an alternative no value of the others matches (core §10.2.1.3)",
        "request-*-one-of-added, response-*-one-of-added",
    ),
    effect(
        "one-of-variant-added-overlapping",
        COMPOSITION,
        INCOMPARABLE,
        "an alternative that values of another one may also match: `oneOf` refuses a value matching two "
        "(core §10.2.1.3), so values clients send are refused",
        "request-body-wrapped-in-one-of, response-body-wrapped-in-one-of, *-one-of-added",
        "oasdiff reports an added oneOf alternative at INFO in a request; a value matching it and an old "
        "alternative is refused",
    ),
    effect(
        "one-of-variant-removed",
        COMPOSITION,
        NARROWS,
        "clients sending that alternative are refused",
        "request-*-one-of-removed, response-*-one-of-removed",
    ),
    effect(
        "one-of-variant-removed-overlapping",
        COMPOSITION,
        INCOMPARABLE,
        "an alternative removed that values of the remaining ones may also match: values that were refused "
        "for matching two are now valid",
    ),
    effect(
        "one-of-became-any-of",
        COMPOSITION,
        WIDENS,
        "values matching several alternatives, refused by `oneOf`, are valid under `anyOf` (core §10.2.1)",
    ),
    effect(
        "any-of-became-one-of",
        COMPOSITION,
        NARROWS,
        "values matching several alternatives are refused by `oneOf` (core §10.2.1.3)",
    ),
    effect("not-added", COMPOSITION, NARROWS, "values matching a schema are refused (core §10.2.1.4)"),
    effect("not-removed", COMPOSITION, WIDENS, "values once excluded are valid"),
    effect(
        "if-then-else-added",
        COMPOSITION,
        NARROWS,
        "a condition with `then`/`else` applies (core §10.2.2.1-3)",
        "*-if-added, *-then-added, *-else-added",
    ),
    effect(
        "if-then-else-removed",
        COMPOSITION,
        WIDENS,
        "a condition no longer applies",
        "*-if-removed, *-then-removed, *-else-removed",
    ),
    effect(
        "if-changed",
        COMPOSITION,
        INCOMPARABLE,
        "the condition selecting `then` or `else` changed: values move from one branch to the other",
    ),
    effect(
        "then-added", COMPOSITION, NARROWS, "values meeting the condition must match `then`", "*-then-added"
    ),
    effect(
        "then-removed",
        COMPOSITION,
        WIDENS,
        "values meeting the condition are no longer constrained",
        "*-then-removed",
    ),
    effect(
        "else-added", COMPOSITION, NARROWS, "values failing the condition must match `else`", "*-else-added"
    ),
    effect(
        "else-removed",
        COMPOSITION,
        WIDENS,
        "values failing the condition are no longer constrained",
        "*-else-removed",
    ),
    effect(
        "discriminator-changed",
        COMPOSITION,
        NONE,
        "the discriminator is a hint for choosing an alternative (OAS 3.1 Discriminator Object); the "
        "alternatives themselves are compared",
        "*-discriminator-added, *-discriminator-removed, *-discriminator-property-name-changed, "
        "*-discriminator-mapping-added, *-discriminator-mapping-deleted, *-discriminator-mapping-changed",
    ),
    # --- content of strings -------------------------------------------------------------------------
    effect(
        "content-schema-added",
        CONTENT,
        NARROWS,
        "the decoded content of the string must match a schema (validation §8.5)",
        "*-content-schema-added",
    ),
    effect(
        "content-schema-removed",
        CONTENT,
        WIDENS,
        "the decoded content is no longer constrained",
        "*-content-schema-removed",
    ),
    effect(
        "content-media-type-changed",
        CONTENT,
        INCOMPARABLE,
        "the string carries another media type (validation §8.4)",
        "*-content-media-type-changed",
    ),
    effect(
        "content-encoding-changed",
        CONTENT,
        INCOMPARABLE,
        "the string is encoded another way (validation §8.3: base64, …)",
        "*-content-encoding-changed",
    ),
)
