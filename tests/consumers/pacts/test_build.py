"""`consumers.pacts.build`: every pair of DESIGN.md's table, byte-stable files, credentials from states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consumers.pacts.build import build
from contracts import pact_files

PAIRS = {
    ("web-frontend", "auth-service"),
    ("web-frontend", "backend-service"),
    ("web-frontend", "websocket-service"),
    ("mobile-app-legacy", "auth-service"),
    ("mobile-app-legacy", "backend-service"),
    ("backend-service", "auth-service"),
    ("websocket-service", "auth-service"),
    ("websocket-service", "backend-service"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    first = build(tmp_path_factory.mktemp("first"))
    second = build(tmp_path_factory.mktemp("second"))
    return first, second


def test_building_twice_gives_identical_bytes(built: tuple[list[Path], list[Path]]) -> None:
    first, second = built
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_the_committed_pacts_are_what_the_consumers_build(built: tuple[list[Path], list[Path]]) -> None:
    committed = {p.name: p.read_bytes() for p in pact_files()}
    fresh = {p.name: p.read_bytes() for p in built[0]}
    stale = sorted(name for name in fresh if committed.get(name) != fresh[name])
    assert stale == [], f"run `contractgate pacts build` and commit: {stale}"
    assert set(committed) == set(fresh)


def test_every_pair_of_the_design_has_a_v4_pact(built: tuple[list[Path], list[Path]]) -> None:
    documents = [json.loads(p.read_text()) for p in built[0]]
    pairs = {(d["consumer"]["name"], d["provider"]["name"]) for d in documents}
    assert pairs == PAIRS
    for document in documents:
        assert document["metadata"]["pactSpecification"]["version"] == "4.0"
        assert len(document["interactions"]) >= 3


def _credentials(interaction: dict[str, object]) -> dict[str, tuple[str, dict[str, object]]]:
    """Header or metadata name → (value, generator) for every credential an interaction sends."""
    request: dict = interaction["request"]  # type: ignore[assignment]
    found = {}
    for part, values in (
        ("header", request.get("headers") or {}),
        ("metadata", request.get("metadata") or {}),
    ):
        generators = (request.get("generators") or {}).get(part) or {}
        for name in values:
            if name.lower() in ("authorization", "sec-websocket-protocol"):
                found[name] = (str(values[name]), generators.get(name) or {})
    return found


def test_credentials_come_from_provider_states(built: tuple[list[Path], list[Path]]) -> None:
    checked = 0
    for path in built[0]:
        for interaction in json.loads(path.read_text())["interactions"]:
            for name, (_, generator) in _credentials(interaction).items():
                checked += 1
                assert generator.get("type") == "ProviderState", (path.name, interaction["description"], name)
                assert interaction.get("providerStates"), (path.name, interaction["description"])
    assert checked > 40


def test_the_unhappy_paths_consumers_handle_are_pinned(built: tuple[list[Path], list[Path]]) -> None:
    statuses = set()
    for path in built[0]:
        for interaction in json.loads(path.read_text())["interactions"]:
            response = interaction["response"]
            if isinstance(response, dict):
                statuses.add(response["status"])
    assert {401, 404, 409, 422, 429} <= statuses
