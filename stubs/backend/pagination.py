"""The two pagination styles the backend speaks: v2's opaque cursors and v1's page numbers.

A v2 cursor names a position in the store's single ordering (every record has a `position` from one
counter): the next page holds the records after it. It is the 8-byte big-endian position in unpadded
base64url, so every string the contract's `Cursor` pattern (`^[A-Za-z0-9_-]{11}$`) admits decodes to
some position. That is deliberate: a fuzzer's well-formed cursor must be a valid request (it may
point past the end, which is an empty last page), while anything else is refused with 422 before a
handler runs, so "an invalid cursor is a 422" and "valid input is accepted" hold together.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from stubs.problems import Problem

T = TypeVar("T")

_POSITION_BYTES = 8


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(position.to_bytes(_POSITION_BYTES, "big")).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> int:
    """The position a cursor names, or a 422 naming `query/cursor` (the contract's pattern runs first)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != _POSITION_BYTES:
        raise Problem(
            422,
            "the request does not match the contract",
            kind="validation-failed",
            errors=[{"location": "query/cursor", "message": "not a cursor this service issued"}],
        )
    return int.from_bytes(raw, "big")


def cursor_page(
    items: Sequence[T], position: Callable[[T], int], *, limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """The items after the cursor (all of them are ordered by position), and the next cursor or None."""
    after = decode_cursor(cursor) if cursor is not None else 0
    rest = [item for item in items if position(item) > after]
    page = rest[:limit]
    more = len(rest) > limit
    return page, (encode_cursor(position(page[-1])) if more and page else None)


def number_page(items: Sequence[T], *, page: int, per_page: int) -> list[T]:
    """Page `page` (from 1) of `per_page` items; past the end it is empty."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])
