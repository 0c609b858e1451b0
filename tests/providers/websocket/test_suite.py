"""The websocket suite against the real stubs, against broken providers, and on targets without hooks.

The real stub passes every check. Each broken provider differs from it in one way, and the suite
reports exactly that check (or, for the handshake, those checks) as failed — nothing else fails,
errs or is skipped — with a reproduction whose tokens are redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from contractgate.embedded import target_of
from contractgate.gate import GatePlan, run_gate
from providers.errors import TargetUnreachable
from providers.redact import JWT
from providers.results import Verdict
from providers.suite import RunOptions
from providers.target import ServiceTarget, Target, url_target
from providers.websocket import run
from providers.websocket.suite import ORDER
from stubs.platform import Platform, PlatformOptions
from stubs.server import bind, url_of
from stubs.settings import WebSocketSettings
from tests.providers.websocket import support
from tests.providers.websocket.support import failing, run_suite, serve_variant

HANDSHAKE_REFUSALS = {
    "handshake-missing-token",
    "handshake-invalid-token",
    "handshake-wrong-audience",
    "handshake-expired",
}


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    options = PlatformOptions(
        websocket={"heartbeat_interval": 0.3}, backend={"run_event_interval": 0.05, "run_output_events": 3}
    )
    with Platform(options) as started:
        yield started


def stub_target(platform: Platform) -> Target:
    return target_of(platform)


def test_the_real_stub_passes_every_check(platform: Platform) -> None:
    results = run_suite(stub_target(platform), connections=20)
    assert list(results) == list(ORDER)
    assert not failing(results), {n: r.observed for n, r in results.items() if r.verdict is not Verdict.PASS}
    assert "20 concurrent connections, 20 distinct sessions, each following its own run" in (
        results["concurrency"].observed
    )
    assert results["expiry-close"].observed.startswith("closed with 4401")
    assert results["resume"].details["replayed"] > 0
    for result in results.values():
        assert result.suite == "websocket" and result.service == "websocket-service"
        assert result.operation == "ws /ws"
        assert not JWT.search(result.observed + (result.reproduction or ""))


BROKEN: list[tuple[str, Callable[[WebSocketSettings], Starlette], set[str]]] = [
    ("lost message on resume", support.lost_on_resume, {"resume"}),
    ("duplicated seq", support.duplicated_seq, {"seq-order"}),
    ("undeclared message", support.undeclared_message, {"message-schema"}),
    ("auth not enforced", support.auth_not_enforced, HANDSHAKE_REFUSALS),
    ("no close at token expiry", support.no_expiry_close, {"expiry-close"}),
    ("no error on unknown type", support.no_error_on_unknown_type, {"unknown-type"}),
    ("oversized frame accepted", support.oversized_frame_accepted, {"oversized-frame"}),
]


@pytest.mark.parametrize(("fault", "app_of", "caught_by"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_provider_broken_one_way_is_caught_by_the_named_check_only(
    platform: Platform, fault: str, app_of: Callable[[WebSocketSettings], Starlette], caught_by: set[str]
) -> None:
    with serve_variant(platform, app_of, ws_max_size=2**30) as target:
        results = run_suite(target)
    assert failing(results) == caught_by, {n: r.observed for n, r in results.items() if n in failing(results)}
    for name in caught_by:
        result = results[name]
        assert result.verdict is Verdict.FAIL, result.observed
        assert result.reproduction and result.reproduction.startswith("websocat")
        assert not JWT.search(result.reproduction + result.observed)


def test_what_each_broken_provider_is_blamed_for(platform: Platform) -> None:
    with serve_variant(platform, support.lost_on_resume) as target:
        resume = run_suite(target, checks=["resume"])["resume"]
    assert "never replayed" in resume.observed
    assert '"type": "resume"' in resume.reproduction if resume.reproduction else False
    with serve_variant(platform, support.duplicated_seq) as target:
        order = run_suite(target, checks=["unknown-type", "seq-order"])["seq-order"]
    assert "seq 2 where 3 was due (repeated or went back)" in order.observed
    with serve_variant(platform, support.undeclared_message) as target:
        schema = run_suite(target, checks=["unknown-type", "message-schema"])["message-schema"]
    assert "undeclared server message type='debug.trace'" in schema.observed


def test_without_provider_state_hooks_token_and_run_checks_are_skipped_not_passed(platform: Platform) -> None:
    target = url_target("staging-like", platform.urls, live=True)
    checks = ["handshake-expired", "expiry-close", "run-stream", "resume", "concurrency", "seq-order"]
    results = run_suite(target, checks=checks, connections=None)
    skipped = {n for n, r in results.items() if r.verdict is Verdict.SKIPPED}
    assert skipped == {"handshake-expired", "expiry-close", "run-stream"}
    assert "signing_key_env" in results["expiry-close"].observed
    assert "provider-state hook" in results["expiry-close"].observed
    assert "resource_id" in results["run-stream"].observed
    assert results["resume"].verdict is Verdict.PASS  # pings alone make a session worth resuming
    assert results["concurrency"].observed.startswith("5 concurrent connections")  # fewer on live targets
    assert results["seq-order"].verdict is Verdict.PASS


def test_a_configured_run_id_is_followed_on_a_target_without_hooks(platform: Platform) -> None:
    token = httpx.post(
        f"{platform.auth_url}/v2/auth/token",
        data={"grant_type": "password", "username": "alice@example.com", "password": "alice-password"},
        trust_env=False,
    ).json()["access_token"]
    with httpx.Client(
        base_url=platform.backend_url, headers={"Authorization": f"Bearer {token}"}, trust_env=False
    ) as backend:
        thread = backend.post("/v2/threads", json={"name": "websocket suite"}).json()["id"]
        run_id = backend.post(f"/v2/threads/{thread}/runs", json={"input": "hello"}).json()["id"]
    target = url_target("staging-like", platform.urls, live=True)
    results = run_suite(target, checks=["run-stream"], resource_id=run_id)
    assert results["run-stream"].verdict is Verdict.PASS, results["run-stream"].observed
    assert results["run-stream"].details["run"] == run_id


def test_an_unreachable_websocket_service_stops_the_suite(platform: Platform) -> None:
    sock = bind("127.0.0.1", 0)
    closed_url = url_of(sock)
    sock.close()  # nothing listens there any more
    services = dict(url_target("t", platform.urls, live=False).services)
    services["websocket-service"] = ServiceTarget("websocket-service", closed_url)
    with pytest.raises(TargetUnreachable, match=closed_url.replace("http", "ws")):
        run_suite(Target("down", services), checks=["handshake-accepted"])


def test_the_gate_runs_the_suite_alone_and_an_unreachable_service_exits_2(platform: Platform) -> None:
    checks = ["handshake-accepted", "handshake-missing-token", "unknown-type", "message-schema", "seq-order"]
    outcome = run_gate(
        GatePlan(suites=("websocket",), options=RunOptions(suites={"websocket": {"checks": checks}}))
    )
    assert outcome.exit_code == 0, [r.observed for r in outcome.results if r.verdict is not Verdict.PASS]
    assert [r.check for r in outcome.results] == checks

    sock = bind("127.0.0.1", 0)
    closed_url = url_of(sock)
    sock.close()
    urls = {**platform.urls, "websocket-service": closed_url}
    down = run_gate(
        GatePlan(
            target=url_target("down", urls, live=False),
            suites=("websocket",),
            options=RunOptions(suites={"websocket": {"checks": ["handshake-accepted"]}}),
        )
    )
    assert down.exit_code == 2 and down.stopped and "target unreachable" in down.stopped


def test_without_an_asyncapi_document_the_suite_is_one_skip(platform: Platform) -> None:
    ctx = support.context(stub_target(platform))
    ctx.asyncapi = None
    try:
        results = list(run(ctx))
    finally:
        ctx.http.close()
    assert [(r.check, r.verdict) for r in results] == [("suite", Verdict.SKIPPED)]
