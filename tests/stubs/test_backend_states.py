"""The backend stub's provider states: each one prepares what it says and answers usable values."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest

import stubs.backend.states as states_module
from stubs.demo import demo_id
from stubs.provider_states import PROVIDER_STATES_PATH
from tests.stubs.backend_support import ADMIN, ALICE, BOB, Backend, served


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with served(run_event_interval=0.05) as client:
        yield client


def claims(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_every_state_is_documented(backend: Backend) -> None:
    names = backend.app.state.provider_states.names
    assert {"a user is logged in", "a thread exists", "a run is in progress", "a service token"} <= set(names)
    doc = states_module.__doc__ or ""
    assert [n for n in names if f"`{n}`" not in doc] == []


def test_a_user_is_logged_in_answers_a_bearer_header_for_the_audience(backend: Backend) -> None:
    values = backend.state("a user is logged in", user=BOB)
    assert values["token"] == f"Bearer {values['access_token']}"
    assert values["user_id"] == demo_id(BOB)
    assert claims(values["access_token"])["aud"] == "backend"
    assert backend.get("/v2/users/me", values["access_token"]).json()["email"] == BOB
    websocket = backend.state("a user is logged in", user=ALICE, audience="websocket")
    assert claims(websocket["access_token"])["aud"] == "websocket"


def test_a_thread_exists_for_its_user(backend: Backend) -> None:
    values = backend.state("a thread exists", user=ALICE, name="Pact thread")
    thread = backend.get(f"/v2/threads/{values['thread_id']}", values["access_token"]).json()
    assert thread["name"] == "Pact thread"


def test_a_thread_with_messages_exists(backend: Backend) -> None:
    values = backend.state("a thread with messages exists", user=ALICE, count=4)
    messages = backend.get(f"/v2/threads/{values['thread_id']}/messages", values["access_token"]).json()
    assert [m["id"] for m in messages["data"]][0] == values["message_id"]
    assert len(messages["data"]) == 4


@pytest.mark.parametrize(
    ("state", "owner"),
    [("a thread of another tenant exists", BOB), ("a thread of another user exists", ADMIN)],
)
def test_a_thread_of_someone_else_is_hidden_from_alice(backend: Backend, state: str, owner: str) -> None:
    values = backend.state(state)
    assert set(values) == {"thread_id"}
    assert backend.get(f"/v2/threads/{values['thread_id']}", backend.token(ALICE)).status_code == 404
    assert backend.get(f"/v2/threads/{values['thread_id']}", backend.token(owner)).status_code == 200


def test_a_run_of_another_user_exists(backend: Backend) -> None:
    values = backend.state("a run of another user exists")
    assert backend.get(f"/v2/runs/{values['run_id']}", backend.token(ALICE)).status_code == 404
    assert backend.get(f"/v2/runs/{values['run_id']}", backend.token(BOB)).json()["status"] == "running"


def test_run_states_answer_their_run_and_thread(backend: Backend) -> None:
    running = backend.state("a run is in progress")
    run = backend.get(f"/v2/runs/{running['run_id']}", running["access_token"]).json()
    assert run["status"] == "running" and run["thread_id"] == running["thread_id"]
    done = backend.state("a completed run exists")
    assert backend.get(f"/v2/runs/{done['run_id']}", done["access_token"]).json()["status"] == "completed"


def test_a_service_token_for_the_backend(backend: Backend) -> None:
    values = backend.state("a service token")
    assert values["token"] == f"Bearer {values['access_token']}"
    token_claims = claims(values["access_token"])
    assert (token_claims["aud"], token_claims["scope"]) == ("backend", "runs:read runs:write")
    narrow = claims(
        backend.state("a service token", client_id="agent-worker", scope="runs:read")["access_token"]
    )
    assert narrow["scope"] == "runs:read"


def test_the_user_has_no_threads(backend: Backend) -> None:
    backend.state("a thread exists", user=ALICE)
    values = backend.state("the user has no threads", user=ALICE)
    assert backend.get("/v2/threads", values["access_token"]).json()["data"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"state": "a thread exists", "params": {"user": "mallory@example.com"}}, "no demo user"),
        ({"state": "a service token", "params": {"client_id": "nobody"}}, "no demo client"),
        ({"state": "a thread with messages exists", "params": {"count": 0}}, "count"),
        ({"state": "the moon is full", "params": {}}, "unknown provider state"),
    ],
)
def test_a_state_that_cannot_be_set_up_is_a_400(
    backend: Backend, body: dict[str, object], fragment: str
) -> None:
    response = backend.http.post(PROVIDER_STATES_PATH, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_teardown_is_accepted(backend: Backend) -> None:
    response = backend.http.post(
        PROVIDER_STATES_PATH, json={"state": "a thread exists", "action": "teardown"}
    )
    assert response.status_code == 200 and response.json() == {}
