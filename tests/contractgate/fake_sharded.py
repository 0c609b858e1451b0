"""Suites for testing shards: each names its units of work through `ctx.share` like the real ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import contractgate.gate as gate
from contractgate.gate import GatePlan, run_gate
from contractgate.reports import write_reports
from providers.errors import TargetUnreachable
from providers.results import Result, Verdict
from providers.shards import Shard
from providers.suite import RunContext, RunOptions
from providers.target import ServiceTarget, Target

OPERATIONS = [f"GET /things/{n}" for n in range(7)]


def _checks(suite: str, op: str, failing: str | None = None) -> Iterator[Result]:
    for check in ("status", "schema"):
        verdict = Verdict.FAIL if op == failing and check == "schema" else Verdict.PASS
        yield Result(suite, "svc", op, check, "as declared", "as observed", verdict)


def operations(ctx: RunContext) -> Iterator[Result]:
    """Two checks per operation, one operation a unit, and one skip for the whole suite."""
    share = ctx.share("operations", {op: 1.0 + n % 3 for n, op in enumerate(OPERATIONS)} | {"summary": 1.0})
    for op in share.each(OPERATIONS, lambda op: op):
        yield from _checks("operations", op)
    if share.owns("summary"):
        yield Result("operations", "svc", "-", "summary", "judged", "not judged here", Verdict.SKIPPED)


def flawed(ctx: RunContext) -> Iterator[Result]:
    """Like `operations`, but the target breaks the schema of one operation."""
    share = ctx.share("flawed", OPERATIONS)
    for op in share.each(OPERATIONS, lambda op: op):
        yield from _checks("flawed", op, failing=OPERATIONS[4])


def channel(ctx: RunContext) -> Iterator[Result]:
    """One unit: everything it judges belongs together."""
    if ctx.owns("channel", "channel"):
        yield Result("channel", "ws", "ws /x", "seq-order", "in order", "in order", Verdict.PASS)


def down(ctx: RunContext) -> Iterator[Result]:
    """The target goes down while this shard works on its share."""
    share = ctx.share("down", OPERATIONS)
    for op in share.each(OPERATIONS, lambda op: op):
        yield from _checks("down", op)
        if op == OPERATIONS[2]:
            raise TargetUnreachable("http://127.0.0.1:9/things", "ConnectError")


def unseen(ctx: RunContext) -> Iterator[Result]:
    """Nothing of it can run on the target: a skip per operation."""
    share = ctx.share("unseen", OPERATIONS)
    for op in share.each(OPERATIONS, lambda op: op):
        yield Result("unseen", "svc", op, "status", "as declared", "set svc.url", Verdict.SKIPPED)


NAMES = ("operations", "flawed", "channel", "down", "unseen")
TARGET = Target("t", {"svc": ServiceTarget("svc", "http://127.0.0.1:9")}, live=False)


def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate knows these suites (and only these) for the test."""
    monkeypatch.setattr(gate, "SUITES", {name: f"{__name__}:{name}" for name in NAMES})


def run_shards(folder: Path, suites: tuple[str, ...], total: int, **options: Any) -> list[Path]:
    """Shards 1..total of the suites, each one's reports in folder/shard-K; returns the directories."""
    directories = []
    for index in range(1, total + 1):
        plan = GatePlan(target=TARGET, suites=suites, options=RunOptions(**options), shard=Shard(index, total))
        directory = folder / f"shard-{index}"
        write_reports(run_gate(plan), directory, environ={})
        directories.append(directory)
    return directories
