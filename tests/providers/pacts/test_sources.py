"""Pact sources: files become `PactDocument`s; anything that is not a pact is a ContractError naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import pact_files
from providers.errors import ContractError
from providers.pacts.sources import BrokerInfo, FilePactSource, LoadedPacts, PactSource, parse_pact


def test_the_committed_pacts_parse() -> None:
    pacts = FilePactSource(pact_files()[0].parent).pacts()
    assert len(pacts) == len(pact_files())
    web = next(p for p in pacts if (p.consumer, p.provider) == ("web-frontend", "websocket-service"))
    assert {i.kind for i in web.interactions} == {"sync-message"}
    ping = next(i for i in web.interactions if i.description == "a ping")
    assert [s.name for s in ping.states] == ["a user is logged in"]
    assert ping.states[0].params == {"user": "alice@example.com", "audience": "websocket"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON at line 1"),
        ("[]", "expected a JSON object"),
        ('{"provider": {"name": "p"}, "interactions": []}', "missing consumer.name"),
        ('{"consumer": {"name": "c"}, "provider": {"name": "p"}}', "missing the interactions list"),
        (
            '{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [{"request": {}}]}',
            "no description",
        ),
        (
            '{"consumer": {"name": "c"}, "provider": {"name": "p"}, '
            '"interactions": [{"description": "d", "type": "Carrier/Pigeon"}]}',
            "unknown type",
        ),
    ],
)
def test_a_malformed_pact_names_the_file(tmp_path: Path, content: str, reason: str) -> None:
    broken = tmp_path / "broken-pact.json"
    broken.write_text(content)
    with pytest.raises(ContractError) as error:
        FilePactSource(tmp_path).pacts()
    assert str(broken) in str(error.value) and reason in str(error.value)


def test_a_missing_folder_is_a_contract_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such pact file or folder"):
        FilePactSource(tmp_path / "nowhere").pacts()


def test_pending_and_broker_metadata_are_kept() -> None:
    document = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "description": "new",
                "pending": True,
                "request": {"method": "GET", "path": "/"},
                "response": {},
            },
            {"description": "old", "providerState": "a v2 state", "request": {"method": "GET", "path": "/x"}},
        ],
    }
    pact = parse_pact(
        json.loads(json.dumps(document)), "broker:1", BrokerInfo(wip=True, verification_results_url="u")
    )
    assert [i.pending for i in pact.interactions] == [True, False]
    assert pact.interactions[1].states[0].name == "a v2 state"
    assert pact.broker is not None and pact.broker.verification_results_url == "u"
    assert [i["description"] for i in pact.subset([pact.interactions[1]])["interactions"]] == ["old"]


def test_sources_share_one_protocol() -> None:
    loaded: PactSource = LoadedPacts([], "nothing")
    files: PactSource = FilePactSource(pact_files()[0].parent)
    assert loaded.pacts() == [] and files.description.endswith("pacts")
