"""Boundary values every run tries: the edges of the types a server stores its inputs in.

Schemathesis' coverage phase probes the bounds a schema declares (`maximum + 1`, `maxLength + 1`, a
wrong type), deterministically; what a schema leaves unbounded — an integer id with no `maximum`, a
string with no `maxLength` — it reaches only by chance, through Hypothesis. Servers are bounded all
the same: an id past 64 bits overflows the column it is stored in, a 4 KB string a buffer. The
Schemathesis CLI seems to find such a 500 "in 5 runs out of 7" only because its example database
(`.hypothesis/` in the working directory) replays a failure found once in every later run; the gate
keeps no state between runs (a verdict follows from contract, target and seed alone), so it must try
these values on purpose, in every run.

`with_boundaries(document)` returns a copy of an OpenAPI document in which the schema of every path,
query, header and cookie parameter and of every request-body property offers, as JSON Schema
`examples` (an annotation, changing what no validator accepts), the values of a fixed catalogue that
it admits: integers past 31, 32, 53, 63 and 64 bits, floats at the ends of IEEE 754, long and
numeric-looking strings, quotes and non-ASCII text, the nil and the maximal UUID, the first and last
dates. The coverage phase sends each one, one parameter at a time, and the examples and fuzzing phases
mix them in. A value the schema does not admit is never offered: breaking the schema is the negative
phases' job, and a positive request must stay positive. The copy is the gate's own; the contract is
not changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

_INT_EDGES = (0, -1, 2**31, -(2**31) - 1, 2**32, 2**53 + 1, 2**63, -(2**63) - 1, 2**64)
_NUMBER_EDGES = (0, -1, 2**53 + 1, 1.0e308, -1.0e308, 5.0e-324)
#: Text a header can carry (visible Latin-1, no control characters), then text only a URL or a body can.
_HEADER_TEXT = ("0", "-1", "9223372036854775808", "'\"<>%", "a" * 1024, "a" * 4096)
_OTHER_TEXT = ("ünïcödé ✓ 😀",)
_FORMATTED_TEXT: Mapping[str, tuple[str, ...]] = {
    "uuid": ("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
    "date": ("0001-01-01", "9999-12-31"),
    "date-time": ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
}
#: The range Schemathesis gives these formats: a value outside it would not be positive there.
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_PARAMETER_PLACES = ("path", "query", "header", "cookie")
_PRIMITIVES = frozenset({"integer", "number", "string"})
_NOT_FREE = frozenset({"enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not"})
_MAX_DEPTH = 4


def with_boundaries(document: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `document` whose request schemas offer the boundary values they admit."""
    copied: dict[str, Any] = copy.deepcopy(dict(document))
    draft = _draft(copied)
    for place, schema in _request_schemas(copied):
        _offer(copied, schema, draft, header=place in ("header", "cookie"), depth=0)
    return copied


def _draft(document: Mapping[str, Any]) -> type[jsonschema.protocols.Validator]:
    version = str(document.get("openapi", "3.1"))
    # OpenAPI 3.0 schemas keep draft 4's boolean exclusiveMinimum / exclusiveMaximum.
    return jsonschema.Draft4Validator if version.startswith("3.0") else jsonschema.Draft202012Validator


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (`#/components/...`); anything else is returned as it is."""
    for _ in range(_MAX_DEPTH * 2):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return node
            target = target[part]
        node = target
    return node


def _request_schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) for every parameter and request-body schema of every operation."""
    for path_item in (document.get("paths") or {}).values():
        path_item = _resolve(document, path_item)
        if not isinstance(path_item, dict):
            continue
        operations = [op for op in path_item.values() if isinstance(op, dict) and "responses" in op]
        for holder in (path_item, *operations):
            for parameter in holder.get("parameters") or ():
                parameter = _resolve(document, parameter)
                if (
                    isinstance(parameter, dict)
                    and parameter.get("in") in _PARAMETER_PLACES
                    and isinstance(parameter.get("schema"), dict)
                ):
                    yield str(parameter["in"]), parameter["schema"]
        for operation in operations:
            body = _resolve(document, operation.get("requestBody"))
            content = body.get("content") if isinstance(body, dict) else None
            for media in (content or {}).values():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    yield "body", media["schema"]


def _offer(document: dict[str, Any], schema: dict[str, Any], draft: Any, *, header: bool, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if "$ref" in schema:
        target = _resolve(document, schema)
        if target is schema or not isinstance(target, dict):
            return
        if _is_leaf(target) and len(schema) == 1:
            # Inline a shared primitive: its examples then belong to this use alone.
            schema.clear()
            schema.update(copy.deepcopy(target))
        else:
            _offer(document, target, draft, header=header, depth=depth + 1)
            return
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword) or ():
            if isinstance(branch, dict):
                _offer(document, branch, draft, header=header, depth=depth + 1)
    for child in (schema.get("properties") or {}).values():
        if isinstance(child, dict):
            _offer(document, child, draft, header=header, depth=depth + 1)
    if isinstance(schema.get("items"), dict):
        _offer(document, schema["items"], draft, header=header, depth=depth + 1)
    if _is_leaf(schema):
        admitted = [value for value in _candidates(schema, header) if _admits(schema, value, draft)]
        if admitted:
            existing = schema.get("examples")
            kept = list(existing) if isinstance(existing, list) else []
            schema["examples"] = kept + [value for value in admitted if value not in kept]


def _types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type")
    return {declared} if isinstance(declared, str) else set(declared) if isinstance(declared, list) else set()


def _is_leaf(schema: Mapping[str, Any]) -> bool:
    """A primitive with a free value: not an enum, a constant or a composition."""
    return bool(_types(schema) & _PRIMITIVES) and not _NOT_FREE & set(schema)


def _candidates(schema: Mapping[str, Any], header: bool) -> Iterator[Any]:
    types = _types(schema)
    fmt = schema.get("format")
    if "integer" in types:
        yield from _INT_EDGES
    if "number" in types:
        yield from _NUMBER_EDGES
    if "string" in types:
        if isinstance(fmt, str):
            # A formatted string's edges are its format's; free text would not be positive.
            yield from _FORMATTED_TEXT.get(fmt, ())
        else:
            yield from _HEADER_TEXT
            if not header:
                yield from _OTHER_TEXT


def _admits(schema: Mapping[str, Any], value: Any, draft: Any) -> bool:
    bounds = _INT_FORMATS.get(str(schema.get("format")))
    if bounds is not None and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
        return False
    if schema.get("format") == "float" and isinstance(value, float) and abs(value) > 3.4e38:
        return False
    if isinstance(value, str) and isinstance(schema.get("pattern"), str):
        try:
            re.compile(schema["pattern"])
        except re.error:
            return False  # a pattern Python cannot read is one we cannot judge a value by
    bare = {key: item for key, item in schema.items() if key not in ("examples", "example", "default")}
    try:
        return bool(draft(bare).is_valid(value))
    except (jsonschema.SchemaError, TypeError, ValueError, OverflowError):
        return False
