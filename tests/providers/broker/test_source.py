"""`BrokerPactSource`: the pacts for verification — selectors, pending and WIP pacts — as `PactDocument`s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from providers.broker.source import BrokerPactSource, VerificationRequest, parse_selector, selectors_of
from providers.errors import BrokerError, ConfigError
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, client_of, deploy, edited_pact, publish, verify


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        publish(fake, "c1", "main")
        yield fake


def test_the_request_is_the_pact_verifiers(broker: FakeBroker) -> None:
    request = VerificationRequest(provider_branch="main", include_wip_since=date(2024, 5, 1))
    with client_of(broker) as c:
        pacts = BrokerPactSource(c, ["auth-service"], request).pacts()
    [sent] = broker.received("POST", "/pacts/provider/auth-service/for-verification")
    assert sent.body == {
        "consumerVersionSelectors": [
            {"mainBranch": True},
            {"deployedOrReleased": True},
            {"matchingBranch": True},
        ],
        "includePendingStatus": True,
        "providerVersionBranch": "main",
        "includeWipPactsSince": "2024-05-01",
    }
    assert sorted(p.consumer for p in pacts) == [
        "backend-service",
        "mobile-app-legacy",
        "web-frontend",
        "websocket-service",
    ]
    web = next(p for p in pacts if p.consumer == "web-frontend")
    assert "_links" not in web.document and all(i.raw.get("_id") for i in web.interactions)
    assert web.broker is not None and web.broker.pending and not web.broker.wip
    assert web.broker.verification_results_url and web.broker.verification_results_url.startswith(
        f"{broker.url}/pacts/provider/auth-service/consumer/web-frontend/pact-version/"
    )
    assert any("pending state" in n for n in web.broker.notices)


def test_matching_branch_is_left_out_without_a_provider_branch(broker: FakeBroker) -> None:
    request = VerificationRequest()
    assert request.selectors == ({"mainBranch": True}, {"deployedOrReleased": True})
    assert "left out: matchingBranch" in request.describe()
    with client_of(broker) as c:
        BrokerPactSource(c, ["auth-service"], request).pacts()
        # the broker itself refuses it, as the real one does
        url = c.relation("pb:provider-pacts-for-verification", provider="auth-service")
        with pytest.raises(BrokerError, match="providerVersionBranch must be specified"):
            c.post(url, {"consumerVersionSelectors": [{"matchingBranch": True}]})


def test_a_pact_verified_on_the_provider_branch_is_no_longer_pending(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "auth-service", "p1", True, branch="main")
    request = VerificationRequest(provider_branch="main")
    with client_of(broker) as c:
        pacts = {p.consumer: p for p in BrokerPactSource(c, ["auth-service"], request).pacts()}
        assert pacts["web-frontend"].broker and not pacts["web-frontend"].broker.pending
        assert pacts["mobile-app-legacy"].broker and pacts["mobile-app-legacy"].broker.pending
        # a new provider branch inherits from the main branch; an existing other branch does not
        feature = {
            p.consumer: p
            for p in BrokerPactSource(
                c, ["auth-service"], VerificationRequest(provider_branch="feat")
            ).pacts()
        }
        assert feature["web-frontend"].broker and not feature["web-frontend"].broker.pending
        verify(broker, "mobile-app-legacy", "auth-service", "p2", False, branch="other")
        other = {
            p.consumer: p
            for p in BrokerPactSource(
                c, ["auth-service"], VerificationRequest(provider_branch="other")
            ).pacts()
        }
        assert other["web-frontend"].broker and other["web-frontend"].broker.pending


def test_wip_pacts_are_the_latest_of_each_branch_since_a_date(broker: FakeBroker, tmp_path: Path) -> None:
    def new_interaction(document: dict) -> None:
        extra = dict(document["interactions"][0], description="a request the provider has not built yet")
        document["interactions"].append(extra)

    publish(
        broker, "c2", "feat-x", [edited_pact(tmp_path, "web-frontend-auth-service.json", new_interaction)]
    )
    selectors = selectors_of(['{"mainBranch": true}'])
    with client_of(broker) as c:
        plain = BrokerPactSource(c, ["auth-service"], VerificationRequest(selectors, "main")).pacts()
        wip = BrokerPactSource(
            c, ["auth-service"], VerificationRequest(selectors, "main", include_wip_since=date(2020, 1, 1))
        ).pacts()
        later = BrokerPactSource(
            c, ["auth-service"], VerificationRequest(selectors, "main", include_wip_since=date(2999, 1, 1))
        ).pacts()
    assert len(plain) == 4 and len(later) == 4
    [extra] = [p for p in wip if p.broker and p.broker.wip]
    assert extra.consumer == "web-frontend" and extra.broker and extra.broker.pending
    assert "a request the provider has not built yet" in {i.description for i in extra.interactions}


def test_deployed_versions_and_explicit_branches_select(broker: FakeBroker) -> None:
    publish(broker, "c2", "main")  # same content, a newer version: the pact is deduplicated by content
    deploy(broker, "web-frontend", "c1", "test")
    with client_of(broker) as c:
        deployed = BrokerPactSource(
            c,
            ["backend-service"],
            VerificationRequest(selectors_of(['{"deployed": true, "environment": "test"}'])),
        ).pacts()
        nothing = BrokerPactSource(
            c, ["backend-service"], VerificationRequest(selectors_of(['{"branch": "nope"}']))
        ).pacts()
    assert [p.consumer for p in deployed] == ["web-frontend"] and nothing == []


def test_a_provider_the_broker_does_not_know_has_no_pacts(broker: FakeBroker) -> None:
    with client_of(broker) as c:
        assert BrokerPactSource(c, ["no-such-service"]).pacts() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{mainBranch: true}", "is not JSON"),
        ("[]", "must be a non-empty JSON object"),
        ('{"mainbranch": true}', "unknown key mainbranch"),
    ],
)
def test_a_bad_selector_is_a_config_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_selector(text)
