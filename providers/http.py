"""Every request a suite sends to a target goes through here: timeouts, rate cap, request budget.

`RequestGuard` is shared by all suites and threads of one run: a token bucket caps the request rate
and a counter enforces the total budget, so "safe for staging" holds for the whole gate, not per suite.
A connection that fails or times out raises `TargetUnreachable` naming the URL: a down target is an
error, never a pass and never a hang.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from providers.errors import BudgetExceeded, TargetUnreachable


@dataclass(frozen=True)
class Limits:
    #: Seconds for one request (connect, read, write).
    timeout: float = 10.0
    #: Requests per second across the run; None = no cap.
    rate: float | None = None
    #: Requests the bucket may send at once before the rate applies.
    burst: int = 5
    #: Total requests across the run; None = no budget.
    budget: int | None = None


class RequestGuard:
    def __init__(self, limits: Limits, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(limits.burst)
        self._last = clock()
        self.sent = 0

    def acquire(self, what: str) -> None:
        """Wait for the rate cap, count the request, or raise `BudgetExceeded`."""
        with self._lock:
            if self.limits.budget is not None and self.sent >= self.limits.budget:
                raise BudgetExceeded(f"request budget of {self.limits.budget} exhausted before {what}")
            self.sent += 1
            if self.limits.rate is None:
                return
            now = self._clock()
            self._tokens = min(float(self.limits.burst), self._tokens + (now - self._last) * self.limits.rate)
            self._last = now
            wait = 0.0
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.limits.rate
            self._tokens -= 1
        if wait > 0:
            self._sleep(wait)


_STALE_CONNECTION = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


def send_over_kept_alive(
    client: httpx.Client, request: httpx.Request, *, follow_redirects: bool = False
) -> httpx.Response:
    """Send `request`, once more on a new connection if a kept-alive one turned out closed.

    A server may close a connection right after answering (uvicorn does after an app raised, even
    once its 500 went out); the next request can leave on that connection before its FIN arrives
    and fail without an answer. Only a failure on a reused connection is retried, and only once: the
    request never reached the application (RFC 9112 §9.3.1 lets a client retry it). A failure on a
    connection opened for this request is the target's and propagates.
    """
    opened: list[str] = []

    def trace(event: str, info: dict[str, Any]) -> None:
        if event.startswith("connection.connect_tcp"):
            opened.append(event)

    request.extensions = {**request.extensions, "trace": trace}
    try:
        return client.send(request, follow_redirects=follow_redirects)
    except _STALE_CONNECTION:
        if opened:
            raise
    return client.send(request, follow_redirects=follow_redirects)


class TargetHttp:
    """A synchronous HTTP client bound to one run's guard."""

    def __init__(self, guard: RequestGuard) -> None:
        self.guard = guard
        self._client = httpx.Client(timeout=guard.limits.timeout, trust_env=False, follow_redirects=False)

    def request(
        self, method: str, url: str, *, follow_redirects: bool = False, **kwargs: Any
    ) -> httpx.Response:
        self.guard.acquire(f"{method} {url}")
        try:
            request = self._client.build_request(method, url, **kwargs)
            return send_over_kept_alive(self._client, request, follow_redirects=follow_redirects)
        except httpx.TimeoutException:
            raise TargetUnreachable(url, f"no answer within {self.guard.limits.timeout:g}s") from None
        except httpx.TransportError as exc:
            raise TargetUnreachable(url, type(exc).__name__) from None

    def close(self) -> None:
        self._client.close()
