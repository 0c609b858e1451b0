"""The broker in the gate: the `broker` suite's can-i-deploy verdict, and the `pacts` suite fed by the broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contractgate.embedded import embedded_stubs
from contractgate.gate import GatePlan, SilentListener, run_gate
from providers.broker.results import VerificationPublisher
from providers.broker.source import BrokerPactSource, VerificationRequest, selectors_of
from providers.broker.suite import BrokerGateSettings, broker_verdict, pacts_options
from providers.errors import ConfigError
from providers.results import Result, Verdict
from providers.suite import Progress, RunOptions
from providers.target import Target, url_target
from stubs.server import bind, url_of
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, client_of, deploy, edited_pact, publication, publish, verify


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        publish(fake, "c1", "main")
        for consumer in ("web-frontend", "mobile-app-legacy", "websocket-service"):
            deploy(fake, consumer, "c1", "test")
        yield fake


def settings(fake: FakeBroker, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": fake.url,
        "token_env": "TEST_BROKER_TOKEN",
        "environment": "test",
        "retries": 0,
        **extra,
    }


ENV = {"TEST_BROKER_TOKEN": TOKEN}


def test_can_i_deploy_per_service_pass_fail_skip(broker: FakeBroker) -> None:
    for consumer in ("web-frontend", "mobile-app-legacy", "websocket-service"):
        verify(broker, consumer, "backend-service", "p1", True)
    verify(broker, "web-frontend", "backend-service", "p2", False, failed=("a new thread",))
    yes, skipped = broker_verdict(
        settings(broker, versions={"backend-service": "p1"}), ["backend-service", "auth-service"], environ=ENV
    )
    assert (yes.suite, yes.check, yes.service, yes.verdict) == (
        "broker",
        "can-i-deploy",
        "backend-service",
        Verdict.PASS,
    )
    assert yes.operation == "can-i-deploy backend-service p1 to test" and yes.observed.startswith("yes: ")
    assert len(yes.details["rows"]) == 3
    assert (
        yes.reproduction
        and "Authorization: Bearer [REDACTED]" in yes.reproduction
        and TOKEN not in yes.reproduction
    )
    assert skipped.verdict is Verdict.SKIPPED and "no version of auth-service" in skipped.observed

    [no] = broker_verdict(settings(broker, version="p2"), ["backend-service"], environ=ENV)
    assert no.verdict is Verdict.FAIL and no.details["deployable"] is False
    web = next(row for row in no.details["rows"] if row["consumer"] == "web-frontend")
    assert (web["provider_version"], web["success"], web["failed_interactions"]) == (
        "p2",
        False,
        ["a new thread"],
    )
    assert web["verification"].startswith(
        f"{broker.url}/pacts/provider/backend-service/consumer/web-frontend/"
    )
    assert {row["success"] for row in no.details["rows"]} == {False, None}  # the others have not verified p2
    assert "'a new thread'" in no.observed


def test_still_unknown_after_the_retries_fails(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "backend-service", "p3", True)
    slept: list[float] = []
    [result] = broker_verdict(
        settings(broker, version="p3", retry_while_unknown=2, retry_interval=0.5),
        ["backend-service"],
        environ=ENV,
        sleep=slept.append,
    )
    assert result.verdict is Verdict.FAIL and result.observed.startswith("still unknown after 3 queries")
    assert slept == [0.5, 0.5] and broker.matrix_queries == 3


def test_a_broker_that_cannot_be_asked_is_an_error_result_never_a_pass() -> None:
    sock = bind()
    url = url_of(sock)
    sock.close()
    [result] = broker_verdict(
        {
            "base_url": url,
            "token_env": "TEST_BROKER_TOKEN",
            "environment": "test",
            "version": "p1",
            "retries": 0,
        },
        ["backend-service"],
        environ=ENV,
    )
    assert (
        result.verdict is Verdict.ERROR
        and result.observed == f"Pact Broker unreachable: GET {url}/matrix (ConnectError)"
    )


def test_the_gate_runs_the_broker_suite_only_when_configured(
    broker: FakeBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for consumer in ("web-frontend", "mobile-app-legacy", "websocket-service"):
        verify(broker, consumer, "backend-service", "p1", True)
    target = url_target("staging", {"backend-service": "http://127.0.0.1:9"}, live=False)
    unconfigured = run_gate(GatePlan(target=target, suites=("broker",)))
    [skipped] = unconfigured.results
    assert skipped.verdict is Verdict.SKIPPED and "no Pact Broker is configured" in skipped.observed
    monkeypatch.setenv("TEST_BROKER_TOKEN", TOKEN)
    options = RunOptions(suites={"broker": settings(broker, version="p1")})
    outcome = run_gate(GatePlan(target=target, suites=("broker",), options=options))
    assert [(r.service, r.verdict) for r in outcome.results] == [("backend-service", Verdict.PASS)]
    assert outcome.exit_code == 0


class Progressing(SilentListener):
    def __init__(self) -> None:
        self.messages: list[str] = []

    def progress(self, progress: Progress) -> None:
        self.messages.append(progress.message)


def verify_from_broker(
    target: Target, fake: FakeBroker, request: VerificationRequest, publisher_version: str | None = "p1"
) -> tuple[list[Result], list[str], VerificationPublisher | None, int]:
    with client_of(fake) as client:
        source = BrokerPactSource(client, ["backend-service"], request)
        publisher = (
            VerificationPublisher(client, publisher_version, provider_branch="main")
            if publisher_version
            else None
        )
        listener = Progressing()
        options = {"source": source, "consumers": ["web-frontend"], "publisher": publisher}
        outcome = run_gate(
            GatePlan(target=target, suites=("pacts",), options=RunOptions(suites={"pacts": options})),
            listener,
        )
    assert outcome.stopped is None, outcome.stopped
    return outcome.results, listener.messages, publisher, outcome.exit_code


def test_a_failing_pending_pact_is_reported_pending_and_does_not_fail(
    broker: FakeBroker, stubs: Target, tmp_path: Path
) -> None:
    verify(
        broker, "web-frontend", "backend-service", "p0", True
    )  # c1's pact: verified on main, so not pending

    def unbuilt(document: dict) -> None:
        new = next(i for i in document["interactions"] if i["description"] == "a new thread")
        new["response"]["status"] = 418  # what the consumer now expects; no provider answers it yet

    publish(broker, "c2", "feat-x", [edited_pact(tmp_path, "web-frontend-backend-service.json", unbuilt)])
    request = VerificationRequest(selectors_of(['{"mainBranch": true}', '{"branch": "feat-x"}']), "main")
    results, messages, publisher, code = verify_from_broker(stubs, broker, request)

    assert code == 0  # the pending failure does not fail the run
    by_pact: dict[str, list[Result]] = {}
    for r in results:
        by_pact.setdefault(r.details["source"].split("/pact-version/")[1][:8], []).append(r)
    assert len(by_pact) == 2
    pending = [r for r in results if r.details["pending"]]
    settled = [r for r in results if not r.details["pending"]]
    assert settled and all(r.verdict is Verdict.PASS for r in settled)
    [unmet] = [r for r in pending if r.verdict is not Verdict.PASS]
    assert unmet.details["interaction"] == "a new thread" and unmet.verdict is Verdict.SKIPPED
    assert unmet.observed.startswith("pending, not yet honoured: status: expected 418 but was 201")
    assert unmet.details["outcome"] == "fail"

    # what was found is what the broker is told: the pending pact failed, so it stays pending
    assert publisher is not None and {(p.success, p.published) for p in publisher.publications} == {
        (True, True),
        (False, True),
    }
    assert sum("verification result published (failure)" in m for m in messages) == 1
    c2 = publication(broker, "web-frontend", "backend-service", "c2")
    [failed] = [v for v in broker.verifications("backend-service") if v.sha == c2.sha]
    assert failed.success is False and failed.provider_version == "p1"
    assert [t["interactionDescription"] for t in failed.body["testResults"] if not t["success"]] == [
        "a new thread"
    ]
    with client_of(broker) as client:
        again = BrokerPactSource(client, ["backend-service"], request).pacts()
    assert {p.broker.pending for p in again if p.broker} == {False, True}
    assert broker.state.versions[("backend-service", "p1")].branches == ["main"]


def test_a_pact_not_verified_in_full_is_not_published(broker: FakeBroker, stubs: Target) -> None:
    live = url_target("staging", {"backend-service": stubs.service("backend-service").base_url}, live=True)
    request = VerificationRequest(selectors_of(['{"mainBranch": true}']), "main")
    results, messages, publisher, _ = verify_from_broker(live, broker, request)
    # No hook, and the target lacks the issuer its declared setups log in with: skips naming it.
    assert any(r.verdict is Verdict.SKIPPED and "target does not have" in r.observed for r in results)
    assert publisher is not None and [p.published for p in publisher.publications] == [False]
    assert any("verification result not published" in m and "were not verified" in m for m in messages)
    assert broker.received("POST", "/pacts/provider/backend-service/consumer/web-frontend/") == []


def test_settings_feed_the_pacts_suite_from_the_broker(broker: FakeBroker) -> None:
    options = settings(
        broker,
        versions={"backend-service": "p1", "auth-service": "a1"},
        provider_branch="main",
        publish_results=True,
        selectors=['{"mainBranch": true}'],
    )
    parsed = BrokerGateSettings.from_mapping(options, ENV)
    with client_of(broker) as client:
        built = pacts_options(parsed, client, ["backend-service", "auth-service"])
        source, publisher = built["source"], built["publisher"]
        assert isinstance(source, BrokerPactSource) and source.request.selectors == ({"mainBranch": True},)
        assert isinstance(publisher, VerificationPublisher) and publisher.version_of("auth-service") == "a1"
        with pytest.raises(ConfigError, match="publish_results needs a version of websocket-service"):
            pacts_options(parsed, client, ["backend-service", "websocket-service"])
    with pytest.raises(ConfigError, match=r"broker.tokn: unknown key \(did you mean token_env\?\)"):
        BrokerGateSettings.from_mapping({**options, "tokn": "x"}, ENV)
    with pytest.raises(ConfigError, match="must name an environment variable"):
        BrokerGateSettings.from_mapping({**options, "token_env": ""}, ENV)
