"""How a run looks in a terminal: progress per suite while it runs, a compact summary at the end.

Colours only on a terminal (and never with NO_COLOR); `--quiet` prints the verdict line and failures
only, `--verbose` prints every result. Everything shown has already been redacted by the suites.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from contractgate.gate import GateOutcome
from contractgate.reports.model import skip_reason
from providers.results import Result, Verdict, counts
from providers.suite import Progress

_COLOURS = {
    Verdict.PASS: "\033[32m",
    Verdict.FAIL: "\033[31m",
    Verdict.ERROR: "\033[35m",
    Verdict.SKIPPED: "\033[33m",
}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class TerminalRenderer:
    def __init__(
        self, stream: TextIO | None = None, *, verbosity: int = 1, colour: bool | None = None
    ) -> None:
        self.stream = stream or sys.stdout
        self.verbosity = verbosity  # 0 quiet, 1 normal, 2 verbose
        self.colour = use_colour(self.stream) if colour is None else colour

    def _paint(self, text: str, verdict: Verdict | None = None, *, bold: bool = False) -> str:
        if not self.colour:
            return text
        prefix = (_BOLD if bold else "") + (_COLOURS[verdict] if verdict else "")
        return f"{prefix}{text}{_RESET}" if prefix else text

    def _print(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    # Suites run concurrently: every line names its suite.

    def suite_started(self, suite: str) -> None:
        if self.verbosity >= 1:
            self._print(self._paint(f"▶ {suite}", bold=True))

    def progress(self, progress: Progress) -> None:
        if self.verbosity >= 2 or (self.verbosity >= 1 and progress.total is None):
            where = f" [{progress.done}/{progress.total}]" if progress.total else ""
            self._print(f"  {progress.suite}: {progress.message}{where}")

    def result(self, result: Result) -> None:
        if self.verbosity >= 2 or (self.verbosity >= 1 and result.verdict in (Verdict.FAIL, Verdict.ERROR)):
            mark = self._paint(result.verdict.value.upper(), result.verdict)
            self._print(f"  {result.suite}: {mark} {result.service} {result.operation} · {result.check}")

    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None:
        if self.verbosity >= 1:
            tally = counts(results)
            parts = [self._paint(f"{n} {v.value}", v) for v, n in tally.items() if n]
            skipped = bool(results) and tally[Verdict.SKIPPED] == len(results)
            why = f" — skipped: {skip_reason(results)}" if skipped else ""
            self._print(
                self._paint(f"■ {suite}", bold=True)
                + f": {', '.join(parts) or 'no results'} in {seconds:.1f}s{why}"
            )

    def summary(self, outcome: GateOutcome) -> None:
        advisories = [] if outcome.strict else outcome.advisories
        failures = [
            r for r in outcome.results if r.verdict in (Verdict.FAIL, Verdict.ERROR) and r not in advisories
        ]
        if advisories:
            self._print()
            self._print(self._paint("Advisories (policy: reported, not failing the gate)", bold=True))
            for result in advisories[:20]:
                self._print(
                    f"! [{result.suite}] {result.service} {result.operation} · {result.check}: {result.observed}"
                )
            if len(advisories) > 20:
                self._print(f"  … and {len(advisories) - 20} more (see the reports)")
        if failures:
            self._print()
            self._print(self._paint("Failures", bold=True))
            for result in failures[:50]:
                self._print(
                    self._paint(
                        f"✗ [{result.suite}] {result.service} {result.operation} · {result.check}",
                        result.verdict,
                    )
                )
                self._print(f"    expected: {result.expectation}")
                self._print(f"    observed: {result.observed}")
                if result.reproduction:
                    self._print(f"    reproduce: {result.reproduction}")
            if len(failures) > 50:
                self._print(f"  … and {len(failures) - 50} more (see the reports)")
        tally = counts(outcome.results)
        self._print()
        if outcome.stopped:
            self._print(self._paint(f"stopped: {outcome.stopped}", Verdict.ERROR))
        line = " · ".join(f"{n} {v.value}" for v, n in tally.items())
        if advisories:
            line += f" ({len(advisories)} advisory)"
        coverage = outcome.coverage
        line += f" · coverage {coverage.ran}/{coverage.implied} ({coverage.percent:.1f}%)"
        if coverage.gaps and self.verbosity >= 1:
            self._print(f"skipped, by reason ({coverage.skipped}): " + coverage.largest())
        if outcome.coverage_failure:
            self._print(self._paint(outcome.coverage_failure, Verdict.FAIL))
        elif outcome.partial and outcome.min_coverage is not None:
            self._print(f"min coverage {outcome.min_coverage:g}% is judged over all the shards (report merge)")
        for leftover in outcome.leftovers:
            self._print(self._paint(f"left behind on the target: {leftover}", Verdict.ERROR))
        verdict = outcome.verdict
        if outcome.merged:
            part = f" · merged from {outcome.merged} shard{'s' if outcome.merged != 1 else ''}"
        elif outcome.shard[1] > 1:
            part = f" · shard {outcome.shard[0]}/{outcome.shard[1]}"
        else:
            part = ""
        self._print(
            self._paint(f"{verdict.value.upper()}", verdict, bold=True)
            + f"  target {outcome.target}{part} · suites {', '.join(outcome.suites)} · {line} · {outcome.seconds:.1f}s"
        )
