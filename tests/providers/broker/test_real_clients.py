"""The fake broker is faithful: the real Pact clients work against it, and it sees what they send.

pact-python's `Verifier(...).broker_source(...)` (the Rust FFI verifier) fetches the pacts for
verification and publishes verification results to it; pact-python-cli's `pact broker publish`,
`record-deployment` and `can-i-deploy` publish contracts, record deployments and read the matrix.
No request here is hand-built: what the fake received is what those clients sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pact import Verifier

from contractgate.embedded import embedded_stubs
from contracts import contracts_root, pact_files
from providers.broker.matrix import can_i_deploy
from providers.pacts.http import execute
from providers.target import Target
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, client_of, edited_pact, publish, verify

PACT = Path(sys.executable).parent / "pact"


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        yield fake


def pact_broker(fake: FakeBroker, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PACT_BROKER_BASE_URL": fake.url,
        "PACT_BROKER_TOKEN": TOKEN,
        "PACT_DO_NOT_TRACK": "true",
    }
    return subprocess.run(
        [str(PACT), "broker", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_pact_broker_publish(broker: FakeBroker) -> None:
    done = pact_broker(
        broker, "publish", str(contracts_root() / "pacts"), "-a", "c1", "--branch", "main",
        "--build-url", "https://ci.example/1", "--tag", "rc",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Pact successfully published for") == len(pact_files())  # our notices, parsed
    assert "Failed to process response notices" not in done.stdout
    posted = broker.received("POST", "/contracts/publish")
    assert len(posted) == len(pact_files()) and all(
        r.headers["authorization"] == f"Bearer {TOKEN}" for r in posted
    )
    assert {
        (r.body["pacticipantVersionNumber"], r.body["branch"], r.body["buildUrl"], tuple(r.body["tags"]))
        for r in posted
    } == {("c1", "main", "https://ci.example/1", ("rc",))}
    version = broker.state.versions[("web-frontend", "c1")]
    assert (version.branches, version.tags, version.build_url) == (["main"], ["rc"], "https://ci.example/1")
    again = pact_broker(broker, "publish", str(contracts_root() / "pacts"), "-a", "c1", "--branch", "main")
    assert again.returncode == 0 and again.stdout.count("no content changes") == len(pact_files())
    assert len(broker.state.publications) == len(pact_files())


def test_pact_broker_publish_is_refused_new_content_for_a_version_and_wrong_credentials(
    broker: FakeBroker, tmp_path: Path
) -> None:
    publish(broker, "c1", "main")
    changed = edited_pact(
        tmp_path,
        "web-frontend-auth-service.json",
        lambda d: d["interactions"][0]["response"].update(status=299),
    )
    conflict = pact_broker(broker, "publish", str(changed), "-a", "c1", "--branch", "main")
    assert (
        conflict.returncode == 1
        and "Cannot change the content of the pact for web-frontend version c1" in conflict.stdout
    )
    refused = pact_broker(broker, "publish", str(changed), "-a", "c2", "--broker-token", "wrong")
    assert refused.returncode == 1 and "401 Unauthorized" in refused.stdout
    assert len(broker.state.publications) == len(pact_files())


def test_the_pact_verifier_takes_pacts_from_the_broker_and_publishes_results(
    broker: FakeBroker, stubs: Target
) -> None:
    publish(broker, "c1", "main")
    auth = stubs.service("auth-service")
    verifier = (
        Verifier("auth-service", host="127.0.0.1")
        .add_transport(url=auth.base_url)
        .state_handler(auth.states_url or "", teardown=True, body=True)
        .broker_source(broker.url, token=TOKEN, selector=True)
        .include_pending()
        .include_wip_since("2024-01-01")
        .provider_branch("main")
        .consumer_version(main_branch=True)
        .consumer_version(deployed_or_released=True)
        .build()
        .set_publish_options(version="p1", branch="main")
    )
    run = execute(verifier)
    assert run.crashed is None and run.report.get("result") is True, run.output[-2000:]

    [request] = broker.received("POST", "/pacts/provider/auth-service/for-verification")
    assert request.body == {
        "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
        "includePendingStatus": True,
        "includeWipPactsSince": "2024-01-01",
        "providerVersionBranch": "main",
    }
    fetched = broker.received("GET", "/pacts/provider/auth-service/consumer/")
    assert len(fetched) == 4 and all("/pact-version/" in r.path and "/metadata/" in r.path for r in fetched)
    assert {r.path for r in broker.received("PUT")} == {
        "/pacticipants/auth-service/branches/main/versions/p1"
    }
    assert broker.state.versions[("auth-service", "p1")].branches == ["main"]

    results = [r for r in broker.received("POST", "/pacts/provider/auth-service/consumer/")]
    assert len(results) == 4 and all(r.path.endswith("/verification-results") for r in results)
    web = next(r for r in results if "/consumer/web-frontend/" in r.path)
    assert web.body["success"] is True and web.body["providerApplicationVersion"] == "p1"
    with client_of(broker) as c:
        served = c.get(f"{broker.url}/pacts/provider/auth-service/consumer/web-frontend/version/c1")
    assert {t["interactionId"] for t in web.body["testResults"]} == {i["_id"] for i in served["interactions"]}
    assert {(v.consumer, v.provider_version, v.success) for v in broker.verifications("auth-service")} == {
        (c, "p1", True) for c in ("backend-service", "mobile-app-legacy", "web-frontend", "websocket-service")
    }


def test_pact_broker_record_deployment_and_can_i_deploy(broker: FakeBroker) -> None:
    publish(broker, "c1", "main")
    for consumer in ("web-frontend", "mobile-app-legacy", "websocket-service"):
        done = pact_broker(
            broker, "record-deployment", "--pacticipant", consumer, "--version", "c1", "--environment", "test"
        )
        assert done.returncode == 0 and "Recorded deployment of" in done.stdout, done.stdout + done.stderr
    env = broker.state.environment_named("test")
    assert env is not None and broker.state.deployed_in(env, "web-frontend") == ["c1"]
    unknown_env = pact_broker(
        broker,
        "record-deployment",
        "--pacticipant",
        "web-frontend",
        "--version",
        "c1",
        "--environment",
        "nope",
    )
    assert unknown_env.returncode == 1 and "Environment nope does not exist" in unknown_env.stdout

    for consumer in ("web-frontend", "mobile-app-legacy", "websocket-service"):
        verify(broker, consumer, "backend-service", "p1", True)
    yes = pact_broker(
        broker,
        "can-i-deploy",
        "--pacticipant",
        "backend-service",
        "--version",
        "p1",
        "--to-environment",
        "test",
    )
    assert yes.returncode == 0 and "Computer says yes" in yes.stdout, yes.stdout + yes.stderr
    assert "web-frontend" in yes.stdout and "p1" in yes.stdout  # the rows, as the CLI's table

    verify(broker, "web-frontend", "backend-service", "p2", False, failed=("a new thread",))
    no = pact_broker(
        broker,
        "can-i-deploy",
        "--pacticipant",
        "backend-service",
        "--version",
        "p2",
        "--to-environment",
        "test",
        "--retry-while-unknown",
        "1",
        "--retry-interval",
        "0",
    )
    assert no.returncode == 1 and "Computer says no" in no.stdout
    assert (
        "The verification for the pact between web-frontend (c1) and backend-service (p2) failed" in no.stdout
    )
    with client_of(broker) as c:  # contractgate reads the same answers
        assert can_i_deploy(c, "backend-service", "p1", "test").yes
        assert can_i_deploy(c, "backend-service", "p2", "test").deployable is False

    broker.matrix_queries = 0
    verify(broker, "web-frontend", "backend-service", "p3", True)  # the other consumers' results are missing
    unknown = pact_broker(
        broker,
        "can-i-deploy",
        "--pacticipant",
        "backend-service",
        "--version",
        "p3",
        "--to-environment",
        "test",
        "--retry-while-unknown",
        "2",
        "--retry-interval",
        "0",
    )
    assert (
        unknown.returncode == 1 and broker.matrix_queries == 3
    )  # `deployable: null` is "unknown" to the CLI too
    json_answer = pact_broker(
        broker,
        "can-i-deploy",
        "--pacticipant",
        "backend-service",
        "--version",
        "p1",
        "--to-environment",
        "test",
        "--output",
        "json",
    )
    assert json.loads(json_answer.stdout)["summary"]["deployable"] is True
