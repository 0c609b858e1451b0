"""Compositions and applicators: `oneOf`/`anyOf` alternatives, `not`, `if`/`then`/`else`, `contentSchema`,
the discriminator.

Alternatives are matched by the component they name, then by their discriminator value, then by
position when one is left on each side. A schema wrapped in a `oneOf`/`anyOf` (or unwrapped from one)
is compared as a composition of one alternative, so the alternative it became is compared with it and
the others are added alternatives. `oneOf` refuses a value that matches two alternatives (core
§10.2.1.3): an alternative added to a `oneOf` breaks what clients send unless no value can match it and
another one — which is decided structurally (`disjoint`: different types, or a required property
whose allowed values differ, as a discriminator gives).

`not` is compared with the direction reversed: what the excluded schema gains, the outer one loses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from providers.compat.flatten import FlatSchema
from providers.compat.resolve import Node, Resolver, canonical, fingerprint, ref_name

if TYPE_CHECKING:
    from providers.compat.schemas import Pair

_COMPOSITION_KEYS = frozenset({"oneOf", "anyOf"})


def disjoint(resolver: Resolver, a: FlatSchema, b: FlatSchema) -> bool:
    """No value can match both (decided structurally; False when unsure)."""
    if a.types is not None and b.types is not None:
        shared = a.types & b.types or (
            {"integer"}
            if {"integer", "number"} <= (a.types | b.types) and ("integer" in a.types or "integer" in b.types)
            else set()
        )
        if not shared and not (a.nullable and b.nullable):
            return True
    if a.enum is not None and b.enum is not None and not (a.nullable and b.nullable):
        if not {canonical(v) for v in a.enum} & {canonical(v) for v in b.enum}:
            return True
    for name in a.required & b.required:
        pa, pb = a.properties.get(name), b.properties.get(name)
        if pa is None or pb is None:
            continue
        if disjoint(resolver, resolver.schema(pa), resolver.schema(pb)):
            return True
    return False


def _base(node: Node, flat: FlatSchema) -> Node | None:
    """The schema beside a composition (its own keywords), or None when it has none that matter."""
    value = node.value
    if not isinstance(value, dict):
        return None
    rest = {k: v for k, v in value.items() if k not in _COMPOSITION_KEYS and k != "discriminator"}
    meaningful = {
        k
        for k in rest
        if k not in ("description", "title", "example", "examples", "$comment") and not k.startswith("x-")
    }
    return Node(rest, node.pointer) if meaningful else None


def _with_base(base: Node | None, variant: Node) -> Node:
    if base is None:
        return variant
    return Node({"allOf": [base.value, variant.value]}, variant.pointer)


def _keyed(resolver: Resolver, nodes: tuple[Node, ...], discriminator: str | None) -> dict[str, Node]:
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


def compare(pair: Pair) -> bool:
    """Wrapping in (or unwrapping from) a composition; True when handled (nothing else to compare)."""
    o, n = pair.o, pair.n
    if bool(o.compositions) == bool(n.compositions):
        return False
    if o.compositions:  # unwrapped: the new schema is one alternative
        kind, variants = o.compositions[0]
        old_keyed = _keyed(
            pair.c.old,
            tuple(_with_base(_base(_resolved(pair.c.old, pair.old_node), o), v) for v in variants),
            o.discriminator,
        )
        new_keyed = {n.name or "#0": pair.new_node}
        _variants(pair, kind, kind, old_keyed, new_keyed)
        _rest_of_compositions(pair, o.compositions[1:], ())
    else:
        kind, variants = n.compositions[0]
        old_keyed = {o.name or "#0": pair.old_node}
        new_keyed = _keyed(
            pair.c.new,
            tuple(_with_base(_base(_resolved(pair.c.new, pair.new_node), n), v) for v in variants),
            n.discriminator,
        )
        _variants(pair, kind, kind, old_keyed, new_keyed)
        _rest_of_compositions(pair, (), n.compositions[1:])
    return True


def _resolved(resolver: Resolver, node: Node) -> Node:
    return resolver.resolve(node) if isinstance(node.value, dict) else node


def _best(old: dict[str, Node], new: dict[str, Node], pair: Pair) -> list[tuple[str, str]]:
    """Pairs of alternatives: same key, else one left on each side, else the same fingerprint."""
    pairs = [(k, k) for k in old if k in new]
    left_old = [k for k in old if k not in new]
    left_new = [k for k in new if k not in old]
    if len(left_old) == 1 and len(left_new) == 1:
        return [*pairs, (left_old[0], left_new[0])]
    for k in list(left_old):
        print_old = fingerprint(old[k].value)
        match = next((m for m in left_new if fingerprint(new[m].value) == print_old), None)
        if match is None and len(left_old) == 1:
            # one old schema wrapped among several new ones: the one sharing its type and most properties
            flat = pair.c.old.schema(old[k])
            scored = sorted(left_new, key=lambda m: -_likeness(flat, pair.c.new.schema(new[m])))
            match = scored[0] if scored and _likeness(flat, pair.c.new.schema(new[scored[0]])) > 0 else None
        if match is not None:
            pairs.append((k, match))
            left_old.remove(k)
            left_new.remove(match)
    return pairs


def _likeness(a: FlatSchema, b: FlatSchema) -> int:
    score = 0
    if a.types == b.types:
        score += 1
    score += 2 * len(set(a.properties) & set(b.properties))
    return score


def _variants(pair: Pair, old_kind: str, new_kind: str, old: dict[str, Node], new: dict[str, Node]) -> None:
    paired = _best(old, new, pair)
    for key_old, key_new in paired:
        pair.recurse(old[key_old], new[key_new], f"<{key_new}>")
    gone = [k for k in old if k not in {a for a, _ in paired}]
    came = [k for k in new if k not in {b for _, b in paired}]
    new_flats = {k: pair.c.new.schema(v) for k, v in new.items()}
    old_flats = {k: pair.c.old.schema(v) for k, v in old.items()}
    for key in came:
        others = [f for k, f in new_flats.items() if k != key]
        if new_kind == "oneOf":
            separate = all(disjoint(pair.c.new, new_flats[key], f) for f in others)
            kind = "one-of-variant-added" if separate else "one-of-variant-added-overlapping"
        else:
            kind = "any-of-variant-added"
        pair.add(kind, f"{new_kind} alternative {key} added", new=key, new_pointer=new[key].pointer)
    for key in gone:
        others = [f for k, f in old_flats.items() if k != key]
        if old_kind == "oneOf":
            separate = all(disjoint(pair.c.old, old_flats[key], f) for f in others)
            kind = "one-of-variant-removed" if separate else "one-of-variant-removed-overlapping"
        else:
            kind = "any-of-variant-removed"
        pair.add(kind, f"{old_kind} alternative {key} removed", old=key, old_pointer=old[key].pointer)
    if old_kind != new_kind and len(old) > 1 and len(new) > 1:
        flats = list(new_flats.values())
        overlapping = any(not disjoint(pair.c.new, a, b) for i, a in enumerate(flats) for b in flats[i + 1 :])
        if overlapping:
            kind = "one-of-became-any-of" if new_kind == "anyOf" else "any-of-became-one-of"
            pair.add(kind, f"{old_kind} → {new_kind}", old=old_kind, new=new_kind)


def _rest_of_compositions(
    pair: Pair, old: tuple[tuple[str, tuple[Node, ...]], ...], new: tuple[tuple[str, tuple[Node, ...]], ...]
) -> None:
    for index in range(max(len(old), len(new))):
        if index < len(old) and index < len(new):
            (old_kind, old_variants), (new_kind, new_variants) = old[index], new[index]
            _variants(pair, old_kind, new_kind, _keyed(pair.c.old, old_variants, pair.o.discriminator),
                      _keyed(pair.c.new, new_variants, pair.n.discriminator))  # fmt: skip
        elif index < len(new):
            kind, variants = new[index]
            pair.add("any-of-variant-added" if kind == "anyOf" else "one-of-variant-added-overlapping",
                     f"a {kind} of {len(variants)} alternatives added", new=kind)  # fmt: skip
        else:
            kind, variants = old[index]
            pair.add("any-of-variant-removed" if kind == "anyOf" else "one-of-variant-removed-overlapping",
                     f"a {kind} of {len(variants)} alternatives removed", old=kind)  # fmt: skip


def compare_rest(pair: Pair) -> None:
    """Compositions on both sides, `not`, conditionals, `contentSchema` and the discriminator."""
    o, n = pair.o, pair.n
    if o.compositions and n.compositions:
        _rest_of_compositions(pair, o.compositions, n.compositions)
    _nots(pair)
    _conditionals(pair)
    if o.content_schema is not None and n.content_schema is not None:
        pair.recurse(o.content_schema, n.content_schema, "{content}")
    elif n.content_schema is not None:
        pair.add(
            "content-schema-added",
            "the decoded content must match a schema",
            new_pointer=n.content_schema.pointer,
        )
    elif o.content_schema is not None:
        pair.add(
            "content-schema-removed",
            "the decoded content is no longer constrained",
            old_pointer=o.content_schema.pointer,
        )
    if (o.discriminator, o.mapping) != (n.discriminator, n.mapping) and (o.compositions or n.compositions):
        pair.add(
            "discriminator-changed", f"discriminator {_disc(o)} → {_disc(n)}", old=_disc(o), new=_disc(n)
        )


def _disc(schema: FlatSchema) -> Any:
    return {"propertyName": schema.discriminator, "mapping": schema.mapping} if schema.discriminator else None


def admits(schema: FlatSchema, value: Any, *, enum: bool = True) -> bool:
    """Whether a scalar value meets the scalar constraints of `schema` (True when unsure)."""
    if value is None:
        return schema.nullable or schema.types is None
    kind = {bool: "boolean", str: "string", int: "integer", float: "number"}.get(type(value))
    if kind is None:
        return True
    if schema.types is not None and not (
        kind in schema.types or kind == "integer" and "number" in schema.types
    ):
        return False
    if enum and schema.enum is not None and canonical(value) not in {canonical(v) for v in schema.enum}:
        return False
    k = schema.keywords
    if isinstance(value, str):
        return not (
            isinstance(k.get("maxLength"), int)
            and len(value) > k["maxLength"]
            or isinstance(k.get("minLength"), int)
            and len(value) < k["minLength"]
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for key, ok in (
            ("minimum", value >= k.get("minimum", value)),
            ("maximum", value <= k.get("maximum", value)),
        ):
            if isinstance(k.get(key), (int, float)) and not ok:
                return False
    return True


def _vacuous(outer: FlatSchema, excluded: FlatSchema) -> bool:
    """A `not` of values none of which the schema admits anyway (`maxLength: 1` and `not: {const: abc}`)."""
    return (
        excluded.enum is not None
        and not excluded.nullable
        and not any(admits(outer, v) for v in excluded.enum)
    )


def _nots(pair: Pair) -> None:
    o, n = pair.o.nots, pair.n.nots
    for index in range(max(len(o), len(n))):
        if index < len(o) and index < len(n):
            pair.recurse(o[index], n[index], "{not}", pair.direction.reversed())
        elif index < len(n):
            if not _vacuous(pair.n, pair.c.new.schema(n[index])):
                pair.add(
                    "not-added", "values matching a schema are now refused", new_pointer=n[index].pointer
                )
        elif not _vacuous(pair.o, pair.c.old.schema(o[index])):
            pair.add("not-removed", "values once excluded are valid", old_pointer=o[index].pointer)


def _implied(resolver: Resolver, outer: FlatSchema, branch: Node | None) -> bool:
    """A `then`/`else` that asks nothing the schema does not already ask (only names it requires)."""
    if branch is None:
        return True
    value = branch.value
    if value is True or value == {}:
        return True
    if not (isinstance(value, dict) and set(value) <= {"required", "description", "title"}):
        return False
    return resolver.schema(branch).required <= outer.required


def _vacuous_conditional(resolver: Resolver, outer: FlatSchema, conditional: Any) -> bool:
    return _implied(resolver, outer, conditional.then) and _implied(resolver, outer, conditional.else_)


def _conditionals(pair: Pair) -> None:
    o, n = pair.o.conditionals, pair.n.conditionals
    for index in range(max(len(o), len(n))):
        if index >= len(o):
            if not _vacuous_conditional(pair.c.new, pair.n, n[index]):
                pair.add(
                    "if-then-else-added",
                    "a condition with then/else applies",
                    new_pointer=n[index].if_.pointer,
                )
            continue
        if index >= len(n):
            if not _vacuous_conditional(pair.c.old, pair.o, o[index]):
                pair.add(
                    "if-then-else-removed",
                    "a condition with then/else no longer applies",
                    old_pointer=o[index].if_.pointer,
                )
            continue
        before, after = o[index], n[index]
        if fingerprint(before.if_.value) != fingerprint(after.if_.value) or _refs_differ(
            pair, before.if_, after.if_
        ):
            pair.add(
                "if-changed",
                "the condition selecting then/else changed",
                old_pointer=before.if_.pointer,
                new_pointer=after.if_.pointer,
            )
            continue
        for slot, old_branch, new_branch in (
            ("then", before.then, after.then),
            ("else", before.else_, after.else_),
        ):
            if old_branch is not None and new_branch is not None:
                pair.recurse(old_branch, new_branch, f"{{{slot}}}")
            elif new_branch is not None:
                pair.add(
                    f"{slot}-added",
                    f"values {'meeting' if slot == 'then' else 'failing'} the condition must match {slot}",
                    new_pointer=new_branch.pointer,
                )
            elif old_branch is not None:
                pair.add(f"{slot}-removed", f"{slot} removed", old_pointer=old_branch.pointer)


def _refs_differ(pair: Pair, old: Node, new: Node) -> bool:
    """A condition written the same way but through references whose targets changed."""
    if "$ref" not in fingerprint(old.value):
        return False
    return bool(pair.c.nested(old, new, pair.direction, ""))
