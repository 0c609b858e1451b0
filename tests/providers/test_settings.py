"""Typed settings: one parser reads every suite's settings dataclass — keys, types, ranges, docs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pytest

from providers.errors import ConfigError
from providers.settings import describe, docs_of, keys_of, parse, suggestion


@dataclass(frozen=True)
class Sample:
    """A sample table."""

    #: Seconds to wait.
    timeout: float = 10.0
    #: Attempts before giving up.
    attempts: int = 3
    #: Pause between attempts (zero is fine).
    retry_delay: float = 1.0
    names: tuple[str, ...] | None = None
    pairs: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    mode: Literal["fast", "slow"] = "fast"
    since: date | None = None
    folder: Path | None = None
    #: Given in code only.
    clock: Callable[[], float] = time.time
    level: int = field(default=5, metadata={"minimum": 2})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timout": 1}, "sample.timout: unknown key (did you mean timeout?)"),
        ({"timeout": "soon"}, "sample.timeout: must be a number greater than 0, got a string"),
        ({"timeout": 0}, "sample.timeout: must be greater than 0, got 0"),
        ({"timeout": float("nan")}, "sample.timeout: must be a finite number, got nan"),
        ({"attempts": 0}, "sample.attempts: must be at least 1, got 0"),
        ({"attempts": 1.5}, "sample.attempts: must be an integer of at least 1, got 1.5"),
        ({"attempts": True}, "sample.attempts: must be an integer of at least 1, got true"),
        ({"retry_delay": -1}, "sample.retry_delay: must be at least 0, got -1"),
        ({"names": "a,b"}, "sample.names: must be a list of strings, got a string"),
        ({"names": ["a", 2]}, "sample.names[1]: must be a string, got 2"),
        ({"pairs": {"x": ["a"]}}, "sample.pairs.x: must be a list [a string, a string], got a list of 1"),
        ({"mode": "quick"}, "sample.mode: unknown value 'quick' (known: fast, slow)"),
        ({"since": "yesterday"}, "sample.since: must be a date (YYYY-MM-DD), got a string"),
        ({"level": 1}, "sample.level: must be at least 2, got 1"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(Sample, options, "sample")
    assert str(caught.value) == message


def test_values_are_converted_to_the_declared_types() -> None:
    parsed = parse(
        Sample,
        {
            "timeout": 2,
            "names": ["a"],
            "pairs": {"x": ["a", "b"]},
            "since": "2025-01-02",
            "folder": "f",
            "retry_delay": 0,
        },
        "sample",
    )
    assert parsed.timeout == 2.0 and isinstance(parsed.timeout, float)
    assert parsed.names == ("a",) and parsed.pairs == {"x": ("a", "b")}
    assert parsed.since == date(2025, 1, 2) and parsed.folder == Path("f") and parsed.retry_delay == 0


def test_what_only_code_can_give_is_an_unknown_key_in_a_file() -> None:
    assert parse(Sample, {"clock": lambda: 1.0}, "sample").clock() == 1.0
    with pytest.raises(ConfigError, match="^f.toml: sample.clock: unknown key"):
        parse(Sample, {"clock": "now"}, "f.toml: sample", runtime=False)
    assert "clock" not in {key.name for key in keys_of(Sample)}


def test_a_file_top_level_has_no_dot_before_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(Sample, {"timeout": -1}, "f.toml: ")
    assert str(caught.value) == "f.toml: timeout: must be greater than 0, got -1"


def test_keys_carry_type_default_and_doc() -> None:
    keys = {key.name: key for key in keys_of(Sample)}
    assert (describe(keys["timeout"].hint), keys["timeout"].default, keys["timeout"].doc) == (
        "a number",
        10.0,
        "Seconds to wait.",
    )
    assert describe(keys["pairs"].hint) == "a table of lists [a string, a string]"
    assert docs_of(Sample)["retry_delay"] == "Pause between attempts (zero is fine)."
    assert suggestion("tokenz", ["tokens", "fuzz"]) == " (did you mean tokens?)"
    assert suggestion("zzz", ["tokens", "fuzz"]) == " (known: fuzz, tokens)"
