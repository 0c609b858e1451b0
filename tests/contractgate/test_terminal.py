"""The terminal: colours only on a terminal, quiet shows failures and the verdict, verbose every result."""

from __future__ import annotations

import io

import pytest

from contractgate.gate import GateOutcome
from contractgate.terminal import TerminalRenderer, use_colour
from providers.results import Result, Verdict

PASSED = Result(
    "fuzz", "backend-service", "GET /v2/threads", "not_a_server_error", "no 5xx", "ok", Verdict.PASS
)
FAILED = Result(
    "tokens",
    "backend-service",
    "GET /v2/threads",
    "alg-none:none:unsigned",
    "refused with 401 (declared)",
    "answered 200",
    Verdict.FAIL,
    reproduction="curl -X GET http://127.0.0.1:1/v2/threads -H 'Authorization: Bearer [REDACTED]'",
)


def render(verbosity: int, colour: bool | None = None) -> str:
    stream = io.StringIO()
    renderer = TerminalRenderer(stream, verbosity=verbosity, colour=colour)
    renderer.suite_started("fuzz")
    renderer.result(PASSED)
    renderer.suite_finished("fuzz", [PASSED], 1.0)
    renderer.suite_started("tokens")
    renderer.result(FAILED)
    renderer.suite_finished("tokens", [FAILED], 1.0)
    renderer.summary(GateOutcome("stubs", ("fuzz", "tokens"), [PASSED, FAILED], 2.0))
    return stream.getvalue()


def test_no_colour_when_not_a_terminal_or_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\033[" not in render(1)
    assert not use_colour(io.StringIO())

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())
    assert "\033[31m" in render(1, colour=True)


def test_normal_output_shows_progress_failures_with_reproduction_and_the_verdict_last() -> None:
    out = render(1)
    assert "▶ fuzz" in out and "■ tokens: 1 fail" in out
    assert "expected: refused with 401 (declared)" in out and "reproduce: curl -X GET" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL  target stubs")
    assert "not_a_server_error" not in out  # passing results are counted, not listed


def test_quiet_shows_only_failures_and_the_verdict() -> None:
    out = render(0)
    assert "▶" not in out and "■" not in out
    assert "alg-none:none:unsigned" in out and out.rstrip().splitlines()[-1].startswith("FAIL")


def test_verbose_lists_every_result() -> None:
    out = render(2)
    assert "PASS backend-service GET /v2/threads · not_a_server_error" in out
