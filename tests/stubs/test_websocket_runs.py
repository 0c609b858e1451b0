"""The WebSocket stub's ownership check of a `subscribe` when the backend is too busy to answer at once.

Found by benchmarks/soak.py: with a thousand subscriptions polling, a check that timed out once was
answered `error not_found` — telling a client its own run does not exist. The check is now asked again
with a growing pause (as the run followers are) and refuses only after `CHECK_PATIENCE` seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from stubs.platform import Platform, PlatformOptions
from stubs.websocket import runs
from tests.stubs.websocket_support import connected, password_token, run, start_run


class Hiccups:
    """Real HTTP between the stubs, except that the first `failures` ownership checks of a run time out."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.checks = 0

    def client(self, base_url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, transport=_Transport(self), timeout=5, trust_env=False)


class _Transport(httpx.AsyncBaseTransport):
    def __init__(self, hiccups: Hiccups) -> None:
        self._hiccups = hiccups
        self._inner = httpx.AsyncHTTPTransport()  # one per client: a pool belongs to one loop

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/internal/v1/runs/") and not path.endswith("/events"):
            self._hiccups.checks += 1
            if self._hiccups.checks <= self._hiccups.failures:
                raise httpx.ReadTimeout("the backend did not answer in time", request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextmanager
def platform_with(hiccups: Hiccups) -> Iterator[Platform]:
    options = PlatformOptions(
        peer={"client_factory": hiccups.client},
        backend={"run_event_interval": 0.02},
        websocket={"run_poll_interval": 0.02},
    )
    with Platform(options) as platform:
        yield platform


def subscribe_to_a_new_run(hiccups: Hiccups) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Alice's new run, subscribed to over a real connection: the answer, then the events (if any)."""
    with platform_with(hiccups) as platform:
        run_id = start_run(platform)
        token = password_token(platform)

        async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
            async with connected(platform, token) as client:
                await client.recv()
                answer = await client.request("subscribe", {"run_id": run_id})
                events = await client.run_events(run_id) if answer["type"] == "subscribed" else []
                return answer, events

        return run(scenario())


def test_a_check_that_times_out_is_asked_again_and_the_client_gets_its_run() -> None:
    hiccups = Hiccups(failures=2)
    answer, events = subscribe_to_a_new_run(hiccups)
    assert answer["type"] == "subscribed", answer
    assert events[-1]["data"] == {"status": "completed"}
    assert hiccups.checks == 3


def test_a_backend_that_never_answers_is_refused_within_the_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "CHECK_PATIENCE", 0.5)
    hiccups = Hiccups(failures=10**6)
    answer, _ = subscribe_to_a_new_run(hiccups)
    assert answer["type"] == "error"
    assert answer["payload"]["code"] == "not_found"
    assert "try again" in answer["payload"]["message"]
    assert hiccups.checks > 1
