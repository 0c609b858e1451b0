"""Latency budgets: a bounded number of requests per operation, their percentiles against the declared ones.

Each sample is one request sent through the run's guard, so a live target sees them spread by the
rate cap and counted against the budget; the time measured is the request's own (`httpx`'s `elapsed`:
from sending the request to reading the whole answer), never the wait the rate cap imposed. A few
warm-up requests go first and are not counted (connections, caches and key fetches settle). The
percentiles are nearest-rank: p95 of 20 samples is the 19th fastest, `max` the slowest. Every sample
must be the operation's answer (2xx or 3xx): the latency of a refusal or a server error is not the
operation's, so such a measurement is an error naming the statuses, never a pass.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from providers.readiness.manifest import Budget
from providers.results import Verdict

#: Percentiles every measurement reports, whatever the budget names.
REPORTED = (50, 90, 95, 99, 100)


def percentile(ordered: list[float], p: int) -> float:
    """The nearest-rank `p`th percentile of ascending `ordered` values (p=100: the largest)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _name(p: int) -> str:
    return "max" if p == 100 else f"p{p}"


@dataclass(frozen=True)
class Measurement:
    #: Milliseconds of each counted sample, in the order they were sent.
    samples_ms: tuple[float, ...]
    statuses: Counter[int]

    def at(self, p: int) -> float:
        return percentile(sorted(self.samples_ms), p)

    @property
    def percentiles(self) -> dict[str, float]:
        return {_name(p): round(self.at(p), 2) for p in REPORTED}

    def describe(self, points: tuple[int, ...] = REPORTED) -> str:
        return ", ".join(f"{_name(p)} {self.at(p):.1f} ms" for p in points)

    @property
    def unexpected(self) -> dict[int, int]:
        """Statuses that are not the operation's own answer (errors, refusals)."""
        return {s: n for s, n in self.statuses.items() if not 200 <= s < 400}


def measure(send: Callable[[], httpx.Response], samples: int, warmup: int) -> Measurement:
    """Send `warmup` uncounted requests, then `samples` counted ones, one after another."""
    for _ in range(warmup):
        send()
    times: list[float] = []
    statuses: Counter[int] = Counter()
    for _ in range(samples):
        response = send()
        times.append(response.elapsed.total_seconds() * 1000)
        statuses[response.status_code] += 1
    return Measurement(tuple(times), statuses)


def judge(budget: Budget, measured: Measurement) -> tuple[Verdict, str, dict[str, Any]]:
    """The verdict on one measurement against its budget, what was observed, and the figures."""
    details: dict[str, Any] = {
        "samples": len(measured.samples_ms),
        "percentiles_ms": measured.percentiles,
        "budget_ms": {_name(p): ms for p, ms in sorted(budget.limits.items())},
        "statuses": {str(s): n for s, n in sorted(measured.statuses.items())},
    }
    points = tuple(sorted({*budget.limits, 50, 100}))
    figures = f"{measured.describe(points)} over {len(measured.samples_ms)} requests"
    if measured.unexpected:
        said = ", ".join(f"{n}× HTTP {s}" for s, n in sorted(measured.unexpected.items()))
        return (
            Verdict.ERROR,
            f"{said}: not the operation's own answer, so its latency is not measured ({figures})",
            details,
        )
    over = [
        f"{_name(p)} {measured.at(p):.1f} ms > {ms:g} ms"
        for p, ms in sorted(budget.limits.items())
        if measured.at(p) > ms
    ]
    if over:
        return Verdict.FAIL, f"over budget: {'; '.join(over)} ({figures})", details
    return Verdict.PASS, figures, details
