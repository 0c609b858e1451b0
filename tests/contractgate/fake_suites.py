"""Suites for testing the gate's scheduling: they record when they run and what they saw."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from providers.errors import TargetUnreachable
from providers.results import Result, Verdict
from providers.suite import Progress, RunContext

LOG: list[tuple[str, str]] = []
_lock = threading.Lock()


def _log(name: str, event: str) -> None:
    with _lock:
        LOG.append((name, event))


def result(suite: str, verdict: Verdict = Verdict.PASS, check: str = "c") -> Result:
    return Result(suite, "svc", "GET /x", check, "e", "o", verdict)


def slow(ctx: RunContext) -> Iterator[Result]:
    _log("slow", "start")
    ctx.emit(Progress("slow", "working"))
    time.sleep(0.3)
    yield result("slow")
    _log("slow", "end")


def quick(ctx: RunContext) -> Iterator[Result]:
    _log("quick", "start")
    yield result("quick")
    yield result("quick", Verdict.SKIPPED, "d")
    _log("quick", "end")


def alone(ctx: RunContext) -> Iterator[Result]:
    _log("alone", "start")
    time.sleep(0.1)
    yield result("alone")
    _log("alone", "end")


def failing(ctx: RunContext) -> Iterator[Result]:
    yield result("failing", Verdict.FAIL)


def crashing(ctx: RunContext) -> Iterator[Result]:
    yield result("crashing")
    raise KeyError("boom")


def unreachable(ctx: RunContext) -> Iterator[Result]:
    yield result("unreachable")
    raise TargetUnreachable("http://127.0.0.1:9/x", "ConnectError")


def skipping(ctx: RunContext) -> Iterator[Result]:
    yield result("skipping", Verdict.SKIPPED)
