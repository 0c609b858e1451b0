"""Percentiles are nearest-rank, budgets judge the declared ones, and a refusal is never a measurement."""

from __future__ import annotations

from collections import Counter

from providers.readiness.latency import Measurement, judge, percentile
from providers.readiness.manifest import Budget
from providers.results import Verdict

BUDGET = Budget("api", "GET", "/things", {95: 100.0}, samples=20)


def measured(*ms: float, status: int = 200) -> Measurement:
    return Measurement(tuple(ms), Counter({status: len(ms)}))


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 21)]  # 1 … 20 ms
    assert percentile(values, 50) == 10 and percentile(values, 95) == 19 and percentile(values, 100) == 20
    assert percentile([7.0], 99) == 7


def test_within_and_over_budget() -> None:
    fast = measured(*([10.0] * 19), 250.0)  # one outlier in 20 is above p95
    verdict, observed, details = judge(BUDGET, fast)
    assert verdict is Verdict.PASS and "p95 10.0 ms" in observed and details["percentiles_ms"]["max"] == 250
    slow = measured(*([10.0] * 18), 150.0, 250.0)
    verdict, observed, details = judge(BUDGET, slow)
    assert verdict is Verdict.FAIL and observed.startswith("over budget: p95 150.0 ms > 100 ms")
    assert details["budget_ms"] == {"p95": 100.0} and details["samples"] == 20


def test_a_refusal_is_not_the_operations_latency() -> None:
    verdict, observed, _ = judge(BUDGET, measured(1.0, 1.0, status=401))
    assert verdict is Verdict.ERROR and "2× HTTP 401" in observed
