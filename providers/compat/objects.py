"""Objects: properties, required names, maps (`additionalProperties`, `unevaluatedProperties`,
`patternProperties`, `propertyNames`) and dependencies (`dependentRequired`, `dependentSchemas`).

What a removed property means depends on the direction and on the object: a client reading a response
misses it only if it was required; a client sending a request is refused only if the new object
refuses undeclared properties (`property-refused`), else the value is accepted undeclared. An
`additionalProperties` keyword matters to clients only where it declares something: `false` after a
declared map (or explicit `true`) refuses entries clients send; `false` where nothing was declared
refuses only what no client was told to send.

Properties are matched by name; a property that disappears while another with the very same schema
appears is named as its likely new name in the message (the severity is that of the removal and the
addition, which is what a client meets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.compat.flatten import FlatSchema, Open
from providers.compat.model import Direction
from providers.compat.resolve import Node, Resolver, fingerprint

if TYPE_CHECKING:
    from providers.compat.schemas import Pair


def _object(schema: FlatSchema) -> bool:
    return schema.types is None or "object" in schema.types


def visible(resolver: Resolver, schema: FlatSchema, direction: Direction) -> dict[str, Node]:
    hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    return {name: node for name, node in schema.properties.items() if not resolver.schema(node).flag(hidden)}


def free_form(schema: FlatSchema) -> bool:
    """`type: object` and nothing else: a map of anything, whose entries clients are told they may send."""
    return not schema.properties and not schema.pattern_properties and schema.additional is None


def closed(schema: FlatSchema, name: str) -> bool:
    """Whether the object refuses a property `name` it does not declare."""
    import re

    for pattern in schema.pattern_properties:
        try:
            if re.search(pattern, name):
                return False
        except re.error:
            return False
    return schema.additional is False or (
        schema.additional is None and schema.unevaluated_properties is False
    )


def compare(pair: Pair) -> None:
    o, n = pair.o, pair.n
    if not (_object(o) and _object(n)):
        return
    if not (o.properties or n.properties or o.required or n.required or o.additional is not None or n.additional is not None
            or o.pattern_properties or n.pattern_properties or o.dependent_required or n.dependent_required
            or o.dependent_schemas or n.dependent_schemas or o.property_names or n.property_names
            or o.unevaluated_properties is not None or n.unevaluated_properties is not None):  # fmt: skip
        return
    _properties(pair)
    # a free-form object declares a map of anything, as `additionalProperties: true` does
    before = True if o.additional is None and free_form(o) else o.additional
    after = True if n.additional is None and free_form(n) else n.additional
    _open(pair, before, after, "additional-properties", ".*")
    _open(pair, o.unevaluated_properties, n.unevaluated_properties, "unevaluated-properties", ".*")
    _patterns(pair)
    _property_names(pair)
    _dependencies(pair)


def _properties(pair: Pair) -> None:
    o, n, direction = pair.o, pair.n, pair.direction
    before = visible(pair.c.old, o, direction)
    after = visible(pair.c.new, n, direction)
    removed = [name for name in before if name not in after]
    added = [name for name in after if name not in before]
    renamed = _renames(removed, added, before, after)
    for name, node in before.items():
        if name not in after:
            continue
        was, now = name in o.required, name in n.required
        if was != now:
            kind = "property-made-required" if now else "property-made-optional"
            pair.add(kind, f"property {name} {'now required' if now else 'no longer required'}", path=f".{name}", old=was, new=now,
                     old_pointer=node.pointer, new_pointer=after[name].pointer)  # fmt: skip
        pair.recurse(node, after[name], f".{name}")
    for name in removed:
        hint = f" (renamed to {renamed[name]}?)" if name in renamed else ""
        was_required = name in o.required
        hidden = name in n.properties  # still declared, now read-only (request) or write-only (response)
        why = f" (now {'read' if direction is Direction.REQUEST else 'write'}-only)" if hidden else ""
        if direction is Direction.REQUEST and not hidden and closed(n, name):
            kind, text = "property-refused", f"property {name} removed and refused{hint}"
        elif was_required:
            kind, text = "required-property-removed", f"property {name} removed (was required){why}{hint}"
        else:
            kind, text = "property-removed", f"property {name} removed{why}{hint}"
        pair.add(
            kind, text, path=f".{name}", old=name, new=renamed.get(name), old_pointer=before[name].pointer
        )
    for name in added:
        required = name in n.required
        if required:
            kind, text = "required-property-added", f"required property {name} added"
        elif direction is Direction.RESPONSE and closed(o, name):
            kind, text = (
                "closed-object-property-added",
                f"property {name} added to an object that refused undeclared ones",
            )
        else:
            kind, text = "property-added", f"property {name} added"
        pair.add(kind, text, path=f".{name}", new=name, new_pointer=after[name].pointer)
    # required names without a property declared here (they refer to properties declared elsewhere)
    declared = set(before) | set(after) | set(o.properties) | set(n.properties)
    for name in sorted((o.required ^ n.required) - declared):
        now = name in n.required
        kind = "property-made-required" if now else "property-made-optional"
        pair.add(
            kind,
            f"property {name} {'now required' if now else 'no longer required'}",
            path=f".{name}",
            old=not now,
            new=now,
        )


def _renames(
    removed: list[str], added: list[str], before: dict[str, Node], after: dict[str, Node]
) -> dict[str, str]:
    """old name → new name for removed/added properties with the same schema, where unambiguous."""
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for name in removed:
        groups.setdefault(fingerprint(before[name].value), ([], []))[0].append(name)
    for name in added:
        if (key := fingerprint(after[name].value)) in groups:
            groups[key][1].append(name)
    pairs: dict[str, str] = {}
    for gone, came in groups.values():
        if len(gone) == 1 and len(came) == 1:
            pairs[gone[0]] = came[0]
            continue
        # several of the same schema: pair names of which one contains the other (run_id → id)
        for name in gone:
            matches = [c for c in came if _related(name, c)]
            if len(matches) == 1 and [g for g in gone if _related(g, matches[0])] == [name]:
                pairs[name] = matches[0]
    return pairs


def _related(a: str, b: str) -> bool:
    x, y = a.lower().replace("_", ""), b.lower().replace("_", "")
    return x in y or y in x


def _shape(value: Open) -> str:
    if value is None:
        return "absent"
    if value is False:
        return "none"
    return "any" if value is True else "schema"


def _open(pair: Pair, before: Open, after: Open, stem: str, path: str) -> None:
    """additionalProperties / unevaluatedProperties: what the object says about undeclared entries."""
    old, new = _shape(before), _shape(after)
    if old == new == "absent" or old == new == "none" or old == new == "any":
        return
    if isinstance(before, Node) and isinstance(after, Node):
        pair.recurse(before, after, f".{{{path}}}")
        return
    if old in ("any", "schema") and new in ("any", "schema"):
        # explicit `true` is a map of anything: compare it as the schema `{}`
        pair.recurse(before if isinstance(before, Node) else Node(True, pair.o.pointer),
                     after if isinstance(after, Node) else Node(True, pair.n.pointer), f".{{{path}}}")  # fmt: skip
        return
    if new == "none" and old in ("any", "schema"):
        kind = f"{stem}-refused"
    elif old == "none" and new in ("any", "schema"):
        kind = f"{stem}-allowed"
    else:
        kind = f"{stem}-declared"
    keyword = "additionalProperties" if stem.startswith("additional") else "unevaluatedProperties"
    pair.add(kind, f"{keyword}: {old} → {new}", old=old, new=new)


def _patterns(pair: Pair) -> None:
    o, n = pair.o.pattern_properties, pair.n.pattern_properties
    for pattern, node in o.items():
        if pattern in n:
            pair.recurse(node, n[pattern], f".{{{pattern}}}")
        else:
            pair.add(
                "pattern-property-removed",
                f"patternProperties {pattern!r} removed",
                old=pattern,
                old_pointer=node.pointer,
            )
    for pattern, node in n.items():
        if pattern not in o:
            pair.add(
                "pattern-property-added",
                f"patternProperties {pattern!r} added",
                new=pattern,
                new_pointer=node.pointer,
            )


def _names_matter(resolver: Resolver, names_schema: Node, values_of: FlatSchema) -> bool:
    """Whether a propertyNames schema refuses a name the values of `values_of` can have: a declared
    property name it does not admit, or any name when a map (`additionalProperties`, patterns) is declared."""
    from providers.compat.composition import admits

    if isinstance(values_of.additional, Node) or values_of.additional is True or values_of.pattern_properties:
        return True
    if free_form(values_of):
        return True
    names = resolver.schema(names_schema)
    return any(not admits(names, name) for name in values_of.properties)


def _property_names(pair: Pair) -> None:
    before, after = pair.o.property_names, pair.n.property_names
    if before is not None and after is not None:
        pair.recurse(before, after, ".{propertyNames}")
    elif after is not None:
        if _names_matter(pair.c.new, after, pair.o):
            pair.add("property-names-added", "property names must match a schema", new_pointer=after.pointer)
    elif before is not None and _names_matter(pair.c.old, before, pair.n):
        pair.add("property-names-removed", "property names no longer constrained", old_pointer=before.pointer)


def _dependencies(pair: Pair) -> None:
    o, n = pair.o, pair.n
    for name in sorted(set(o.dependent_required) | set(n.dependent_required)):
        # what is required anyway needs no dependency
        before = o.dependent_required.get(name, frozenset()) - o.required
        after = n.dependent_required.get(name, frozenset()) - n.required
        if before == after:
            continue
        if before <= after:
            kind = "dependent-required-added"
        elif after <= before:
            kind = "dependent-required-removed"
        else:
            kind = "dependent-required-changed"
        text = f"with {name}: requires {', '.join(sorted(before)) or 'nothing'} → {', '.join(sorted(after)) or 'nothing'}"
        pair.add(kind, text, path=f".{name}", old=sorted(before), new=sorted(after))
    for name in sorted(set(o.dependent_schemas) | set(n.dependent_schemas)):
        before_node, after_node = o.dependent_schemas.get(name), n.dependent_schemas.get(name)
        if before_node is not None and after_node is not None:
            pair.recurse(before_node, after_node, f".{{if {name}}}")
        elif after_node is not None:
            pair.add(
                "dependent-schema-added",
                f"with {name}: the object must match a schema",
                path=f".{name}",
                new_pointer=after_node.pointer,
            )
        elif before_node is not None:
            pair.add(
                "dependent-schema-removed",
                f"with {name}: no schema to match any more",
                path=f".{name}",
                old_pointer=before_node.pointer,
            )
