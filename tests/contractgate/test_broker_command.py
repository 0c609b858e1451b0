"""`contractgate broker …` and `contractgate pacts verify --broker`: the Pact Broker workflow end to end.

Everything goes through the command line against the fake broker (tests/providers/broker/fake_broker.py,
proven faithful by the real Pact clients in tests/providers/broker/test_real_clients.py), configured the
standard way: PACT_BROKER_BASE_URL and PACT_BROKER_TOKEN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.embedded import embedded_stubs
from contracts import pact_files
from stubs.backend import create_app as backend_app
from stubs.platform import PlatformOptions
from stubs.server import bind, url_of
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, edited_pact
from tests.providers.pacts.broken_providers import EditJsonResponses, rename_field

CONSUMERS = ("web-frontend", "mobile-app-legacy", "websocket-service")
PUBLISH_C1 = "broker publish --consumer-version c1 --branch main"
VERIFY = "pacts verify --broker --provider backend-service --provider-branch main --publish-results"


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        fake.create_environment("staging")
        monkeypatch.setenv("PACT_BROKER_BASE_URL", fake.url)
        monkeypatch.setenv("PACT_BROKER_TOKEN", TOKEN)
        monkeypatch.setenv("PACT_BROKER_HTTP_RETRIES", "0")
        for name in ("PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD"):
            monkeypatch.delenv(name, raising=False)
        yield fake


def run(capsys: pytest.CaptureFixture[str], command: str, *extra: str) -> tuple[int, str, str]:
    code = main([*command.split(), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_publish_verify_can_i_deploy_then_a_breaking_change(
    broker: FakeBroker, capsys: pytest.CaptureFixture[str]
) -> None:
    # the consumers publish their pacts and are deployed to staging
    code, out, _ = run(capsys, PUBLISH_C1)
    assert (
        code == 0 and f"published {len(pact_files())} pacts" in out and "as version c1 on branch main" in out
    )
    for consumer in CONSUMERS:
        code, out, _ = run(
            capsys, f"broker record-deployment --pacticipant {consumer} --version c1 --environment staging"
        )
        assert code == 0 and f"recorded: {consumer} c1 is deployed to staging" in out

    # the provider verifies the pacts from the broker against the stubs and publishes the results
    code, out, _ = run(capsys, VERIFY, "--provider-version", "p1")
    assert code == 0, out
    assert "3 pacts from the Pact Broker at" in out
    assert out.count("verification result published (success)") == 3
    assert {(v.consumer, v.provider_version, v.success) for v in broker.verifications("backend-service")} == {
        (c, "p1", True) for c in CONSUMERS
    }
    code, out, _ = run(
        capsys, "broker can-i-deploy --pacticipant backend-service --version p1 --to-environment staging"
    )
    assert code == 0 and "✓ yes: backend-service p1 to staging may be deployed" in out
    for consumer in CONSUMERS:  # the rows that decide it
        assert re.search(rf"^{consumer}\s+c1\s+backend-service\s+p1\s+success$", out, re.M), out

    # a provider change renames a field web-frontend relies on
    def renamed(settings: object) -> object:
        return EditJsonResponses(backend_app(settings), "POST", r"/v2/threads", rename_field("name", "title"))

    with embedded_stubs(PlatformOptions(backend_factory=renamed)) as (platform, _):
        code, out, _ = run(
            capsys,
            VERIFY,
            "--provider-version",
            "p2",
            "--service",
            f"backend-service={platform.backend_url}",
            "--provider-states",
            "--unsafe",
        )
    assert code == 1
    assert "FAIL    web-frontend → backend-service: a new thread" in out
    assert "web-frontend → backend-service: verification result published (failure)" in out
    [failed] = [
        v for v in broker.verifications("backend-service") if v.provider_version == "p2" and not v.success
    ]
    assert failed.consumer == "web-frontend"
    assert [t["interactionDescription"] for t in failed.body["testResults"] if not t["success"]] == [
        "a new thread"
    ]

    code, out, _ = run(
        capsys, "broker can-i-deploy --pacticipant backend-service --version p2 --to-environment staging"
    )
    assert code == 1
    assert re.search(r"^web-frontend\s+c1\s+backend-service\s+p2\s+failed$", out, re.M), out
    assert "✗ web-frontend c1 → backend-service p2: interaction 'a new thread' failed" in out
    assert "✗ no: backend-service p2 to staging may not be deployed" in out


def test_a_pending_pact_that_fails_does_not_fail_and_is_reported_pending(
    broker: FakeBroker, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def unbuilt(document: dict) -> None:
        new = next(i for i in document["interactions"] if i["description"] == "a new thread")
        new["response"]["status"] = 418  # what the consumer expects from now on; no provider does it yet

    edited_pact(tmp_path, "web-frontend-backend-service.json", unbuilt)
    assert run(capsys, PUBLISH_C1)[0] == 0
    assert run(capsys, "broker publish --consumer-version c2 --branch feat-x --pacts", str(tmp_path))[0] == 0
    code, out, _ = run(
        capsys,
        VERIFY,
        "--consumer",
        "web-frontend",
        "--provider-version",
        "p1",
        "--include-wip-since",
        "2020-01-01",
    )
    assert code == 0, out  # c2's pact is a WIP pact, pending: its failure does not fail the run
    assert "SKIPPED web-frontend → backend-service: a new thread" in out
    assert "pending, not yet honoured: status: expected 418 but was 201" in out
    assert (
        "verification result published (failure)" in out and "verification result published (success)" in out
    )
    assert out.strip().splitlines()[-1].startswith("PASS")


def test_results_are_published_only_when_asked(
    broker: FakeBroker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, PUBLISH_C1)[0] == 0
    command = (
        "pacts verify --broker --provider backend-service --consumer websocket-service --provider-branch main"
    )
    code, out, _ = run(capsys, command)
    assert code == 0 and "published" not in out
    assert broker.verifications() == [] and broker.received("PUT") == []


def test_publishing_twice_is_idempotent(broker: FakeBroker, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        code, out, _ = run(capsys, PUBLISH_C1, "--tag", "rc")
        assert code == 0
    assert "republished" in out and "no content changes" in out
    assert len(broker.state.publications) == len(pact_files())


def test_can_i_deploy_waits_while_unknown_but_not_forever(
    broker: FakeBroker, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, PUBLISH_C1)[0] == 0
    assert (
        run(capsys, "broker record-deployment --pacticipant web-frontend --version c1 --environment staging")[
            0
        ]
        == 0
    )
    with broker.state.lock:
        broker.state.version("backend-service", "p1")  # a provider version that has verified nothing yet
    code, out, _ = run(
        capsys,
        "broker can-i-deploy --pacticipant backend-service --version p1 --to-environment staging",
        *"--retry-while-unknown 2 --retry-interval 0.01 --output json".split(),
    )
    assert code == 1 and broker.matrix_queries == 3
    answer = json.loads(out)
    assert answer["deployable"] is None and answer["queries"] == 3
    assert (answer["rows"][0]["consumer"], answer["rows"][0]["success"]) == ("web-frontend", None)


FAILING_COMMANDS = {
    "can-i-deploy": "broker can-i-deploy --pacticipant backend-service --version p1 --to-environment staging",
    "publish": PUBLISH_C1,
    "record-deployment": "broker record-deployment --pacticipant web-frontend --version c1 --environment staging",
    "pacts-verify": "pacts verify --broker --provider backend-service",
}
EXPECTED = {
    "down": "Pact Broker unreachable: GET",
    "500": "Pact Broker failed (HTTP 500): GET",
    "401": "Pact Broker refused the token in PACT_BROKER_TOKEN (HTTP 401)",
}


@pytest.mark.parametrize("command", FAILING_COMMANDS)
@pytest.mark.parametrize("failure", EXPECTED)
def test_a_broker_that_fails_is_one_line_exit_2_and_never_shows_the_token(
    broker: FakeBroker,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    command: str,
) -> None:
    if failure == "down":
        sock = bind()
        monkeypatch.setenv("PACT_BROKER_BASE_URL", url_of(sock))
        sock.close()
    elif failure == "500":
        broker.fail_with = 500
    else:
        monkeypatch.setenv("PACT_BROKER_TOKEN", "not-the-" + TOKEN)
    code, out, err = run(capsys, FAILING_COMMANDS[command])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("contractgate: error: " + EXPECTED[failure]), err
    assert TOKEN not in out + err


def test_without_a_broker_the_commands_say_how_to_configure_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    code, _, err = run(capsys, "broker can-i-deploy --pacticipant a --version 1 --to-environment x")
    assert code == 2 and "no Pact Broker configured: set PACT_BROKER_BASE_URL" in err
    code, _, err = run(capsys, "pacts verify --publish-results")
    assert code == 2 and "need --broker" in err
