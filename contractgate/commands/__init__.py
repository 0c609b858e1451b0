"""One module per `contractgate` subcommand; each exposes `register(commands)`.

`register` adds the subcommand's parser to argparse's subparsers and sets `run` to a function
`(args) -> exit code`. Commands parse and render; the work is done by the core they call.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Subcommands = Any  # argparse's private _SubParsersAction
Command = Callable[[argparse.Namespace], int]

#: The modules whose `register` builds the command line, in help order.
MODULES = (
    "contractgate.commands.gate",
    "contractgate.commands.checks",
    "contractgate.commands.init",
    "contractgate.commands.stubs",
    "contractgate.commands.pacts",
    "contractgate.commands.compat",
    "contractgate.commands.broker",
    "contractgate.commands.config",
    "contractgate.commands.report",
)


def integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse `type`: an integer in [minimum, maximum]; anything else is a usage error (exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value

    return parse


def duration(*, zero: bool) -> Callable[[str], float]:
    """An argparse `type`: a finite number of seconds, greater than 0 (or 0 or more when `zero`)."""
    bound = "0 or more" if zero else "greater than 0"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"must be a number of seconds {bound}, got {text}")
        return value

    return parse


def percent(text: str) -> float:
    """An argparse `type`: a share from 0 to 100 (a trailing % is allowed)."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a percentage from 0 to 100, got {text}")
    return value


#: Seconds to wait for something (a timeout), and a pause that may be none (between retries).
seconds = duration(zero=False)
wait = duration(zero=True)


def http_url(text: str) -> str:
    """An argparse `type`: an http(s) URL with a host."""
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    return text


def one_line(text: str, limit: int = 1000) -> str:
    """A message as one line: whitespace runs (newlines too) become one space, long ones are cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
