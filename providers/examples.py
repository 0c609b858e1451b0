"""Values from schemas: for any operation, parameters and a body its contract says are valid.

A request built to attack an operation's credential must be right in every other way, so values come
from the contract — `example`/`examples`, `const`, `default`, the first `enum` value, else the smallest
value the type, format, length, pattern and range allow; objects carry their required properties, and
an optional request body is left out. What cannot be satisfied (a pattern no simple candidate matches,
an external reference) is `Unavailable`: the suite reports the operation skipped, never passed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from providers.contract import Operation
from providers.results import Skip

_JSON = re.compile(r"^application/(.+\+)?json", re.I)
_FORM = "application/x-www-form-urlencoded"


#: The request (or a credential) cannot be had on this target; the reason says why: a skip.
Unavailable = Skip


def resolve(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow local `$ref`s (`#/components/...`)."""
    while isinstance(node, Mapping) and "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#/") or depth > 30:
            raise Unavailable(f"cannot follow the reference {ref!r}")
        found: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(found, Mapping) or part not in found:
                raise Unavailable(f"dangling reference {ref!r}")
            found = found[part]
        node, depth = found, depth + 1
    return node


def _string(schema: Mapping[str, Any]) -> str:
    fmt = str(schema.get("format", ""))
    by_format: dict[str, str] = {
        "uuid": str(uuid.uuid4()),
        "email": "contractgate@example.com",
        "date-time": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "date": datetime.now(UTC).date().isoformat(),
        "uri": "https://example.com/contractgate",
        "uri-reference": "/contractgate",
        "hostname": "example.com",
        "ipv4": "127.0.0.1",
    }
    low = int(schema.get("minLength", 1))
    high = int(schema.get("maxLength", max(low, 12)))
    candidates = [by_format[fmt]] if fmt in by_format else []
    size = max(low, min(high, 12))
    candidates += ["contractgate"[:size].ljust(size, "x"), "a" * size, "A" * size, "1" * size, "a-" * size]
    pattern = schema.get("pattern")
    for candidate in candidates:
        if not low <= len(candidate) <= high and fmt not in by_format:
            continue
        if pattern is None or re.search(str(pattern), candidate):
            return candidate
    raise Unavailable(f"no example string matches the pattern {pattern!r}")


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    value = 1.0
    if isinstance(schema.get("minimum"), int | float):
        value = max(value, float(schema["minimum"]))
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        value = max(value, float(exclusive) + 1)
    if isinstance(schema.get("maximum"), int | float):
        value = min(value, float(schema["maximum"]))
    return int(value) if integer else value


def example_of(document: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A value valid against `schema` (a JSON Schema of an OpenAPI 3.1 document)."""
    if depth > 12:
        raise Unavailable("the schema nests too deeply for an example")
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping):
        return "contractgate"
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_of(document, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            chosen = next(
                (s for s in schema[key] if resolve(document, s).get("type") != "null"), schema[key][0]
            )
            return example_of(document, chosen, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        properties = schema.get("properties", {}) or {}
        return {
            name: example_of(document, properties.get(name, {}), depth + 1)
            for name in schema.get("required", []) or []
        }
    if kind == "array":
        return [
            example_of(document, schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 0))
        ]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return True
    return None


def _media_example(document: Mapping[str, Any], media: Mapping[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = resolve(document, next(iter(examples.values())))
        if isinstance(first, Mapping) and "value" in first:
            return first["value"]
    return example_of(document, media.get("schema", {}))


def request_body(
    document: Mapping[str, Any], op: Operation
) -> tuple[tuple[tuple[str, str], ...], bytes | None]:
    request_body = op.document.get("requestBody")
    if request_body is None:
        return (), None
    request_body = resolve(document, request_body)
    if not request_body.get("required", False):
        return (), None  # an optional body is left out: the smallest request that is valid
    content = request_body.get("content", {}) or {}
    chosen = next((t for t in content if _JSON.match(t)), None) or (_FORM if _FORM in content else None)
    if chosen is None:
        raise Unavailable(f"cannot build a {' or '.join(content) or 'body'} request body")
    value = _media_example(document, content[chosen] or {})
    if chosen == _FORM:
        if not isinstance(value, Mapping):
            raise Unavailable("a form body needs an object schema")
        return (("Content-Type", _FORM),), urlencode({k: str(v) for k, v in value.items()}).encode()
    return (("Content-Type", chosen),), json.dumps(value).encode()


def parameters_of(document: Mapping[str, Any], op: Operation) -> list[dict[str, Any]]:
    """The operation's parameters, path-item level ones overridden by its own (by name and place)."""
    item = resolve(document, document.get("paths", {}).get(op.path, {}))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters", []) or []), *(op.document.get("parameters", []) or [])]:
        parameter = resolve(document, raw)
        found[(str(parameter.get("name")), str(parameter.get("in")))] = dict(parameter)
    return list(found.values())


def names_resource(document: Mapping[str, Any], parameter: Mapping[str, Any]) -> bool:
    """A path parameter whose value is an identifier (not one of a declared set of values)."""
    schema = resolve(document, parameter.get("schema", {}))
    return parameter.get("in") == "path" and not (
        isinstance(schema, Mapping) and ("enum" in schema or "const" in schema or "example" in parameter)
    )


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)
