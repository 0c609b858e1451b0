"""JSON Schema validators made once from a contract document, with its `$ref`s inlined.

The stubs validate every request body, parameter and WebSocket frame against their contracts. A
validator built on `{"$ref": "…#/components/…"}` resolves each reference through the registry on every
validation, which costs more than checking a small message itself (a `ping` frame: about 100 µs
with references, 25 µs inlined; a thread's JSON body: about 57 µs). The contracts' schemas are trees,
so each one is inlined once when the stub starts. A schema that refers to itself or identifies its
parts (`$id`, `$anchor`, `$dynamicRef`) keeps the registry-backed validator: same answers, slower.

Only schema positions are rewritten; data (`const`, `enum`, `default`, `example(s)`) is left as it is.
Under draft 7 the siblings of a `$ref` are ignored, as that draft says; from 2019-09 on they apply
beside it (`allOf`).
"""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry

_DATA = frozenset({"const", "enum", "default", "example", "examples"})
_IDENTIFIERS = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef"})


class _Keep(Exception):
    """This schema cannot be inlined: validate through the registry."""


def _inline(node: Any, resolver: Any, trail: frozenset[str], siblings_apply: bool) -> Any:
    if isinstance(node, list):
        return [_inline(item, resolver, trail, siblings_apply) for item in node]
    if not isinstance(node, dict):
        return node
    if _IDENTIFIERS & node.keys():
        raise _Keep
    ref = node.get("$ref")
    if ref is None:
        return {
            key: value if key in _DATA else _inline(value, resolver, trail, siblings_apply)
            for key, value in node.items()
        }
    if not isinstance(ref, str) or not ref.startswith("#") or ref in trail:
        raise _Keep  # another document, or a recursive schema
    target = _inline(resolver.lookup(ref).contents, resolver, trail | {ref}, siblings_apply)
    rest = {key: value for key, value in node.items() if key != "$ref"}
    if not rest or not siblings_apply:
        return target
    return {"allOf": [target], **_inline(rest, resolver, trail, siblings_apply)}


def compiled_validator(
    cls: type[jsonschema.protocols.Validator], registry: Registry, uri: str, pointer: str
) -> jsonschema.protocols.Validator:
    """A validator (with format checks) of the schema at `uri#pointer`, references inlined if possible."""
    reference = {"$ref": f"{uri}#{pointer}"}
    format_checker = cls.FORMAT_CHECKER
    try:
        schema = _inline(
            registry.resolver(uri).lookup(f"#{pointer}").contents,
            registry.resolver(uri),
            frozenset({f"#{pointer}"}),
            siblings_apply=cls is not jsonschema.Draft7Validator,
        )
    except _Keep:
        return cls(reference, registry=registry, format_checker=format_checker)
    return cls(schema, format_checker=format_checker)
