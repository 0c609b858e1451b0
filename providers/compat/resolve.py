"""Following `$ref`s inside one OpenAPI document, and the flattened view of a schema the diff compares.

Only local references are followed (`#/components/schemas/Thread`, any JSON pointer into the same
document, `~0`/`~1` and percent escapes decoded): the shipped contracts are self-contained, and a
comparison that silently skipped an external file would let a breaking change through, so an external
or dangling `$ref` is a `ContractError`. A chain of references that never reaches a value
(`A → B → A`, or `allOf` through itself) is one too; a schema that is *recursive* through its
properties or items is fine — the comparison stops when it meets a pair it is already comparing.

`FlatSchema` is what a schema means for a client, with the spelling differences taken out: `$ref`
siblings and `allOf` parts merged into one set of properties/required/constraints, nullability
written any of four ways (`type: [x, "null"]`, 3.0 `nullable: true`, an `enum` with null, a
`oneOf`/`anyOf` branch of type null) reduced to one flag, a `oneOf` of one schema and null unwrapped,
`const` read as a one-value enum. Every sub-schema stays a `Node` with its JSON pointer, so a change
found deep inside can say where it is in either document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from providers.errors import ContractError

#: Keywords that say nothing about which values are valid; ignored when fingerprinting schemas.
ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "summary",
        "example",
        "examples",
        "externalDocs",
        "$comment",
        "xml",
        "deprecated",
    }
)
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
_STRUCTURAL = frozenset(
    {"$ref", "allOf", "oneOf", "anyOf", "properties", "required", "items", "additionalProperties", "type"}
)


@dataclass(frozen=True)
class Node:
    """A value of the document and where it is (a JSON pointer such as `#/paths/~1v2~1threads/get`)."""

    value: Any
    pointer: str

    def child(self, *keys: str | int) -> Node:
        value = self.value
        pointer = self.pointer
        for key in keys:
            if isinstance(value, dict):
                value = value[key]
            elif isinstance(value, list):
                if not isinstance(key, int):  # what `value[key]` raises: a list is indexed by position
                    raise TypeError(f"list indices must be integers or slices, not {type(key).__name__}")
                value = value[key]
            else:
                value = None
            pointer = f"{pointer}/{escape(str(key))}"
        return Node(value, pointer)

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: str) -> str:
    return "#" + "".join(f"/{escape(t)}" for t in tokens)


def ref_name(node: Node) -> str | None:
    """The last segment of a `$ref` the node is, e.g. "Thread" for `#/components/schemas/Thread`."""
    if isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
        return unquote(node.value["$ref"]).rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return None


@dataclass(frozen=True)
class FlatSchema:
    pointer: str
    #: The component the schema was reached through, e.g. "Thread"; names oneOf branches.
    name: str | None = None
    #: Non-structural keywords after merging (format, enum bounds, pattern, default, readOnly, …).
    keywords: dict[str, Any] = field(default_factory=dict)
    #: JSON types other than null; None when unconstrained. Implied by structure when not declared.
    types: frozenset[str] | None = None
    nullable: bool = False
    #: Allowed values other than null (from `enum` or `const`), or None.
    enum: tuple[Any, ...] | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Node | None = None
    #: None when absent (any additional property allowed), else False, True or a schema Node.
    additional: Node | bool | None = None
    #: The non-null alternatives of a oneOf/anyOf with more than one of them.
    variants: tuple[Node, ...] = ()
    discriminator: str | None = None

    def flag(self, keyword: str) -> bool:
        return bool(self.keywords.get(keyword))


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def fingerprint(value: Any) -> str:
    """A schema's text without annotations, `$ref`s kept as written: equal fingerprints, same schema."""

    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in ANNOTATIONS and not k.startswith("x-")}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    return canonical(strip(value))


