"""can-i-deploy through the matrix (yes, no naming the interaction, unknown, bounded retries) and deployments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.broker.deployments import environments, record_deployment
from providers.broker.matrix import can_i_deploy
from providers.errors import BrokerError
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, client_of, deploy, publish, verify


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    """web-frontend and mobile-app-legacy c1 deployed to test; their pacts with backend-service published."""
    with FakeBroker(token=TOKEN) as fake:
        publish(fake, "c1", "main")
        deploy(fake, "web-frontend", "c1", "test")
        deploy(fake, "mobile-app-legacy", "c1", "test")
        yield fake


def test_yes_when_every_deployed_consumer_verified_this_provider_version(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "backend-service", "p1", True)
    verify(broker, "mobile-app-legacy", "backend-service", "p1", True)
    with client_of(broker) as c:
        decision = can_i_deploy(c, "backend-service", "p1", "test")
    assert decision.yes and decision.queries == 1
    assert {(r.consumer, r.consumer_version, r.provider_version, r.status) for r in decision.rows} == {
        ("web-frontend", "c1", "p1", "success"),
        ("mobile-app-legacy", "c1", "p1", "success"),
    }
    assert decision.reason == "All required verification results are published and successful"
    [query] = broker.received("GET", "/matrix")
    assert query.query == (
        ("q[][pacticipant]", "backend-service"),
        ("q[][version]", "p1"),
        ("latestby", "cvp"),
        ("environment", "test"),
    )


def test_no_names_the_failed_interaction(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "backend-service", "p2", False, failed=("a new thread",))
    verify(broker, "mobile-app-legacy", "backend-service", "p2", True)
    with client_of(broker) as c:
        decision = can_i_deploy(c, "backend-service", "p2", "test")
    assert decision.deployable is False
    [deciding] = decision.deciding_rows()
    assert (deciding.consumer, deciding.status, deciding.failed_interactions) == (
        "web-frontend",
        "failed",
        ("a new thread",),
    )
    assert "web-frontend c1 → backend-service p2: failed — failed: 'a new thread'" == deciding.describe()
    assert (
        "The verification for the pact between web-frontend (c1) and backend-service (p2) failed"
        in decision.reason
    )


def test_a_failed_result_without_descriptions_is_named_from_the_pacts_ids(broker: FakeBroker) -> None:
    with client_of(broker) as c:
        pact = c.get(f"{broker.url}/pacts/provider/backend-service/consumer/web-frontend/version/c1")
    target = next(i for i in pact["interactions"] if i["description"] == "a new thread")
    with broker.state.lock:
        broker.state.version("backend-service", "p3")
        pub = broker.state.latest_publication("web-frontend", "c1", "backend-service")
        assert pub is not None
        broker.state.verify(
            pub, "p3", False, {"testResults": [{"interactionId": target["_id"], "success": False}]}
        )
    verify(broker, "mobile-app-legacy", "backend-service", "p3", True)
    with client_of(broker) as c:
        decision = can_i_deploy(c, "backend-service", "p3", "test")
    assert decision.deciding_rows()[0].failed_interactions == ("a new thread",)


def test_unknown_is_asked_again_a_bounded_number_of_times(broker: FakeBroker) -> None:
    slept: list[float] = []
    with client_of(broker) as c:
        decision = can_i_deploy(c, "backend-service", "p9", "test", retry_while_unknown=0)
        assert decision.deployable is False  # p9 does not exist at all
        verify(broker, "web-frontend", "backend-service", "p4", True)  # p4 exists; mobile's result is missing
        broker.matrix_queries = 0
        decision = can_i_deploy(
            c, "backend-service", "p4", "test", retry_while_unknown=3, retry_interval=7, sleep=slept.append
        )
    assert decision.deployable is None and decision.queries == 4 and broker.matrix_queries == 4
    assert slept == [7, 7, 7]
    assert [r.status for r in decision.deciding_rows()] == ["unknown"]
    assert decision.counts["unknown"] == 1


def test_a_result_arriving_while_retrying_ends_the_wait(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "backend-service", "p5", True)

    def arrives(query: int) -> None:
        if query == 2:
            verify(broker, "mobile-app-legacy", "backend-service", "p5", True)

    broker.on_matrix = arrives
    with client_of(broker) as c:
        decision = can_i_deploy(c, "backend-service", "p5", "test", retry_while_unknown=5, retry_interval=0)
    assert decision.yes and decision.queries == 2


def test_a_consumer_needs_its_providers_deployed(broker: FakeBroker) -> None:
    with client_of(broker) as c:
        decision = can_i_deploy(c, "web-frontend", "c1", "test")
    assert decision.deployable is None
    assert "a version of auth-service currently deployed to test" in decision.reason


def test_record_deployment_follows_the_version_link_for_the_environment(broker: FakeBroker) -> None:
    verify(broker, "web-frontend", "backend-service", "p1", True)
    with client_of(broker) as c:
        assert [e.name for e in environments(c)] == ["test", "production"]
        deployment = record_deployment(c, "backend-service", "p1", "production", application_instance="blue")
        assert deployment.environment == "production" and deployment.url
        with pytest.raises(BrokerError, match=r"no environment 'staging' \(known: production, test\)"):
            record_deployment(c, "backend-service", "p1", "staging")
        with pytest.raises(BrokerError, match="no version p0 of backend-service"):
            record_deployment(c, "backend-service", "p0", "test")
    [posted] = broker.received(
        "POST", "/pacticipants/backend-service/versions/p1/deployed-versions/environment/"
    )
    assert posted.body == {"applicationInstance": "blue"}
    assert broker.state.deployed_in(broker.state.environment_named("production"), "backend-service") == ["p1"]  # type: ignore[arg-type]


def test_a_new_deployment_replaces_the_previous_one_in_the_environment(broker: FakeBroker) -> None:
    publish(broker, "c2", "main")
    with client_of(broker) as c:
        record_deployment(c, "web-frontend", "c2", "test")
    env = broker.state.environment_named("test")
    assert env is not None and broker.state.deployed_in(env, "web-frontend") == ["c2"]
