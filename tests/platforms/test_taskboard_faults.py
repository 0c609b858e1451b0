"""Each planted fault of taskboard, shown by a direct request: present when switched on, absent when off,
and no other fault's symptom appears with it. No fault changes the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.platforms.taskboard import FAULTS, Settings, create_app, serve
from tests.platforms.taskboard_support import ADA, BRIAN, client, login, mint, settings, ws_url

#: A probe sends the request that shows one fault and says whether the answer shows it.
Probe = Callable[[str, Settings], bool]


def _me_status(url: str, token: str) -> int:
    with client(url, token) as http:
        return http.get("/api/me").status_code


def forged_signature(url: str, config: Settings) -> bool:
    return _me_status(url, mint(config, 1, key="an-attacker-chosen-key-of-32-bytes!!")) == 200


def other_audience(url: str, config: Settings) -> bool:
    return _me_status(url, mint(config, 1, aud="billing-api")) == 200


def expired(url: str, config: Settings) -> bool:
    return _me_status(url, mint(config, 1, iat=1_700_000_000, exp=1_700_000_900)) == 200


def idor(url: str, config: Settings) -> bool:
    with client(url, login(url, ADA)) as ada, client(url, login(url, BRIAN)) as brian:
        project = ada.post("/api/projects", json={"name": "ada's secret plan"}).json()
        return brian.get(f"/api/projects/{project['id']}").status_code == 200


def websocket_without_token(url: str, config: Settings) -> bool:
    try:
        with connect(ws_url(url)) as ws:
            ws.recv(timeout=5)
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


def long_description(url: str, config: Settings) -> bool:
    with client(url, login(url, ADA)) as ada:
        status = ada.post("/api/projects", json={"name": "long", "description": "d" * 300}).status_code
        assert status in (201, 500)
        return status == 500


def dropped_field(url: str, config: Settings) -> bool:
    with client(url, login(url, ADA)) as ada:
        return "org" not in ada.get("/api/me").json()


def undeclared_status(url: str, config: Settings) -> bool:
    with client(url, login(url, ADA)) as ada:
        statuses = {ada.post("/api/projects", json={"name": "twice"}).status_code for _ in range(2)}
        assert statuses <= {201, 409}
        return 409 in statuses


def int64_overflow(url: str, config: Settings) -> bool:
    token = login(url, ADA)
    statuses = set()
    for path in (f"/api/projects/{2**63}", f"/api/tasks/{2**64 + 1}"):
        with client(url, token) as ada:  # uvicorn drops the connection of a request that crashed the app
            statuses.add(ada.get(path).status_code)
    assert statuses in ({404}, {500})
    return statuses == {500}


PROBES: dict[str, Probe] = {
    "signature-not-verified": forged_signature,
    "audience-not-checked": other_audience,
    "expiry-not-checked": expired,
    "idor": idor,
    "websocket-no-auth": websocket_without_token,
    "long-input-500": long_description,
    "response-field-dropped": dropped_field,
    "undeclared-status": undeclared_status,
    "int64-path-500": int64_overflow,
}


def observed(config: Settings) -> set[str]:
    with serve(config) as url:
        return {fault for fault, probe in PROBES.items() if probe(url, config)}


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == set(FAULTS)


def test_the_faithful_app_shows_no_fault() -> None:
    assert observed(settings()) == set()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_switched_on_fault_shows_and_nothing_else_does(fault: str) -> None:
    assert observed(settings(fault)) == {fault}


def test_all_faults_at_once_all_show() -> None:
    assert observed(settings(*FAULTS)) == set(FAULTS)


@pytest.fixture(scope="module")
def faithful_document() -> Iterator[dict[str, object]]:
    yield create_app(settings()).openapi()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_leaves_the_openapi_document_as_it_is(fault: str, faithful_document: dict[str, object]) -> None:
    assert create_app(settings(fault)).openapi() == faithful_document


def test_an_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown taskboard faults: typo"):
        settings("typo")
