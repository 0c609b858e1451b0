"""Arrays: element schemas position by position (`prefixItems`, then `items`), `contains`, and
`unevaluatedItems`.

Each position of a tuple is compared with the schema that applies to it on either side — a
`prefixItems` entry, else `items`, else anything — so adding a position that accepts what `items`
accepted changes nothing, and `items: false` (a closed tuple) widening to a schema is a widened
position. (`minItems`/`maxItems`/`uniqueItems`/`minContains`/`maxContains` are `constraints`'.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.compat.flatten import FlatSchema
from providers.compat.resolve import Node

if TYPE_CHECKING:
    from providers.compat.schemas import Pair


def _position(schema: FlatSchema, index: int) -> Node | bool | None:
    if index < len(schema.prefix_items):
        return schema.prefix_items[index]
    return schema.items


def _node(value: Node | bool | None, pointer: str) -> Node:
    if isinstance(value, Node):
        return value
    return Node(value is not False, pointer)  # absent and `true` accept anything, `false` nothing


def compare(pair: Pair) -> None:
    o, n = pair.o, pair.n
    arrays = (o.types is None or "array" in o.types) and (n.types is None or "array" in n.types)
    if not arrays:
        return
    length = max(len(o.prefix_items), len(n.prefix_items))
    if len(n.prefix_items) > len(o.prefix_items):
        pair.add("prefix-items-added", f"tuple positions {len(o.prefix_items)} → {len(n.prefix_items)}",
                 old=len(o.prefix_items), new=len(n.prefix_items))  # fmt: skip
    elif len(n.prefix_items) < len(o.prefix_items):
        pair.add("prefix-items-removed", f"tuple positions {len(o.prefix_items)} → {len(n.prefix_items)}",
                 old=len(o.prefix_items), new=len(n.prefix_items))  # fmt: skip
    for index in range(length):
        before, after = _position(o, index), _position(n, index)
        if before is None and after is None:
            continue
        pair.recurse(_node(before, o.pointer), _node(after, n.pointer), f"[{index}]")
    if o.items is not None or n.items is not None:
        pair.recurse(_node(o.items, o.pointer), _node(n.items, n.pointer), "[]")
    if o.contains is not None and n.contains is not None:
        pair.recurse(o.contains, n.contains, "[contains]")
    elif n.contains is not None:
        pair.add("contains-added", "arrays must contain a matching element", new_pointer=n.contains.pointer)
    elif o.contains is not None:
        pair.add(
            "contains-removed",
            "arrays no longer must contain a matching element",
            old_pointer=o.contains.pointer,
        )
    before_u, after_u = o.unevaluated_items, n.unevaluated_items
    # elements past the tuple are unevaluated only where `items` is absent
    if isinstance(before_u, Node) and isinstance(after_u, Node):
        pair.recurse(before_u, after_u, "[unevaluated]")
    elif after_u is False and before_u is not False and n.items is None:
        pair.add("unevaluated-items-refused", "unevaluatedItems: false: elements past the tuple are refused")
    elif before_u is False and after_u is not False and o.items is None:
        pair.add("unevaluated-items-allowed", "unevaluatedItems no longer false")
