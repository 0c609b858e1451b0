"""The readiness suite: the faithful stubs are ready; each readiness mistake is caught by its named check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.checks import classify
from providers.readiness import run
from providers.results import Result, Verdict
from providers.target import Target, url_target
from tests.providers.cors.flawed import SLOW_SECONDS, EdgePlatform
from tests.providers.tokens.support import opened, unredacted

TOKEN = "POST /v2/auth/token"
HEALTH = "GET /health"


@pytest.fixture(scope="module")
def edge() -> Iterator[EdgePlatform]:
    platform = EdgePlatform().start()
    yield platform
    platform.stop()


def run_readiness(target: Target, **options: object) -> list[Result]:
    with opened(target, readiness=dict(options)) as ctx:
        return [classify(r) for r in run(ctx)]


def of(results: list[Result], service: str, operation: str, check: str) -> Result:
    found = [r for r in results if (r.service, r.operation, r.check) == (service, operation, check)]
    assert len(found) == 1, (service, operation, check, len(found))
    return found[0]


@pytest.fixture(scope="module")
def faithful(edge: EdgePlatform) -> list[Result]:
    return run_readiness(edge.target)


def test_the_faithful_stubs_are_ready(faithful: list[Result]) -> None:
    assert [r for r in faithful if r.verdict in (Verdict.FAIL, Verdict.ERROR)] == []
    # Only HSTS is skipped on the stubs: they are served over http.
    skipped = [r for r in faithful if r.verdict is Verdict.SKIPPED]
    assert {r.check for r in skipped} == {"hsts"} and len(skipped) == 3
    assert all("served over http" in r.observed for r in skipped)
    assert all(unredacted(r) == [] for r in faithful)


def test_every_part_reports(faithful: list[Result]) -> None:
    checks = {(r.service, r.operation, r.check) for r in faithful}
    assert {
        ("auth-service", TOKEN, f"token-no-store:{kind}") for kind in ("login", "client", "refresh")
    } <= checks
    assert ("backend-service", HEALTH, "health-dependency:auth-service") in checks
    assert ("websocket-service", HEALTH, "health-dependency:backend-service") in checks
    assert ("websocket-service", "ws /ws", "www-authenticate") in checks
    assert ("backend-service", "GET /v2/threads/{thread_id}", "www-authenticate") in checks
    latency = of(faithful, "backend-service", "GET /v2/users/me", "latency")
    assert latency.details["samples"] == 20 and set(latency.details["percentiles_ms"]) == {
        "p50",
        "p90",
        "p95",
        "p99",
        "max",
    }
    assert "p95" in latency.observed and latency.basis == "contract"
    login = of(faithful, "auth-service", TOKEN, "token-no-store:login")
    assert login.basis == "standard" and "RFC 6749 §5.1" in login.cites
    assert login.reproduction is not None and "alice-password" not in login.reproduction


def test_a_cacheable_token_answer_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("cacheable-token"):
        results = run_readiness(edge.target, parts=["headers"], websocket=False)
    for kind in ("login", "client", "refresh"):
        caught = of(results, "auth-service", TOKEN, f"token-no-store:{kind}")
        assert caught.verdict is Verdict.FAIL and "public, max-age=300" in caught.observed
    assert all(r.verdict is not Verdict.FAIL for r in results if not r.check.startswith("token-no-store"))


def test_a_401_without_www_authenticate_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("no-challenge"):
        results = run_readiness(edge.target, parts=["headers"], websocket=False)
    challenged = [r for r in results if r.check == "www-authenticate"]
    assert challenged and all(r.verdict is Verdict.FAIL for r in challenged)
    caught = of(results, "backend-service", "GET /v2/users/me", "www-authenticate")
    assert caught.observed == "HTTP 401 without WWW-Authenticate" and "RFC 6750 §3" in caught.cites
    assert caught.reproduction is not None and caught.reproduction.startswith("curl -X GET")


def test_an_endpoint_slower_than_its_budget_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("slow-health"):
        results = run_readiness(edge.target, parts=["latency"], samples=3, warmup=0)
    caught = of(results, "backend-service", HEALTH, "latency")
    assert caught.verdict is Verdict.FAIL and "over budget: p95" in caught.observed
    assert caught.details["samples"] == 3 and caught.details["budget_ms"] == {"p95": 200.0}
    assert caught.details["percentiles_ms"]["p50"] >= SLOW_SECONDS * 1000
    # The WebSocket service's health waits on the backend's: it is over its budget too; nothing else is.
    slow = {(r.service, r.operation) for r in results if r.verdict is Verdict.FAIL}
    assert slow == {("backend-service", HEALTH), ("websocket-service", HEALTH)}


def test_a_service_whose_dependency_is_down_is_not_ready(edge: EdgePlatform) -> None:
    with edge.flaws.on("auth-down"):
        results = run_readiness(edge.target, parts=["health"])
    assert of(results, "auth-service", HEALTH, "health").verdict is Verdict.FAIL
    backend = of(results, "backend-service", HEALTH, "health")
    assert backend.verdict is Verdict.FAIL and backend.observed == "HTTP 503, /status = 503"
    for service in ("backend-service", "websocket-service"):
        dependency = of(results, service, HEALTH, "health-dependency:auth-service")
        assert dependency.verdict is Verdict.FAIL
        assert dependency.observed == "auth-service: down (/health answered HTTP 503)"
    # The backend is not ready without its token issuer, and the WebSocket service says so of it.
    backend_seen = of(results, "websocket-service", HEALTH, "health-dependency:backend-service")
    assert backend_seen.verdict is Verdict.FAIL and backend_seen.observed.endswith("answered HTTP 503)")


def test_on_a_live_target_the_measurement_stays_within_the_guard(edge: EdgePlatform) -> None:
    urls = {name: service.base_url for name, service in edge.target.services.items()}
    live = url_target("staging", urls, live=True)
    with opened(live, readiness={"parts": ["latency"], "samples": 4, "warmup": 1}) as ctx:
        before = ctx.http.guard.sent
        results = [classify(r) for r in run(ctx)]
        sent = ctx.http.guard.sent - before
    measured = [r for r in results if r.check == "latency" and r.verdict is Verdict.PASS]
    assert len(measured) == 6 and all(r.details["samples"] == 4 for r in measured)
    # 5 requests per budget, plus the tokens and resources the requests need: nothing unbounded.
    assert 30 <= sent <= 30 + 10
