"""Comparing two schemas for what it means to a client, in the direction the data travels.

The principle behind every rule: what a client *sends* (`Direction.REQUEST`) may only become more
permissive, what a client *receives* (`Direction.RESPONSE`) may only become more precise — counting
the values a client written against the old document produces, i.e. the properties a schema declares
(see `rules_schema`). In a request `readOnly` properties do not count, in a response `writeOnly` ones
do not, so a property made read-only is one a client no longer sends.

This module holds the walk and the scalar rules (types, formats, null, enums, defaults, deprecation);
`constraints` the bounds and patterns, `objects` properties and maps, `arrays` items and tuples,
`composition` oneOf/anyOf/not/if. A comparison of two subschemas is remembered (by their pointers and
the direction), so a component used by a hundred operations is compared once and its changes reported
at each place (within one body, once, at the first path that reaches it); a recursive schema terminates
because a pair being compared further up is not entered again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from providers.compat import arrays, composition, constraints, objects
from providers.compat.bundle import display_pointer
from providers.compat.flatten import FlatSchema
from providers.compat.lifecycle import stability_kind
from providers.compat.model import Change, Direction, make_change
from providers.compat.resolve import Node, Resolver, canonical
from providers.compat.sameness import Sameness

MAX_DEPTH = 64
FORMAT_WIDENINGS = frozenset({("int32", "int64"), ("float", "double")})


@dataclass(frozen=True)
class Where:
    """A location being compared: "GET /x → response 200 application/json" and a field path "body.a"."""

    base: str
    field: str = ""
    sep: str = " → "

    def __str__(self) -> str:
        return f"{self.base}{self.sep}{self.field}" if self.field else self.base


@dataclass(frozen=True)
class Rel:
    """A change found inside a schema comparison, its field path relative to where the comparison began."""

    kind: str
    direction: Direction
    path: str
    message: str
    old: Any
    new: Any
    old_pointer: str | None
    new_pointer: str | None


def join(base: str, suffix: str) -> str:
    if not base:
        return suffix[1:] if suffix.startswith(".") else suffix
    return base + suffix


Emit = Callable[[Change], None]


def show(value: Any) -> str:
    if isinstance(value, frozenset):
        return " | ".join(sorted(value)) or "nothing"
    return canonical(value) if not isinstance(value, str) else repr(value)


def _types(types: frozenset[str] | None) -> str:
    return "any" if types is None else show(types)


def accepts(types: frozenset[str], value_type: str) -> bool:
    return value_type in types or (value_type == "integer" and "number" in types)


class SchemaComparator:
    def __init__(self, old: Resolver, new: Resolver, emit: Emit, same: Sameness | None = None) -> None:
        self.old = old
        self.new = new
        self.emit = emit
        self.same = same or Sameness(old, new)
        self._active: set[tuple[str, int, str, int, Direction]] = set()
        # key → (old value, new value, changes): the values are kept so their ids cannot be reused
        self._memo: dict[tuple[str, int, str, int, Direction], tuple[Any, Any, list[Rel]]] = {}

    def compare(self, old: Node, new: Node, direction: Direction, where: Where) -> None:
        """Report every change from `old` to `new` (schemas) at `where`."""
        for rel in self.nested(old, new, direction, ""):
            self.emit(
                make_change(
                    rel.kind,
                    rel.direction,
                    str(Where(where.base, join(where.field, rel.path), where.sep)),
                    rel.message,
                    old=rel.old,
                    new=rel.new,
                    old_pointer=display_pointer(rel.old_pointer),
                    new_pointer=display_pointer(rel.new_pointer),
                )
            )

    def nested(self, old: Node, new: Node, direction: Direction, path: str) -> list[Rel]:
        """The changes between two subschemas, their paths prefixed with `path`."""
        old, new = self.old.target(old), self.new.target(new)
        key = (old.pointer, id(old.value), new.pointer, id(new.value), direction)
        memo = self._memo.get(key)
        if memo is None:
            if self.same.same(old, new):
                return []
            if key in self._active or len(self._active) >= MAX_DEPTH:
                return []
            self._active.add(key)
            try:
                found = Pair(self, old, new, direction).run()
            finally:
                self._active.discard(key)
            self._memo[key] = (old.value, new.value, found)
        else:
            found = memo[2]
        if not path:
            return found
        return [
            Rel(r.kind, r.direction, path + r.path, r.message, r.old, r.new, r.old_pointer, r.new_pointer)
            for r in found
        ]


class Pair:
    """One comparison of an old and a new schema; the rule modules add `Rel`s to `found`."""

    def __init__(self, comparator: SchemaComparator, old: Node, new: Node, direction: Direction) -> None:
        self.c = comparator
        self.old_node, self.new_node = old, new
        self.o = comparator.old.schema(old)
        self.n = comparator.new.schema(new)
        self.direction = direction
        self.found: list[Rel] = []

    def add(
        self,
        kind: str,
        message: str,
        *,
        path: str = "",
        old: Any = None,
        new: Any = None,
        old_pointer: str | None = None,
        new_pointer: str | None = None,
        direction: Direction | None = None,
    ) -> None:
        self.found.append(
            Rel(
                kind,
                direction or self.direction,
                path,
                message,
                old,
                new,
                old_pointer or self.o.pointer,
                new_pointer or self.n.pointer,
            )
        )

    def recurse(self, old: Node, new: Node, path: str, direction: Direction | None = None) -> None:
        self.found += self.c.nested(old, new, direction or self.direction, path)

    def run(self) -> list[Rel]:
        o, n = self.o, self.n
        self._lifecycle()
        if o.nullable != n.nullable:
            kind = "nullable-added" if n.nullable else "nullable-removed"
            self.add(
                kind,
                "may now be null" if n.nullable else "may no longer be null",
                old=o.nullable,
                new=n.nullable,
            )
        if composition.compare(self):  # wrapped in or unwrapped from oneOf/anyOf: compared there
            return self._distinct()
        if self._types():
            self._format()
            self._values()
            if not (self.o.enum is not None and self.n.enum is not None):
                constraints.compare(self)  # with an enum on both sides, the values allowed say it all
            objects.compare(self)
            arrays.compare(self)
        composition.compare_rest(self)
        return self._distinct()

    def _distinct(self) -> list[Rel]:
        """Each change once, at the first path that reaches it: a component reachable along many paths
        (a graph of `$ref`s) would otherwise be reported once per path, and their number can grow
        exponentially with the depth of the graph."""
        seen: set[tuple[str, Direction, str | None, str | None, str]] = set()
        distinct = []
        for rel in self.found:
            key = (rel.kind, rel.direction, rel.old_pointer, rel.new_pointer, rel.message)
            if key not in seen:
                seen.add(key)
                distinct.append(rel)
        return distinct

    # --- lifecycle of the schema itself ---------------------------------------------------------

    def _lifecycle(self) -> None:
        o, n = self.o, self.n
        if n.flag("deprecated") and not o.flag("deprecated"):
            self.add("property-deprecated", "marked deprecated")
        elif o.flag("deprecated") and not n.flag("deprecated"):
            self.add("property-undeprecated", "no longer deprecated")
        level = stability_kind(o.keywords.get("x-stability-level"), n.keywords.get("x-stability-level"))
        if level is not None:
            self.add(
                level[0],
                level[1],
                old=o.keywords.get("x-stability-level"),
                new=n.keywords.get("x-stability-level"),
            )
        if n.flag("deprecated"):
            from providers.compat.lifecycle import parse_date, sunset_kinds

            for kind, text in sunset_kinds(
                parse_date(o.keywords.get("x-sunset")), parse_date(n.keywords.get("x-sunset")), True
            ):
                self.add(kind, text, old=o.keywords.get("x-sunset"), new=n.keywords.get("x-sunset"))

    # --- types, formats, values -----------------------------------------------------------------

    def _types(self) -> bool:
        """Report a type change; False when the types have nothing in common (stop there)."""
        o, n = self.o, self.n
        if o.types == n.types:
            return True
        if o.types is None and o.enum is not None or n.types is None and n.enum is not None:
            return True  # an untyped enum or const: the enum comparison says what changed
        if o.types is None:
            kind = "type-narrowed"
        elif n.types is None:
            kind = "type-widened"
        else:
            widened = all(accepts(n.types, t) for t in o.types)
            narrowed = all(accepts(o.types, t) for t in n.types)
            if widened and narrowed:
                return True  # {integer, number} and {number} accept the same
            kind = "type-widened" if widened else "type-narrowed" if narrowed else "type-changed"
        text = f"type {_types(o.types)} → {_types(n.types)}"
        old_value = None if o.types is None else sorted(o.types)
        new_value = None if n.types is None else sorted(n.types)
        self.add(kind, text, old=old_value, new=new_value)
        return kind != "type-changed"

    def _format(self) -> None:
        before, after = self.o.keywords.get("format"), self.n.keywords.get("format")
        if before == after:
            return
        if before is None:
            kind, text = "format-added", f"format {after} added"
        elif after is None:
            kind, text = "format-removed", f"format {before} removed"
        elif (before, after) in FORMAT_WIDENINGS:
            kind, text = "format-widened", f"format {before} → {after}"
        elif (after, before) in FORMAT_WIDENINGS:
            kind, text = "format-narrowed", f"format {before} → {after}"
        else:
            kind, text = "format-changed", f"format {before} → {after}"
        self.add(kind, text, old=before, new=after)

    def _values(self) -> None:
        o, n = self.o, self.n
        if o.enum is not None or n.enum is not None:
            self._enum(o, n)
        old_ext, new_ext = o.keywords.get("x-extensible-enum"), n.keywords.get("x-extensible-enum")
        if isinstance(old_ext, list) and isinstance(new_ext, list):
            removed = [v for v in old_ext if v not in new_ext]
            added = [v for v in new_ext if v not in old_ext]
            if removed:
                self.add(
                    "extensible-enum-value-removed",
                    f"x-extensible-enum value(s) {show(removed)} removed",
                    old=removed,
                )
            if added:
                self.add(
                    "extensible-enum-value-added", f"new x-extensible-enum value(s) {show(added)}", new=added
                )
        had, has = "default" in o.keywords, "default" in n.keywords
        before, after = o.keywords.get("default"), n.keywords.get("default")
        if had and has and canonical(before) != canonical(after):
            self.add("default-changed", f"default {show(before)} → {show(after)}", old=before, new=after)
        elif had and not has:
            self.add("default-removed", f"default {show(before)} removed", old=before)
        elif has and not had:
            self.add("default-added", f"default {show(after)} added", new=after)

    def _enum(self, o: FlatSchema, n: FlatSchema) -> None:
        if o.enum is not None and n.enum is not None:
            # the values each side really allows: its enum less what its other keywords exclude
            o = replace(o, enum=tuple(v for v in o.enum if composition.admits(o, v, enum=False)))
            n = replace(n, enum=tuple(v for v in n.enum if composition.admits(n, v, enum=False)))
        if o.enum is None:
            values = list(n.enum or ())
            if n.const:
                self.add("const-added", f"restricted to {show(values[0]) if values else 'null'}", new=values)
            else:
                self.add("enum-added", f"restricted to {show(values)}", new=values)
            return
        if n.enum is None:
            values = list(o.enum)
            kind = "const-removed" if o.const else "enum-removed"
            self.add(kind, f"no longer restricted to {show(values)}", old=values)
            return
        before = {canonical(v): v for v in o.enum}
        after = {canonical(v): v for v in n.enum}
        removed = [v for k, v in before.items() if k not in after]
        added = [v for k, v in after.items() if k not in before]
        if o.const and n.const and removed and added:
            self.add(
                "const-changed", f"const {show(removed[0])} → {show(added[0])}", old=removed[0], new=added[0]
            )
            return
        if removed:
            self.add("enum-value-removed", f"value(s) {show(removed)} no longer allowed", old=removed)
        if added:
            self.add("enum-value-added", f"new value(s) {show(added)}", new=added)
