"""Comparing two schemas for what it means to a client, in the direction the data travels.

The principle behind every rule: what a client *sends* (`Direction.REQUEST`) may only become more
permissive, what a client *receives* (`Direction.RESPONSE`) may only become more precise. A new
required request property breaks clients, a new required response property does not; a widened
response enum breaks clients, a widened request enum does not. The severity of each kind per
direction is in `model.RULES`.

Properties are matched by name. A property that disappears while another with the very same schema
(annotations aside, `$ref`s as written) appears in the same object is reported once as renamed. In a
request, `readOnly` properties do not count; in a response, `writeOnly` ones do not, so a property
made read-only is one a client can no longer send. `oneOf`/`anyOf` alternatives are matched by the
component they name, then by their discriminator value, then by position when one is left on each
side. Not compared: `not`, `if`/`then`/`else`, `patternProperties`, `prefixItems`,
`dependentSchemas`, `contentSchema`, discriminator mappings.

A recursive schema terminates: a pair of schemas already being compared further up is not compared
again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.compat.model import Change, Direction, make_change
from providers.compat.resolve import (
    LOWER_BOUNDS,
    UPPER_BOUNDS,
    FlatSchema,
    Node,
    Resolver,
    canonical,
    fingerprint,
    ref_name,
)

MAX_DEPTH = 64


@dataclass(frozen=True)
class Where:
    """A location being compared: "GET /x → response 200 application/json" and a field path "body.a"."""

    base: str
    field: str = ""
    sep: str = " → "

    def __str__(self) -> str:
        return f"{self.base}{self.sep}{self.field}" if self.field else self.base

    def prop(self, name: str) -> Where:
        return Where(self.base, f"{self.field}.{name}" if self.field else name, self.sep)

    def items(self) -> Where:
        return Where(self.base, f"{self.field}[]", self.sep)

    def additional(self) -> Where:
        return self.prop("*")

    def variant(self, key: str) -> Where:
        return Where(self.base, f"{self.field}<{key}>", self.sep)


Emit = Callable[[Change], None]


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return " | ".join(sorted(value)) or "null"
    return canonical(value) if not isinstance(value, str) else repr(value)


def _types(types: frozenset[str] | None) -> str:
    return "any" if types is None else _show(types)


def _accepts(types: frozenset[str], value_type: str) -> bool:
    return value_type in types or (value_type == "integer" and "number" in types)


class SchemaComparator:
    def __init__(self, old: Resolver, new: Resolver, emit: Emit) -> None:
        self.old = old
        self.new = new
        self.emit = emit
        self._active: set[tuple[str, str, Direction]] = set()

    def compare(self, old: Node, new: Node, direction: Direction, where: Where) -> None:
        o = self.old.schema(old)
        n = self.new.schema(new)
        key = (o.pointer, n.pointer, direction)
        if key in self._active or len(self._active) >= MAX_DEPTH:
            return
        self._active.add(key)
        try:
            self._compare(old, new, o, n, direction, where)
        finally:
            self._active.discard(key)

    def _change(
        self,
        kind: str,
        direction: Direction,
        where: Where,
        o: FlatSchema,
        n: FlatSchema,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        self.emit(
            make_change(
                kind,
                direction,
                str(where),
                message,
                old=old,
                new=new,
                old_pointer=o.pointer,
                new_pointer=n.pointer,
            )
        )

    def _compare(
        self, old: Node, new: Node, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where
    ) -> None:
        if n.flag("deprecated") and not o.flag("deprecated"):
            self._change("property-deprecated", direction, where, o, n, "marked deprecated")
        if o.nullable != n.nullable:
            kind = "nullable-added" if n.nullable else "nullable-removed"
            text = "may now be null" if n.nullable else "may no longer be null"
            self._change(kind, direction, where, o, n, text, old=o.nullable, new=n.nullable)
        if o.variants or n.variants:
            self._variants(old, new, o, n, direction, where)
            return
        if not self._compare_types(o, n, direction, where):
            return
        self._format(o, n, direction, where)
        self._enum(o, n, direction, where)
        self._constraints(o, n, direction, where)
        self._default(o, n, direction, where)
        if o.types is not None and "object" in o.types or n.types is not None and "object" in n.types:
            self._object(o, n, direction, where)
        if o.items is not None and n.items is not None:
            self.compare(o.items, n.items, direction, where.items())

    # --- scalars ------------------------------------------------------------------------------

    def _compare_types(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> bool:
        """Report a type change; False when the types have nothing in common (stop there)."""
        if o.types == n.types:
            return True
        if o.types is None and o.enum is not None or n.types is None and n.enum is not None:
            return True  # an untyped enum or const: the enum comparison says what changed
        if o.types is None:
            kind = "type-narrowed"
        elif n.types is None:
            kind = "type-widened"
        else:
            widened = all(_accepts(n.types, t) for t in o.types)
            narrowed = all(_accepts(o.types, t) for t in n.types)
            if widened and narrowed:
                return True  # {integer, number} and {number} accept the same
            kind = "type-widened" if widened else "type-narrowed" if narrowed else "type-changed"
        text = f"type {_types(o.types)} → {_types(n.types)}"
        old_value = None if o.types is None else sorted(o.types)
        new_value = None if n.types is None else sorted(n.types)
        self._change(kind, direction, where, o, n, text, old=old_value, new=new_value)
        return kind != "type-changed"

    def _format(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        before, after = o.keywords.get("format"), n.keywords.get("format")
        if before == after:
            return
        if before is None:
            kind, text = "format-added", f"format {after} added"
        elif after is None:
            kind, text = "format-removed", f"format {before} removed"
        else:
            kind, text = "format-changed", f"format {before} → {after}"
        self._change(kind, direction, where, o, n, text, old=before, new=after)

    def _enum(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        if o.enum is None and n.enum is None:
            return
        if o.enum is None:
            text = f"restricted to {_show(list(n.enum or ()))}"
            self._change("enum-added", direction, where, o, n, text, new=list(n.enum or ()))
            return
        if n.enum is None:
            text = f"no longer restricted to {_show(list(o.enum))}"
            self._change("enum-removed", direction, where, o, n, text, old=list(o.enum))
            return
        before = {canonical(v): v for v in o.enum}
        after = {canonical(v): v for v in n.enum}
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        if removed:
            text = f"value(s) {_show(removed)} no longer allowed"
            self._change("enum-value-removed", direction, where, o, n, text, old=removed)
        if added:
            text = f"new value(s) {_show(added)}"
            self._change("enum-value-added", direction, where, o, n, text, new=added)

    def _constraints(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "pattern", "multipleOf", "uniqueItems"):
            before, after = o.keywords.get(keyword), n.keywords.get(keyword)
            if keyword == "uniqueItems":
                before, after = bool(before), bool(after)
            elif keyword.startswith("exclusive"):  # 3.0's `exclusiveMinimum: false` is no bound
                before, after = (None if v is False else v for v in (before, after))
            if before == after:
                continue
            kind = _bound_change(keyword, before, after)
            text = f"{keyword} {_show(before) if before is not None else 'none'} → {_show(after) if after is not None else 'none'}"
            self._change(kind, direction, where, o, n, text, old=before, new=after)

    def _default(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        had, has = "default" in o.keywords, "default" in n.keywords
        before, after = o.keywords.get("default"), n.keywords.get("default")
        if had and (not has or canonical(before) != canonical(after)):
            text = f"default {_show(before)} → {_show(after) if has else 'none'}"
            self._change("default-changed", direction, where, o, n, text, old=before, new=after)
        elif has and not had:
            self._change("default-added", direction, where, o, n, f"default {_show(after)} added", new=after)

    # --- objects ------------------------------------------------------------------------------

    def _visible(self, resolver: Resolver, schema: FlatSchema, direction: Direction) -> dict[str, Node]:
        hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
        return {
            name: node for name, node in schema.properties.items() if not resolver.schema(node).flag(hidden)
        }

    def _object(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        before = self._visible(self.old, o, direction)
        after = self._visible(self.new, n, direction)
        removed = [name for name in before if name not in after]
        added = [name for name in after if name not in before]
        renamed = _renames(removed, added, before, after)
        for name, node in before.items():
            if name in after:
                self._property(name, node, after[name], o, n, direction, where)
        for old_name, new_name in renamed.items():
            po, pn = self.old.schema(before[old_name]), self.new.schema(after[new_name])
            text = f"property {old_name} renamed to {new_name} (same schema)"
            self._change(
                "property-renamed", direction, where.prop(new_name), po, pn, text, old=old_name, new=new_name
            )
            self.compare(before[old_name], after[new_name], direction, where.prop(new_name))
        for name in removed:
            if name not in renamed:
                po = self.old.schema(before[name])
                required = " (was required)" if name in o.required else ""
                text = f"property {name} removed{required}"
                self.emit(
                    make_change(
                        "property-removed",
                        direction,
                        str(where.prop(name)),
                        text,
                        old=name,
                        old_pointer=po.pointer,
                        new_pointer=n.pointer,
                    )
                )
        renamed_to = set(renamed.values())
        for name in added:
            if name in renamed_to:
                continue
            pn = self.new.schema(after[name])
            kind = "required-property-added" if name in n.required else "property-added"
            text = f"{'required ' if name in n.required else ''}property {name} added"
            self.emit(
                make_change(
                    kind,
                    direction,
                    str(where.prop(name)),
                    text,
                    new=name,
                    old_pointer=o.pointer,
                    new_pointer=pn.pointer,
                )
            )
        self._additional(o, n, direction, where)

    def _property(
        self,
        name: str,
        old: Node,
        new: Node,
        o: FlatSchema,
        n: FlatSchema,
        direction: Direction,
        where: Where,
    ) -> None:
        was, now = name in o.required, name in n.required
        if was != now:
            po, pn = self.old.schema(old), self.new.schema(new)
            kind = "property-made-required" if now else "property-made-optional"
            text = f"property {name} {'now required' if now else 'no longer required'}"
            self._change(kind, direction, where.prop(name), po, pn, text, old=was, new=now)
        self.compare(old, new, direction, where.prop(name))

    def _additional(self, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where) -> None:
        def shape(value: Node | bool | None) -> str:
            if value is False:
                return "none"
            return "schema" if isinstance(value, Node) else "any"

        before, after = shape(o.additional), shape(n.additional)
        if before == after == "schema":
            assert isinstance(o.additional, Node) and isinstance(n.additional, Node)
            self.compare(o.additional, n.additional, direction, where.additional())
            return
        kind = {
            ("any", "none"): "additional-properties-narrowed",
            ("any", "schema"): "additional-properties-narrowed",
            ("schema", "none"): "additional-properties-narrowed",
            ("none", "any"): "additional-properties-allowed",
            ("none", "schema"): "additional-properties-allowed",
            ("schema", "any"): "additional-properties-widened",
        }.get((before, after))
        if kind:
            text = f"additional properties: {before} → {after}"
            self._change(kind, direction, where, o, n, text, old=before, new=after)

    # --- alternatives -------------------------------------------------------------------------

    def _variants(
        self, old: Node, new: Node, o: FlatSchema, n: FlatSchema, direction: Direction, where: Where
    ) -> None:
        before = self._keyed(self.old, o.variants or (old,), o.discriminator)
        after = self._keyed(self.new, n.variants or (new,), n.discriminator)
        pairs = [(key, key) for key in before if key in after]
        left_old = [k for k in before if k not in after]
        left_new = [k for k in after if k not in before]
        if len(left_old) == 1 and len(left_new) == 1:
            pairs.append((left_old[0], left_new[0]))
            left_old, left_new = [], []
        for key_old, key_new in pairs:
            self.compare(before[key_old], after[key_new], direction, where.variant(key_new))
        for key in left_old:
            po = self.old.schema(before[key])
            text = f"alternative {key} removed"
            self._change("variant-removed", direction, where, po, n, text, old=key)
        for key in left_new:
            pn = self.new.schema(after[key])
            text = f"alternative {key} added"
            self._change("variant-added", direction, where, o, pn, text, new=key)

    def _keyed(
        self, resolver: Resolver, nodes: tuple[Node, ...], discriminator: str | None
    ) -> dict[str, Node]:
        keyed: dict[str, Node] = {}
        for index, node in enumerate(nodes):
            key = ref_name(node) or resolver.schema(node).name
            if key is None and discriminator:
                prop = resolver.schema(node).properties.get(discriminator)
                values = resolver.schema(prop).enum if prop is not None else None
                if values and len(values) == 1:
                    key = str(values[0])
            key = key or f"#{index}"
            keyed[key if key not in keyed else f"{key}#{index}"] = node
        return keyed


def _bound_change(keyword: str, before: Any, after: Any) -> str:
    """constraint-tightened / -relaxed / -changed for one keyword going from `before` to `after`."""
    if before is None:
        return "constraint-tightened"
    if after is None:
        return "constraint-relaxed"
    if keyword == "pattern":
        return "constraint-changed"
    if isinstance(before, bool) or isinstance(after, bool):  # 3.0 exclusiveMinimum/Maximum
        return "constraint-tightened" if after else "constraint-relaxed"
    if keyword == "multipleOf":
        if after % before == 0:
            return "constraint-tightened"
        return "constraint-relaxed" if before % after == 0 else "constraint-changed"
    if keyword in LOWER_BOUNDS:
        return "constraint-tightened" if after > before else "constraint-relaxed"
    return "constraint-tightened" if after < before else "constraint-relaxed"


def _renames(
    removed: list[str], added: list[str], before: dict[str, Node], after: dict[str, Node]
) -> dict[str, str]:
    """old name → new name for removed/added properties with the same schema, where unambiguous."""
    pairs: dict[str, str] = {}
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for name in removed:
        groups.setdefault(fingerprint(before[name].value), ([], []))[0].append(name)
    for name in added:
        if (key := fingerprint(after[name].value)) in groups:
            groups[key][1].append(name)
    for gone, came in groups.values():
        if len(gone) == 1 and len(came) == 1:
            pairs[gone[0]] = came[0]
            continue

        # several of the same schema: pair names of which one contains the other (run_id → id)
        def related(a: str, b: str) -> bool:
            x, y = a.lower().replace("_", ""), b.lower().replace("_", "")
            return x in y or y in x

        for name in gone:
            matches = [c for c in came if related(name, c)]
            if len(matches) == 1 and [g for g in gone if related(g, matches[0])] == [name]:
                pairs[name] = matches[0]
    return pairs
