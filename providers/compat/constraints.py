"""Bounds, patterns, multipleOf and uniqueItems: how much each change narrows or widens.

Numeric bounds are compared as effective bounds — `minimum` and `exclusiveMinimum` together, and for
integers `exclusiveMinimum: 4` is `minimum: 5` — so moving a bound from inclusive to exclusive is one
change with the right effect, not an unset and a set. A pattern that matches every string (`''`,
`.*`, `^.*$`) is no pattern. A pattern is *widened* when the new one is the old one with alternatives
added (`^a$` → `^(a|b)$`); any other change of pattern is incomparable (regular-expression inclusion
is not decided). multipleOf is compared with exact fractions.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from providers.compat.levels import Effect
from providers.compat.rules_schema import BOUND_KEYWORDS

if TYPE_CHECKING:
    from providers.compat.schemas import Pair


class _Checked:
    """The pair, with `add` dropping bound changes no value reaches."""

    def __init__(self, pair: Pair, add: Any) -> None:
        self._pair = pair
        self.add = add

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pair, name)


MATCHES_EVERYTHING = frozenset(
    {"", ".*", "^.*", ".*$", "^.*$", "(.*)", "^(.*)$", "[\\s\\S]*", "^[\\s\\S]*$", "(?s).*"}
)
_SIMPLE = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
)


def _vacuous(pair: Pair, kind: str) -> bool:
    """A length or numeric bound change no value reaches: where the side whose values the change would
    refuse (or newly allow) lists them all in an enum, and every one of them meets both bounds."""
    from providers.compat.composition import admits
    from providers.compat.model import RULES_BY_KIND

    if not kind.startswith(("min-length", "max-length", "min-", "max-", "exclusive-")) or kind.startswith(
        ("min-items", "max-items", "min-properties", "max-properties", "min-contains", "max-contains")
    ):
        return False
    effect = RULES_BY_KIND[kind].effect
    values = pair.o.enum if effect is Effect.NARROWS else pair.n.enum if effect is Effect.WIDENS else None
    if values is None:
        return False
    return all(admits(pair.o, v, enum=False) and admits(pair.n, v, enum=False) for v in values)


def compare(pair: Pair) -> None:
    add = pair.add

    def checked(kind: str, message: str, **details: Any) -> None:
        if not _vacuous(pair, kind):
            add(kind, message, **details)

    pair = _Checked(pair, checked)  # type: ignore[assignment]
    o, n = pair.o.keywords, pair.n.keywords
    for keyword in _SIMPLE:
        before, after = _num(o.get(keyword)), _num(n.get(keyword))
        if before != after:
            _bound(pair, keyword, before, after)
    integer = pair.n.types == frozenset({"integer"}) and pair.o.types == frozenset({"integer"})
    for inclusive, exclusive, lower in (
        ("minimum", "exclusiveMinimum", True),
        ("maximum", "exclusiveMaximum", False),
    ):
        _numeric(pair, inclusive, exclusive, lower, integer)
    _pattern(pair, o.get("pattern"), n.get("pattern"))
    _multiple_of(pair, _num(o.get("multipleOf")), _num(n.get("multipleOf")))
    before_unique, after_unique = bool(o.get("uniqueItems")), bool(n.get("uniqueItems"))
    # with at most one element an array is always unique: the side that allows more decides
    longer = _num((o if after_unique else n).get("maxItems"))
    if before_unique != after_unique and not (longer is not None and longer <= 1):
        kind = "unique-items-set" if after_unique else "unique-items-unset"
        pair.add(kind, f"uniqueItems {before_unique} → {after_unique}", old=before_unique, new=after_unique)
    for keyword, kind in (
        ("contentMediaType", "content-media-type-changed"),
        ("contentEncoding", "content-encoding-changed"),
    ):
        if o.get(keyword) != n.get(keyword):
            pair.add(
                kind,
                f"{keyword} {o.get(keyword)!r} → {n.get(keyword)!r}",
                old=o.get(keyword),
                new=n.get(keyword),
            )


def _num(value: Any) -> Any:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _bound(pair: Pair, keyword: str, before: Any, after: Any) -> None:
    stem, _, lower = BOUND_KEYWORDS[keyword]
    if before is None:
        action = "set"
    elif after is None:
        action = "unset"
    else:
        action = "increased" if after > before else "decreased"
    pair.add(f"{stem}-{action}", f"{keyword} {_text(before)} → {_text(after)}", old=before, new=after)


def _text(value: Any) -> str:
    return "none" if value is None else str(value)


def _effective(
    keywords: dict[str, Any], inclusive: str, exclusive: str, lower: bool, integer: bool
) -> tuple[Any, bool] | None:
    """The tightest bound as (value, exclusive), or None."""
    candidates: list[tuple[Any, bool]] = []
    if _num(keywords.get(inclusive)) is not None:
        candidates.append((keywords[inclusive], False))
    if _num(keywords.get(exclusive)) is not None:
        value = keywords[exclusive]
        if integer:  # for integers an exclusive bound is the next integer, inclusive
            candidates.append((math.floor(value) + 1 if lower else math.ceil(value) - 1, False))
        else:
            candidates.append((value, True))
    if not candidates:
        return None
    if lower:  # the largest value; at equal values the exclusive one is tighter
        return max(candidates, key=lambda c: (c[0], c[1]))
    return min(candidates, key=lambda c: (c[0], not c[1]))


def _numeric(pair: Pair, inclusive: str, exclusive: str, lower: bool, integer: bool) -> None:
    o, n = pair.o.keywords, pair.n.keywords
    before = _effective(o, inclusive, exclusive, lower, integer)
    after = _effective(n, inclusive, exclusive, lower, integer)
    if before == after:
        return
    if before is None or after is None:
        narrows = before is None
    elif before[0] != after[0]:
        narrows = (after[0] > before[0]) == lower
    else:
        narrows = after[1]  # same value, now exclusive
    # name the rule after the keyword that carries the new bound (or carried the old one)
    keyword = exclusive if _num(n.get(exclusive)) is not None and not integer else inclusive
    if after is None:
        keyword = exclusive if _num(o.get(exclusive)) is not None and not integer else inclusive
    stem = BOUND_KEYWORDS[keyword][0]
    if before is None:
        action = "set"
    elif after is None:
        action = "unset"
    else:
        action = (
            ("increased" if lower else "decreased") if narrows else ("decreased" if lower else "increased")
        )
    text = f"{'lower' if lower else 'upper'} bound {_show_bound(before)} → {_show_bound(after)}"
    pair.add(f"{stem}-{action}", text, old=_plain(before), new=_plain(after))


def _show_bound(bound: tuple[Any, bool] | None) -> str:
    if bound is None:
        return "none"
    return f"{bound[0]} ({'exclusive' if bound[1] else 'inclusive'})"


def _plain(bound: tuple[Any, bool] | None) -> Any:
    return None if bound is None else {"value": bound[0], "exclusive": bound[1]}


def _pattern(pair: Pair, before: Any, after: Any) -> None:
    old = None if before is None or before in MATCHES_EVERYTHING else before
    new = None if after is None or after in MATCHES_EVERYTHING else after
    if old == new:
        return
    if old is None:
        kind = "pattern-set"
    elif new is None:
        kind = "pattern-unset"
    elif _generalizes(old, new):
        kind = "pattern-widened"
    else:
        kind = "pattern-changed"
    pair.add(
        kind,
        f"pattern {before!r} → {after!r}" if after is not None else f"pattern {before!r} removed",
        old=before,
        new=after,
    )


def _core(pattern: str) -> str:
    core = pattern
    if core.startswith("^") and core.endswith("$") and not core.endswith("\\$"):
        core = core[1:-1]
    for opening in ("(?:", "("):
        if core.startswith(opening) and core.endswith(")") and _balanced(core[len(opening) : -1]):
            return core[len(opening) : -1]
    return core


def _balanced(text: str) -> bool:
    depth, escaped = 0, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _alternatives(text: str) -> list[str]:
    parts, depth, escaped, current = [], 0, False, ""
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    return [*parts, current]


def _generalizes(old: str, new: str) -> bool:
    """The new pattern is the old one with alternatives added, anchored the same way."""
    anchored = (old.startswith("^"), old.endswith("$"))
    if (new.startswith("^"), new.endswith("$")) != anchored:
        return False
    return _core(old) in _alternatives(_core(new)) and len(_alternatives(_core(new))) > 1


def _multiple_of(pair: Pair, before: Any, after: Any) -> None:
    if before == after:
        return
    if before is None:
        kind = "multiple-of-set"
    elif after is None:
        kind = "multiple-of-unset"
    else:
        old, new = Fraction(str(before)), Fraction(str(after))
        if old and new and (new / old).denominator == 1:
            kind = "multiple-of-narrowed"
        elif old and new and (old / new).denominator == 1:
            kind = "multiple-of-widened"
        else:
            kind = "multiple-of-changed"
    pair.add(kind, f"multipleOf {_text(before)} → {_text(after)}", old=before, new=after)
