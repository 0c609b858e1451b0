"""The request guard caps the rate and the budget for a whole run; a dead URL is TargetUnreachable."""

from __future__ import annotations

import socket

import pytest

from providers.errors import BudgetExceeded, TargetUnreachable
from providers.http import Limits, RequestGuard, TargetHttp


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_budget_is_enforced_across_calls() -> None:
    guard = RequestGuard(Limits(budget=3))
    for _ in range(3):
        guard.acquire("GET /")
    with pytest.raises(BudgetExceeded, match="budget of 3"):
        guard.acquire("GET /x")
    assert guard.sent == 3


def test_rate_cap_spaces_requests_after_the_burst() -> None:
    time = ManualTime()
    guard = RequestGuard(Limits(rate=10, burst=2), clock=time.clock, sleep=time.sleep)
    for _ in range(12):
        guard.acquire("GET /")
    # 2 free, then 10 more at 10/s: about one second of waiting in total.
    assert time.slept and abs(sum(time.slept) - 1.0) < 1e-6
    assert time.now / (12 - 2) == pytest.approx(0.1)


def test_closed_port_raises_target_unreachable_naming_the_url() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    http = TargetHttp(RequestGuard(Limits(timeout=2)))
    url = f"http://127.0.0.1:{port}/health"
    with pytest.raises(TargetUnreachable) as caught:
        http.request("GET", url)
    assert caught.value.url == url and url in str(caught.value)
    http.close()