class Resolver:
    """Resolves references and flattens schemas of one document; `label` names it in errors."""

    def __init__(self, document: dict[str, Any], label: str) -> None:
        self.document = document
        self.label = label
        self.root = Node(document, "#")

    # --- references ---------------------------------------------------------------------------

    def lookup(self, ref: Any, at: str) -> Node:
        if not isinstance(ref, str):
            raise ContractError(f"{self.label}: {at}: $ref must be a string")
        if not ref.startswith("#"):
            raise ContractError(
                f"{self.label}: {at}: external $ref {ref!r} is not supported (documents must be self-contained)"
            )
        fragment = unquote(ref[1:])
        if fragment and not fragment.startswith("/"):
            raise ContractError(f"{self.label}: {at}: $ref {ref!r} is not a JSON pointer")
        value: Any = self.document
        for raw in fragment.split("/")[1:] if fragment else []:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, dict) and token.isdigit() and int(token) in value:
                value = value[int(token)]  # YAML turned `200:` into an int key
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                raise ContractError(f"{self.label}: {at}: $ref {ref!r} points at nothing")
        return Node(value, "#" + "".join(f"/{t}" for t in fragment.split("/")[1:]) if fragment else "#")

    def resolve(self, node: Node) -> Node:
        """Follow a chain of `$ref`s (Reference Objects) to the value it ends at."""
        seen = {node.pointer}
        while isinstance(node.value, dict) and "$ref" in node.value:
            node = self.lookup(node.value["$ref"], node.pointer)
            if node.pointer in seen:
                raise ContractError(f"{self.label}: $ref cycle through {node.pointer}")
            seen.add(node.pointer)
        return node

    # --- schemas ------------------------------------------------------------------------------

    def schema(self, node: Node) -> FlatSchema:
        return self._flatten(node, frozenset())

    def _flatten(self, node: Node, seen: frozenset[str]) -> FlatSchema:
        value = node.value
        if value is True or value is None:
            return FlatSchema(node.pointer)
        if value is False:
            return FlatSchema(node.pointer, types=frozenset())
        if not isinstance(value, dict):
            raise ContractError(f"{self.label}: {node.pointer}: a schema must be an object or a boolean")
        if "$ref" in value:
            target = self.lookup(value["$ref"], node.pointer)
            if target.pointer in seen:
                raise ContractError(f"{self.label}: $ref cycle through {target.pointer}")
            inner = self._flatten(target, seen | {node.pointer, target.pointer})
            inner = replace(inner, name=inner.name or ref_name(node))
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            if not siblings:
                return inner
            # OpenAPI 3.1: keywords beside a $ref apply too (as if both were allOf parts)
            return _merge(
                [inner, self._flatten(Node(siblings, node.pointer), seen)], inner.pointer, inner.name
            )
        if "allOf" in value and isinstance(value["allOf"], list):
            own = {k: v for k, v in value.items() if k != "allOf"}
            parts = [self._flatten(Node(own, node.pointer), seen)]
            for index in range(len(value["allOf"])):
                parts.append(self._flatten(node.child("allOf", index), seen | {node.pointer}))
            flat = _merge(parts, node.pointer, None)
        else:
            flat = self._own(node)
        for keyword in ("oneOf", "anyOf"):
            branches = value.get(keyword)
            if isinstance(branches, list) and branches:
                flat = self._alternatives(flat, node, keyword, seen)
                break
        return flat

    def _own(self, node: Node) -> FlatSchema:
        value: dict[str, Any] = node.value
        declared = value.get("type")
        names = [declared] if isinstance(declared, str) else list(declared or [])
        nullable = "null" in names or value.get("nullable") is True
        types: frozenset[str] | None = frozenset(t for t in names if t != "null") if names else None
        enum: tuple[Any, ...] | None = None
        if "const" in value:
            enum = (value["const"],)
        elif isinstance(value.get("enum"), list):
            enum = tuple(value["enum"])
        if enum is not None:
            nullable = nullable or None in enum
            enum = tuple(v for v in enum if v is not None)
            if not enum and types is None:
                types = frozenset()  # only null
        properties = {str(name): node.child("properties", name) for name in (value.get("properties") or {})}
        if types is None and (properties or "additionalProperties" in value or "required" in value):
            types = frozenset({"object"})
        if types is None and "items" in value:
            types = frozenset({"array"})
        additional = value.get("additionalProperties")
        discriminator = value.get("discriminator")
        return FlatSchema(
            pointer=node.pointer,
            keywords={k: v for k, v in value.items() if k not in _STRUCTURAL and k not in ("enum", "const")},
            types=types,
            nullable=nullable,
            enum=enum,
            properties=properties,
            required=frozenset(str(r) for r in value.get("required") or ()),
            items=node.child("items") if isinstance(value.get("items"), (dict, bool)) else None,
            additional=node.child("additionalProperties") if isinstance(additional, dict) else additional,
            discriminator=discriminator.get("propertyName") if isinstance(discriminator, dict) else None,
        )

    def _alternatives(self, flat: FlatSchema, node: Node, keyword: str, seen: frozenset[str]) -> FlatSchema:
        branches = [node.child(keyword, i) for i in range(len(node.value[keyword]))]
        nulls: list[Node] = []
        others: list[Node] = []
        for branch in branches:
            inner = self._flatten(branch, seen | {node.pointer})
            is_null = inner.types == frozenset() and inner.nullable and not inner.variants
            (nulls if is_null else others).append(branch)
        nullable = flat.nullable or bool(nulls)
        if len(others) == 1:
            # `oneOf: [X, {type: null}]` is X, nullable
            inner = self._flatten(others[0], seen | {node.pointer})
            merged = _merge([replace(flat, types=None, nullable=True), inner], inner.pointer, inner.name)
            return replace(merged, nullable=nullable or merged.nullable)
        return replace(flat, variants=tuple(others), nullable=nullable)


