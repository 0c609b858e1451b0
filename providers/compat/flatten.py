"""What a schema means for a client, with the spelling differences taken out (`FlatSchema`).

`$ref` siblings and `allOf` parts are merged into one set of properties, required names, bounds and
subschemas (the tighter bound wins; conditionals, `not`s and compositions accumulate). Nullability
written any of five ways (`type: [x, "null"]`, 3.0 `nullable: true`, Swagger's `x-nullable`, an `enum`
with null, a `oneOf`/`anyOf` branch of type null) is one flag, and a `oneOf` of one schema and null is
that schema, nullable. `const` is a one-value enum. OpenAPI 3.0's boolean `exclusiveMinimum` with
`minimum` becomes 2020-12's numeric form, draft-04 `items: [..]` and `additionalItems` become
`prefixItems` and `items`, `dependencies` becomes `dependentRequired`/`dependentSchemas`, and the old
`required: true` written on a property makes it required in its object. Every subschema stays a `Node`
with its JSON pointer, so a change found deep inside says where it is in either document.

A keyword of the wrong type (`properties: []`, `type: 5`, `required: "a"`) is a `ContractError` naming
the file and the pointer of the keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from providers.compat.resolve import Node, Resolver, ref_name, type_name

JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
_SUBSCHEMA_KEYS = ("not", "if", "then", "else", "contains", "propertyNames", "contentSchema")
_STRUCTURAL = frozenset(
    {
        "$ref", "$defs", "definitions", "allOf", "oneOf", "anyOf", "not", "if", "then", "else", "properties",
        "patternProperties", "additionalProperties", "unevaluatedProperties", "propertyNames", "required",
        "dependentRequired", "dependentSchemas", "dependencies", "items", "prefixItems", "additionalItems",
        "contains", "unevaluatedItems", "type", "enum", "const", "nullable", "x-nullable", "contentSchema",
        "discriminator",
    }
)  # fmt: skip

#: An "open" keyword like additionalProperties: None (absent), True (explicit `true`/`{}`), False, or a schema.
Open = Node | bool | None


@dataclass(frozen=True)
class Conditional:
    if_: Node
    then: Node | None
    else_: Node | None


@dataclass(frozen=True)
class FlatSchema:
    pointer: str
    #: The component the schema was reached through, e.g. "Thread"; names oneOf branches.
    name: str | None = None
    #: Non-structural keywords after merging (format, bounds, pattern, default, readOnly, x-…).
    keywords: dict[str, Any] = field(default_factory=dict)
    #: JSON types other than null; None when unconstrained. Implied by structure when not declared.
    types: frozenset[str] | None = None
    nullable: bool = False
    #: Allowed values other than null (from `enum` or `const`), or None; `const` says which keyword.
    enum: tuple[Any, ...] | None = None
    const: bool = False
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: Open = None
    unevaluated_properties: Open = None
    pattern_properties: dict[str, Node] = field(default_factory=dict)
    property_names: Node | None = None
    dependent_required: dict[str, frozenset[str]] = field(default_factory=dict)
    dependent_schemas: dict[str, Node] = field(default_factory=dict)
    #: Elements past `prefix_items`: None (any), False (none), or a schema.
    items: Node | bool | None = None
    prefix_items: tuple[Node, ...] = ()
    contains: Node | None = None
    unevaluated_items: Open = None
    #: ("oneOf" | "anyOf", the non-null alternatives) for each composition with more than one of them.
    compositions: tuple[tuple[str, tuple[Node, ...]], ...] = ()
    nots: tuple[Node, ...] = ()
    conditionals: tuple[Conditional, ...] = ()
    content_schema: Node | None = None
    discriminator: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)

    def flag(self, keyword: str) -> bool:
        return bool(self.keywords.get(keyword))

    @property
    def variants(self) -> tuple[Node, ...]:
        return self.compositions[0][1] if self.compositions else ()


def flatten(resolver: Resolver, node: Node) -> FlatSchema:
    return _Flattener(resolver).flatten(node, frozenset())


class _Flattener:
    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver

    def flatten(self, node: Node, seen: frozenset[str]) -> FlatSchema:
        value = node.value
        if value is True or value is None:
            return FlatSchema(node.pointer)
        if value is False:
            return FlatSchema(node.pointer, types=frozenset())
        if not isinstance(value, dict):
            raise self.r.error(
                node.pointer, f"a schema must be a mapping or a boolean, found {type_name(value)}"
            )
        if "$ref" in value:
            target = self.r.lookup(value["$ref"], node.pointer)
            if target.pointer in seen:
                raise self.r.error(target.pointer, "$ref cycle (a schema that is only itself)")
            inner = self.r.schema(target)  # cached: a component is flattened once, however often used
            inner = replace(inner, name=inner.name or ref_name(node))
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            if not siblings or all(k in _ANNOTATION_ONLY or k.startswith("x-") for k in siblings):
                return inner
            # OpenAPI 3.1: keywords beside a $ref apply too (as if both were allOf parts)
            beside = self.flatten(Node(siblings, node.pointer), seen)
            return merge([inner, beside], inner.pointer, inner.name)
        if "allOf" in value:
            parts_node = self._list(node, "allOf")
            own = {k: v for k, v in value.items() if k != "allOf"}
            parts = [self.own(Node(own, node.pointer))]
            for index in range(len(parts_node.value)):
                parts.append(self.flatten(node.child("allOf", index), seen | {node.pointer}))
            flat = merge(parts, node.pointer, None)
        else:
            flat = self.own(node)
        for keyword in ("oneOf", "anyOf"):
            if keyword in value:
                flat = self._alternatives(flat, node, keyword, seen)
        return flat

    # --- one schema object --------------------------------------------------------------------

    def _list(self, node: Node, key: str) -> Node:
        child = node.child(key)
        if not isinstance(child.value, list):
            raise self.r.error(child.pointer, f"{key} must be a list, found {type_name(child.value)}")
        return child

    def _map(self, node: Node, key: str) -> Node | None:
        if key not in node.value:
            return None
        child = node.child(key)
        if not isinstance(child.value, dict):
            raise self.r.error(child.pointer, f"{key} must be a mapping, found {type_name(child.value)}")
        return child

    def _sub(self, node: Node, key: str) -> Node | None:
        if key not in node.value:
            return None
        child = node.child(key)
        if not isinstance(child.value, (dict, bool)):
            raise self.r.error(
                child.pointer,
                f"{key} must be a schema (a mapping or a boolean), found {type_name(child.value)}",
            )
        return child

    def _open(self, node: Node, key: str) -> Open:
        child = self._sub(node, key)
        if child is None:
            return None
        if isinstance(child.value, bool):
            return child.value
        return True if child.value == {} else child

    def _types(self, node: Node) -> tuple[frozenset[str] | None, bool]:
        declared = node.value.get("type")
        if declared is None:
            return None, False
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not all(isinstance(t, str) and t in JSON_TYPES for t in names):
            where = node.child("type").pointer
            raise self.r.error(
                where,
                f"type must be one of {', '.join(sorted(JSON_TYPES))} or a list of them, found {declared!r}",
            )
        return frozenset(t for t in names if t != "null"), "null" in names

    def own(self, node: Node) -> FlatSchema:
        value: dict[str, Any] = node.value
        types, nullable = self._types(node)
        nullable = nullable or value.get("nullable") is True or value.get("x-nullable") is True
        enum: tuple[Any, ...] | None = None
        if "const" in value:
            enum = (value["const"],)
        elif "enum" in value:
            enum = tuple(self._list(node, "enum").value)
        if enum is not None:
            # null is valid only if both the enum and the type allow it (an untyped enum says it alone)
            nullable = None in enum and (nullable or value.get("type") is None)
            enum = tuple(v for v in enum if v is not None)
            if not enum and types is None:
                types = frozenset()  # only null
        properties: dict[str, Node] = {}
        required: set[str] = set()
        props = self._map(node, "properties")
        if props is not None:
            for name, schema in props.value.items():
                child = props.child(name)
                if not isinstance(schema, (dict, bool)):
                    raise self.r.error(
                        child.pointer,
                        f"a property schema must be a mapping or a boolean, found {type_name(schema)}",
                    )
                properties[str(name)] = child
                if isinstance(schema, dict) and schema.get("required") is True:
                    required.add(str(name))  # the draft-03 spelling, still found in real documents
        if "required" in value and not isinstance(value["required"], bool):
            names = value["required"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise self.r.error(
                    node.child("required").pointer,
                    f"required must be a list of property names, found {names!r}"[:200],
                )
            required.update(names)
        additional = self._open(node, "additionalProperties")
        pattern_props = self._map(node, "patternProperties")
        dependent_required: dict[str, frozenset[str]] = {}
        dependent_schemas: dict[str, Node] = {}
        for key in ("dependencies", "dependentRequired", "dependentSchemas"):
            deps = self._map(node, key)
            if deps is None:
                continue
            for name, dep in deps.value.items():
                if (
                    isinstance(dep, list)
                    and all(isinstance(d, str) for d in dep)
                    and key != "dependentSchemas"
                ):
                    dependent_required[str(name)] = frozenset(dep)
                elif isinstance(dep, (dict, bool)) and key != "dependentRequired":
                    dependent_schemas[str(name)] = deps.child(name)
                else:
                    raise self.r.error(
                        deps.child(name).pointer, f"a {key} entry must be a list of names or a schema"
                    )
        items: Node | bool | None = None
        prefix: tuple[Node, ...] = ()
        raw_items = value.get("items")
        if isinstance(raw_items, list):  # draft-04 tuple: items[] and additionalItems
            prefix = tuple(node.child("items", i) for i in range(len(raw_items)))
            items = self._open(node, "additionalItems")
        else:
            items = self._open(node, "items")
            if "prefixItems" in value:
                listed = self._list(node, "prefixItems")
                prefix = tuple(listed.child(i) for i in range(len(listed.value)))
        if types is None and (properties or additional is not None or required or pattern_props):
            types = frozenset({"object"})
        if types is None and (items is not None or prefix):
            types = frozenset({"array"})
        subs = {key: self._sub(node, key) for key in _SUBSCHEMA_KEYS}
        conditionals: tuple[Conditional, ...] = ()
        if subs["if"] is not None and (subs["then"] is not None or subs["else"] is not None):
            conditionals = (Conditional(subs["if"], subs["then"], subs["else"]),)
        discriminator = value.get("discriminator")
        keywords = {k: v for k, v in value.items() if k not in _STRUCTURAL}
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf"):
            bound = keywords.get(keyword)
            if (
                bound is not None
                and not _number(bound)
                and not (keyword.startswith("exclusive") and isinstance(bound, bool))
            ):
                raise self.r.error(
                    node.child(keyword).pointer, f"{keyword} must be a number, found {bound!r}"[:200]
                )
        for keyword in ("pattern", "format"):
            if keyword in keywords and not isinstance(keywords[keyword], str):
                raise self.r.error(
                    node.child(keyword).pointer,
                    f"{keyword} must be a string, found {type_name(keywords[keyword])}",
                )
        _exclusive_30(keywords)
        return FlatSchema(
            pointer=node.pointer,
            keywords=keywords,
            types=types,
            nullable=nullable,
            enum=enum,
            const="const" in value,
            properties=properties,
            required=frozenset(required),
            additional=additional,
            unevaluated_properties=self._open(node, "unevaluatedProperties"),
            pattern_properties={str(k): pattern_props.child(k) for k in pattern_props.value}
            if pattern_props
            else {},
            property_names=subs["propertyNames"],
            dependent_required=dependent_required,
            dependent_schemas=dependent_schemas,
            items=items,
            prefix_items=prefix,
            contains=subs["contains"],
            unevaluated_items=self._open(node, "unevaluatedItems"),
            nots=(subs["not"],) if subs["not"] is not None else (),
            conditionals=conditionals,
            content_schema=subs["contentSchema"],
            discriminator=discriminator.get("propertyName") if isinstance(discriminator, dict) else None,
            mapping={str(k): str(v) for k, v in (discriminator.get("mapping") or {}).items()}
            if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict)
            else {},
        )

    def _alternatives(self, flat: FlatSchema, node: Node, keyword: str, seen: frozenset[str]) -> FlatSchema:
        listed = self._list(node, keyword)
        branches = [listed.child(i) for i in range(len(listed.value))]
        nulls: list[Node] = []
        others: list[Node] = []
        for branch in branches:
            inner = self.flatten(branch, seen | {node.pointer})
            is_null = inner.types == frozenset() and inner.nullable and not inner.compositions
            (nulls if is_null else others).append(branch)
        nullable = flat.nullable or bool(nulls)
        if len(others) == 1:
            # `oneOf: [X, {type: null}]` is X, nullable
            inner = self.flatten(others[0], seen | {node.pointer})
            merged = merge([replace(flat, types=None, nullable=True), inner], inner.pointer, inner.name)
            return replace(merged, nullable=nullable or merged.nullable)
        if not others:
            return replace(flat, nullable=nullable)
        return replace(flat, compositions=(*flat.compositions, (keyword, tuple(others))), nullable=nullable)


_ANNOTATION_ONLY = frozenset(
    {"description", "title", "summary", "example", "examples", "$comment", "deprecated", "externalDocs"}
)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _exclusive_30(keywords: dict[str, Any]) -> None:
    """OpenAPI 3.0's `minimum: 5, exclusiveMinimum: true` is 2020-12's `exclusiveMinimum: 5`."""
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = keywords.get(exclusive)
        if isinstance(flag, bool):
            if flag and _number(keywords.get(bound)):
                keywords[exclusive] = keywords.pop(bound)
            else:
                del keywords[exclusive]


def merge(parts: list[FlatSchema], pointer: str, name: str | None) -> FlatSchema:
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
    return FlatSchema(
        pointer=pointer,
        name=name,
        keywords=keywords,
        types=types,
        nullable=bool(typed) and all(p.nullable for p in typed),
        enum=enum,
        const=any(p.const for p in parts),
        properties=properties,
        required=frozenset().union(*(p.required for p in parts)),
        additional=_merge_open([p.additional for p in parts]),
        unevaluated_properties=_merge_open([p.unevaluated_properties for p in parts]),
        pattern_properties={k: v for p in parts for k, v in p.pattern_properties.items()},
        property_names=next((p.property_names for p in parts if p.property_names is not None), None),
        dependent_required={k: v for p in parts for k, v in p.dependent_required.items()},
        dependent_schemas={k: v for p in parts for k, v in p.dependent_schemas.items()},
        items=_merge_open([p.items for p in parts]),
        prefix_items=next((p.prefix_items for p in parts if p.prefix_items), ()),
        contains=next((p.contains for p in parts if p.contains is not None), None),
        unevaluated_items=_merge_open([p.unevaluated_items for p in parts]),
        compositions=tuple(c for p in parts for c in p.compositions),
        nots=tuple(n for p in parts for n in p.nots),
        conditionals=tuple(c for p in parts for c in p.conditionals),
        content_schema=next((p.content_schema for p in parts if p.content_schema is not None), None),
        discriminator=next((p.discriminator for p in parts if p.discriminator), None),
        mapping={k: v for p in parts for k, v in p.mapping.items()},
    )


def _merge_open(values: list[Open]) -> Open:
    """The most restrictive: False, else the first schema, else explicit True, else absent."""
    if any(v is False for v in values):
        return False
    schema = next((v for v in values if isinstance(v, Node)), None)
    if schema is not None:
        return schema
    return True if any(v is True for v in values) else None


def _intersect(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    both = set(a & b)
    if "integer" in a and "number" in b or "integer" in b and "number" in a:
        both.add("integer")
    return frozenset(both)
