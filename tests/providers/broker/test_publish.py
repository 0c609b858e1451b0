"""Publishing pacts through the contract publication endpoint: grouping, version facts, idempotence."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts import pact_files
from providers.broker.publish import ConsumerVersion, ci_build_url, git_branch, git_commit, publish_pacts
from providers.errors import BrokerError, ContractError
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN, client_of, edited_pact


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        yield fake


def test_one_publication_per_consumer_with_every_pact_byte_for_byte(broker: FakeBroker) -> None:
    version = ConsumerVersion("c1", "main", "https://ci.example/builds/1", ("rc",))
    with client_of(broker) as c:
        published = publish_pacts(c, pact_files(), version)
    bodies = {r.body["pacticipantName"]: r.body for r in broker.received("POST", "/contracts/publish")}
    assert sorted(bodies) == ["backend-service", "mobile-app-legacy", "web-frontend", "websocket-service"]
    web = bodies["web-frontend"]
    assert (web["pacticipantVersionNumber"], web["branch"], web["buildUrl"], web["tags"]) == (
        "c1",
        "main",
        "https://ci.example/builds/1",
        ["rc"],
    )
    assert sorted(c["providerName"] for c in web["contracts"]) == [
        "auth-service",
        "backend-service",
        "websocket-service",
    ]
    file = next(p for p in pact_files() if p.name == "web-frontend-auth-service.json")
    sent = next(c for c in web["contracts"] if c["providerName"] == "auth-service")
    assert base64.b64decode(sent["content"]) == file.read_bytes()
    assert (sent["specification"], sent["contentType"], sent["onConflict"]) == (
        "pact",
        "application/json",
        "overwrite",
    )
    assert sum(len(p.contracts) for p in published) == len(pact_files()) == len(broker.state.publications)
    assert broker.state.pacticipants["web-frontend"].main_branch == "main"


def test_publishing_the_same_version_again_changes_nothing(broker: FakeBroker) -> None:
    with client_of(broker) as c:
        publish_pacts(c, pact_files(), ConsumerVersion("c1", "main"))
        again = publish_pacts(c, pact_files(), ConsumerVersion("c1", "main"))
    assert len(broker.state.publications) == len(pact_files())
    texts = [text for p in again for kind, text in p.notices if kind == "success"]
    assert texts and all("republished" in t and "no content changes" in t for t in texts)


def test_different_content_for_a_published_version_is_refused_in_one_line(
    broker: FakeBroker, tmp_path: Path
) -> None:
    def new_status(document: dict) -> None:
        document["interactions"][0]["response"]["status"] = 299

    changed = edited_pact(tmp_path, "web-frontend-auth-service.json", new_status)
    with client_of(broker) as c:
        publish_pacts(c, pact_files(), ConsumerVersion("c1", "main"))
        with pytest.raises(BrokerError) as caught:
            publish_pacts(c, [changed], ConsumerVersion("c1", "main"))
        assert "(HTTP 409)" in str(caught.value) and "Cannot change the content of the pact" in str(
            caught.value
        )
        assert "\n" not in str(caught.value)
        publish_pacts(c, [changed], ConsumerVersion("c2", "main"))  # a new version may carry it
    assert len(broker.state.publications) == len(pact_files()) + 1


def test_a_file_that_is_not_a_pact_stops_before_anything_is_sent(broker: FakeBroker, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text(json.dumps({"consumer": {"name": "x"}}))
    with client_of(broker) as c, pytest.raises(ContractError, match="broken.json"):
        publish_pacts(c, [*pact_files(), tmp_path / "broken.json"], ConsumerVersion("c1"))
    assert broker.requests == []


def test_the_version_defaults_come_from_git_and_ci(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    assert git_commit(repo, environ={}) == head
    assert git_commit(tmp_path, environ={}) is None  # not a repository, no CI variable
    assert git_commit(tmp_path, environ={"GITHUB_SHA": "abc123"}) == "abc123"
    assert git_branch(tmp_path, environ={"GITHUB_HEAD_REF": "feat/x"}) == "feat/x"
    assert git_branch(tmp_path, environ={}) is None
    github = {"GITHUB_SERVER_URL": "https://ci.example", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7"}
    assert ci_build_url(github) == "https://ci.example/o/r/actions/runs/7"
    assert ci_build_url({"BUILD_URL": "https://jenkins/1"}) == "https://jenkins/1"
    assert ci_build_url({}) is None