def _merge(parts: list[FlatSchema], pointer: str, name: str | None) -> FlatSchema:
    """allOf semantics, as far as a diff needs them: everything every part requires."""
    keywords: dict[str, Any] = {}
    for part in parts:
        for key, value in part.keywords.items():
            if key not in keywords:
                keywords[key] = value
            elif key in LOWER_BOUNDS and _number(value) and _number(keywords[key]):
                keywords[key] = max(keywords[key], value)
            elif key in UPPER_BOUNDS and _number(value) and _number(keywords[key]):
                keywords[key] = min(keywords[key], value)
    types: frozenset[str] | None = None
    for part in parts:
        if part.types is not None:
            types = part.types if types is None else _intersect(types, part.types)
    typed = [p for p in parts if p.types is not None or p.nullable]
    enum: tuple[Any, ...] | None = None
    for part in parts:
        if part.enum is not None:
            enum = part.enum if enum is None else tuple(v for v in enum if v in part.enum)
    properties: dict[str, Node] = {}
    for part in parts:
        for prop, child in part.properties.items():
            if prop in properties and properties[prop].value != child.value:
                properties[prop] = Node(
                    {"allOf": [properties[prop].value, child.value]}, properties[prop].pointer
                )
            else:
                properties.setdefault(prop, child)
    additional: Node | bool | None = None
    for part in parts:
        if part.additional is False:
            additional = False
        elif isinstance(part.additional, Node) and additional is None:
            additional = part.additional
    items = next((p.items for p in parts if p.items is not None), None)
    variants = next((p.variants for p in parts if p.variants), ())
    return FlatSchema(
        pointer=pointer,
        name=name,
        keywords=keywords,
        types=types,
        nullable=bool(typed) and all(p.nullable for p in typed),
        enum=enum,
        properties=properties,
        required=frozenset().union(*(p.required for p in parts)),
        items=items,
        additional=additional,
        variants=variants,
        discriminator=next((p.discriminator for p in parts if p.discriminator), None),
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _intersect(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    both = set(a & b)
    if "integer" in a and "number" in b or "integer" in b and "number" in a:
        both.add("integer")
    return frozenset(both)
