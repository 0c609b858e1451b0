"""The cors suite: the faithful stubs pass every check; each browser-boundary mistake is caught by its check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts import openapi_specs
from providers.checks import classify
from providers.contract import operations_of
from providers.cors import run
from providers.cors.suite import OPERATION_CHECKS
from providers.results import Result, Verdict
from providers.target import Target, url_target
from tests.providers.cors.flawed import EdgePlatform
from tests.providers.tokens.support import opened, unredacted

THREADS = "GET /v2/threads"
TOKEN = "POST /v2/auth/token"
CREATE = "POST /v2/threads"
LEGACY = "GET /v1/threads"
SOME = [THREADS, TOKEN, CREATE, LEGACY]


@pytest.fixture(scope="module")
def edge() -> Iterator[EdgePlatform]:
    platform = EdgePlatform().start()
    yield platform
    platform.stop()


def run_cors(target: Target, **options: object) -> list[Result]:
    with opened(target, cors=dict(options)) as ctx:
        return [classify(r) for r in run(ctx)]


def failed(results: list[Result]) -> set[tuple[str, str]]:
    return {(r.operation, r.check) for r in results if r.verdict is Verdict.FAIL}


@pytest.fixture(scope="module")
def faithful(edge: EdgePlatform) -> list[Result]:
    return run_cors(edge.target)


def test_the_faithful_stubs_pass_every_check(faithful: list[Result]) -> None:
    assert [r for r in faithful if r.verdict is not Verdict.PASS] == []
    assert all(unredacted(r) == [] for r in faithful)
    assert {r.basis for r in faithful} == {"contract", "standard"}


def test_every_operation_gets_its_checks(faithful: list[Result]) -> None:
    seen = {(r.operation, r.check) for r in faithful}
    for spec in openapi_specs():
        for op in operations_of(spec):
            for check in ("preflight", "disallowed-origin", "reflected-origin", "wildcard-credentials"):
                assert (op.label, check) in seen, (op.label, check)
    # Inside the policy (v2, discovery, health) the actual request and Vary are judged; v1 is outside it.
    assert {(THREADS, "actual-request"), (THREADS, "vary-origin"), (TOKEN, "actual-request")} <= seen
    assert (LEGACY, "actual-request") not in seen
    legacy = next(r for r in faithful if (r.operation, r.check) == (LEGACY, "preflight"))
    assert "does not cover" in legacy.expectation and "Access-Control-Allow-Origin: (none)" in legacy.observed
    # Once per service: the look-alike origins and each declared pattern.
    checks = {r.check for r in faithful}
    assert {"disallowed-origin:null", "disallowed-origin:prefix", "disallowed-origin:scheme"} <= checks
    assert "pattern-origin:https://*.preview.app.example.com" in checks
    assert {"websocket-origin", "websocket-hijacking:arbitrary", "websocket-hijacking:null"} <= checks


def test_an_origin_reflected_with_credentials_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("reflect-origin"):
        results = run_cors(edge.target, operations=SOME, websocket=False)
    caught = failed(results)
    for op in SOME:
        assert (op, "reflected-origin") in caught and (op, "disallowed-origin") in caught
    reflected = next(r for r in results if (r.operation, r.check) == (THREADS, "reflected-origin"))
    assert "https://contractgate-probe.invalid" in reflected.observed and reflected.basis == "contract"
    assert reflected.reproduction and "Origin: https://contractgate-probe.invalid" in reflected.reproduction
    # v1 is outside the policy: granting the frontend there is caught by its preflight.
    assert (LEGACY, "preflight") in caught
    assert (THREADS, "wildcard-credentials") not in caught  # it reflects, it never answers *


def test_a_wildcard_with_credentials_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("wildcard-credentials"):
        results = run_cors(edge.target, operations=SOME, websocket=False)
    caught = failed(results)
    assert all((op, "wildcard-credentials") in caught for op in SOME)
    wildcard = next(r for r in results if (r.operation, r.check) == (THREADS, "wildcard-credentials"))
    assert wildcard.basis == "standard" and "Fetch §3.2.5" in wildcard.cites
    assert "* with credentials" in wildcard.observed
    # A browser refuses `*` for a credentialed request, so the frontend's own preflight fails too.
    preflight = next(r for r in results if (r.operation, r.check) == (THREADS, "preflight"))
    assert preflight.verdict is Verdict.FAIL and "is * for a request with credentials" in preflight.observed


def test_a_missing_vary_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("no-vary"):
        results = run_cors(edge.target, operations=SOME, websocket=False)
    assert failed(results) == {(THREADS, "vary-origin"), (TOKEN, "vary-origin"), (CREATE, "vary-origin")}
    vary = next(r for r in results if (r.operation, r.check) == (THREADS, "vary-origin"))
    assert "no Vary: Origin" in vary.observed and vary.basis == "standard"


def test_a_websocket_accepting_any_origin_is_caught(edge: EdgePlatform) -> None:
    with edge.flaws.on("any-origin"):
        results = run_cors(edge.target, operations=[THREADS])
    caught = failed(results)
    assert caught == {("ws /ws", f"websocket-hijacking:{v}") for v in ("arbitrary", "suffix", "null")}
    hijack = next(r for r in results if r.check == "websocket-hijacking:null")
    assert "from null: accepted" in hijack.observed and hijack.reproduction is not None
    assert "bearer.[REDACTED]" in hijack.reproduction and unredacted(hijack) == []


def test_on_a_live_target_only_preflights_reach_a_write(edge: EdgePlatform) -> None:
    urls = {name: service.base_url for name, service in edge.target.services.items()}
    results = run_cors(url_target("staging", urls, live=True), operations=[THREADS, CREATE], websocket=False)
    by_check = {(r.operation, r.check): r for r in results}
    assert by_check[(CREATE, "preflight")].verdict is Verdict.PASS
    for check in ("actual-request", "reflected-origin", "vary-origin"):
        assert by_check[(CREATE, check)].verdict is Verdict.SKIPPED
        assert "allow_writes" in by_check[(CREATE, check)].observed
        assert by_check[(THREADS, check)].verdict is Verdict.PASS
    assert {check for op, check in by_check if op == CREATE} == set(OPERATION_CHECKS)
