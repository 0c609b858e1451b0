"""Deprecation, sunset and stability: reading them from a description, and what a change to them means.

An item (operation, parameter, property) is *deprecated* when it says `deprecated: true` or, for an
operation, when a response declares the `Deprecation` header (RFC 9745). Its *sunset* — the date until
which it keeps working — is `x-sunset` on the item, or for an operation the `Sunset` response header
(RFC 8594) with a documented value (`schema.const`, `schema.default`, a single `enum` value, or an
`example`). Dates are RFC 3339 dates or date-times, or RFC 9110 HTTP-dates; the RFC 9745 structured
date (`@1688169599`) is read too. Stability is `x-stability-level`: draft < alpha < beta < stable.

Removing a deprecated item is allowed once its sunset has passed (or when it announced none); removing
it before is breaking, and so is a sunset that moved earlier, disappeared while the item stays
deprecated, or cannot be read. "Today" is the comparison's date (`compare(..., today=)`), so tests and
CI reruns are reproducible.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")
SUNSET_HEADER, DEPRECATION_HEADER = "sunset", "deprecation"


class Invalid:
    """A sunset value that is present but not a date."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Invalid({self.text!r})"


Sunset = date | Invalid | None
_STRUCTURED_DATE = re.compile(r"^@(-?\d+)$")


def parse_date(value: Any) -> Sunset:
    """A sunset or deprecation date as written in a description; None when absent."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if match := _STRUCTURED_DATE.match(text):
        return datetime.fromtimestamp(int(match.group(1)), UTC).date()
    try:
        return (
            date.fromisoformat(text[:10])
            if len(text) == 10
            else datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        )
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return Invalid(text)


def header_value(header: Any) -> Any:
    """The documented value of a header object (`schema.const`/`default`/one `enum` value, `example`)."""
    if not isinstance(header, dict):
        return None
    schema = header.get("schema")
    if isinstance(schema, dict):
        for key in ("const", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
            return schema["enum"][0]
        if "example" in schema:
            return schema["example"]
    return header.get("example")


def stability(value: Any) -> str | Invalid | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return text if text in STABILITY_LEVELS else Invalid(str(value))


def stability_kind(before: Any, after: Any) -> tuple[str, str] | None:
    """(kind, message) for a change of `x-stability-level`, or None."""
    old, new = stability(before), stability(after)
    if isinstance(new, Invalid) and (not isinstance(old, Invalid) or old.text != new.text):
        return (
            "stability-invalid",
            f"x-stability-level {new.text!r} is not one of {', '.join(STABILITY_LEVELS)}",
        )
    if isinstance(old, str) and isinstance(new, str) and old != new:
        kind = (
            "stability-decreased"
            if STABILITY_LEVELS.index(new) < STABILITY_LEVELS.index(old)
            else "stability-increased"
        )
        return kind, f"x-stability-level {old} → {new}"
    if isinstance(old, str) and new is None and old != "stable":
        return None  # no level is read as stable: an increase nobody needs told about
    return None


def sunset_kinds(before: Sunset, after: Sunset, deprecated_now: bool) -> list[tuple[str, str]]:
    """(kind, message) for the sunset of an item kept in both documents."""
    if isinstance(after, Invalid):
        if not (isinstance(before, Invalid) and before.text == after.text):
            return [("sunset-invalid", f"sunset {after.text!r} is not a date")]
        return []
    if before is None or isinstance(before, Invalid):
        return []
    if after is None:
        return (
            [("sunset-removed", f"sunset {before.isoformat()} removed, still deprecated")]
            if deprecated_now
            else []
        )
    if after < before:
        return [("sunset-moved-earlier", f"sunset {before.isoformat()} → {after.isoformat()}")]
    if after > before:
        return [("sunset-postponed", f"sunset {before.isoformat()} → {after.isoformat()}")]
    return []


def removal_kind(
    deprecated: bool, sunset: Sunset, today: date, *, plain: str, deprecated_kind: str, early: str
) -> tuple[str, str]:
    """(kind, message) for an item removed from the description."""
    if not deprecated:
        return plain, "removed without being deprecated first"
    if isinstance(sunset, Invalid):
        return (
            "sunset-invalid",
            f"removed; it was deprecated with a sunset that is not a date ({sunset.text!r})",
        )
    if sunset is not None and sunset > today:
        return early, f"removed before its sunset {sunset.isoformat()}"
    when = f" and its sunset {sunset.isoformat()} passed" if sunset is not None else ""
    return deprecated_kind, f"removed after it was deprecated{when}"
