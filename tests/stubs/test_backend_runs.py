"""Agent runs on the backend stub: 202 and the stream location, one active run per thread, the
simulated event stream as the clock moves, the internal events API, and cancellation.

The platform runs on a hand-driven clock (shared by the auth stub, so tokens stay valid), which
makes every step of the simulation exact instead of a race with a timer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from stubs.backend.runs import Run, RunFinished
from stubs.settings import AuthSettings
from tests.clock import FakeClock
from tests.stubs.backend_support import ALICE, Backend, served

INTERVAL = 1.0
OUTPUTS = 3


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def backend(clock: FakeClock) -> Iterator[Backend]:
    with served(
        auth=AuthSettings(clock=clock), run_event_interval=INTERVAL, run_output_events=OUTPUTS
    ) as client:
        yield client


@pytest.fixture
def alice(backend: Backend) -> str:
    return backend.token(ALICE)


@pytest.fixture
def reader(backend: Backend) -> str:
    return backend.service_token("agent-worker")


def start(backend: Backend, token: str, thread_id: str | None = None) -> dict[str, str]:
    thread_id = thread_id or backend.new_thread(token)
    response = backend.post(f"/v2/threads/{thread_id}/runs", token, json={"input": "plan a trip"})
    assert response.status_code == 202, response.text
    body: dict[str, str] = response.json()
    return body


def epoch(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def test_starting_a_run_answers_202_with_its_location_and_stream(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    response = backend.post(f"/v2/threads/{thread_id}/runs", alice, json={"input": "go"})
    assert response.status_code == 202
    run = response.json()
    assert response.headers["location"] == f"/v2/runs/{run['id']}"
    assert run["status"] == "queued" and run["thread_id"] == thread_id
    assert run["stream_url"] == backend.platform.websocket_url + "/ws"


def test_a_run_progresses_with_the_clock_until_completed(
    backend: Backend, clock: FakeClock, alice: str
) -> None:
    run_id = start(backend, alice)["id"]

    def seen() -> tuple[str, int]:
        run = backend.get(f"/v2/runs/{run_id}", alice).json()
        return run["status"], run["event_count"]

    assert seen() == ("queued", 0)
    clock.advance(INTERVAL)
    assert seen() == ("running", 1)
    clock.advance(OUTPUTS * INTERVAL)
    assert seen() == ("running", 1 + OUTPUTS)
    clock.advance(INTERVAL)
    assert seen() == ("completed", OUTPUTS + 2)
    clock.advance(100 * INTERVAL)
    assert seen() == ("completed", OUTPUTS + 2)


def test_the_internal_api_lists_the_events_in_order(
    backend: Backend, clock: FakeClock, alice: str, reader: str
) -> None:
    accepted = start(backend, alice)
    clock.advance((OUTPUTS + 2) * INTERVAL)
    answer = backend.get(f"/internal/v1/runs/{accepted['id']}/events", reader).json()
    assert answer["run_id"] == accepted["id"] and answer["status"] == "completed"
    events = answer["events"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert [(e["type"], e["data"]) for e in events] == [
        ("status", {"status": "running"}),
        ("output", {"text": "chunk 1"}),
        ("output", {"text": "chunk 2"}),
        ("output", {"text": "chunk 3"}),
        ("status", {"status": "completed"}),
    ]
    created = epoch(accepted["created_at"])
    assert [round(epoch(e["ts"]) - created, 2) for e in events] == [1.0, 2.0, 3.0, 4.0, 5.0]

    after = backend.get(f"/internal/v1/runs/{accepted['id']}/events", reader, params={"after": 2, "limit": 2})
    assert [e["seq"] for e in after.json()["events"]] == [3, 4]
    past_the_end = backend.get(f"/internal/v1/runs/{accepted['id']}/events", reader, params={"after": 5})
    assert past_the_end.json()["events"] == []


def test_the_internal_run_names_its_owner(
    backend: Backend, clock: FakeClock, alice: str, reader: str
) -> None:
    accepted = start(backend, alice)
    clock.advance(INTERVAL)
    run = backend.get(f"/internal/v1/runs/{accepted['id']}", reader).json()
    me = backend.get("/v2/users/me", alice).json()
    assert (run["owner_id"], run["tenant_id"]) == (me["id"], "acme")
    assert (run["status"], run["event_count"]) == ("running", 1)
    assert run["updated_at"] > run["created_at"]


def test_event_query_parameters_are_validated(backend: Backend, alice: str, reader: str) -> None:
    run_id = start(backend, alice)["id"]
    for params, location in [
        ({"after": -1}, "query/after"),
        ({"limit": 0}, "query/limit"),
        ({"limit": 501}, "query/limit"),
    ]:
        response = backend.get(f"/internal/v1/runs/{run_id}/events", reader, params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == location


def test_a_second_run_while_one_is_active_is_a_409(backend: Backend, clock: FakeClock, alice: str) -> None:
    first = start(backend, alice)
    conflict = backend.post(f"/v2/threads/{first['thread_id']}/runs", alice, json={"input": "again"})
    assert conflict.status_code == 409
    assert first["id"] in conflict.json()["detail"]
    clock.advance(INTERVAL)  # running: still active
    assert (
        backend.post(f"/v1/threads/{first['thread_id']}/runs", alice, json={"input": "v1"}).status_code == 409
    )
    clock.advance((OUTPUTS + 1) * INTERVAL)  # completed
    second = start(backend, alice, first["thread_id"])
    assert second["id"] != first["id"]


def test_cancel_freezes_the_events_and_ends_with_cancelled(
    backend: Backend, clock: FakeClock, alice: str
) -> None:
    writer = backend.service_token("agent-worker")
    accepted = start(backend, alice)
    clock.advance(2 * INTERVAL)
    cancelled = backend.post(f"/internal/v1/runs/{accepted['id']}/cancel", writer)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["event_count"]) == ("cancelled", 3)

    clock.advance(10 * INTERVAL)
    events = backend.get(f"/internal/v1/runs/{accepted['id']}/events", writer).json()
    assert events["status"] == "cancelled"
    assert [(e["seq"], e["type"], e["data"]) for e in events["events"]] == [
        (1, "status", {"status": "running"}),
        (2, "output", {"text": "chunk 1"}),
        (3, "status", {"status": "cancelled"}),
    ]
    assert backend.get(f"/v2/runs/{accepted['id']}", alice).json()["status"] == "cancelled"
    again = backend.post(f"/internal/v1/runs/{accepted['id']}/cancel", writer)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    # A cancelled run is not active: the thread takes a new run.
    start(backend, alice, accepted["thread_id"])


def test_a_queued_run_can_be_cancelled_but_a_completed_one_cannot(
    backend: Backend, clock: FakeClock, alice: str
) -> None:
    writer = backend.service_token("agent-worker")
    queued = start(backend, alice)
    answer = backend.post(f"/internal/v1/runs/{queued['id']}/cancel", writer).json()
    assert (answer["status"], answer["event_count"]) == ("cancelled", 1)

    done = start(backend, alice)
    clock.advance((OUTPUTS + 2) * INTERVAL)
    refused = backend.post(f"/internal/v1/runs/{done['id']}/cancel", writer)
    assert refused.status_code == 409 and "completed" in refused.json()["detail"]


def test_the_in_progress_state_stays_running_until_cancelled(backend: Backend, clock: FakeClock) -> None:
    state = backend.state("a run is in progress", user=ALICE)
    run = backend.get(f"/v2/runs/{state['run_id']}", state["access_token"]).json()
    assert (run["status"], run["event_count"]) == ("running", 1)
    clock.advance(1000 * INTERVAL)
    token = backend.token(ALICE)
    assert backend.get(f"/v2/runs/{state['run_id']}", token).json()["status"] == "running"
    conflict = backend.post(f"/v2/threads/{state['thread_id']}/runs", token, json={"input": "x"})
    assert conflict.status_code == 409


def test_the_completed_state_is_completed_at_once(backend: Backend) -> None:
    state = backend.state("a completed run exists", user=ALICE)
    run = backend.get(f"/v2/runs/{state['run_id']}", state["access_token"]).json()
    assert (run["status"], run["event_count"]) == ("completed", OUTPUTS + 2)


# the simulation itself, without HTTP


def simulated(**overrides: object) -> Run:
    fields: dict[str, object] = {
        "id": "r",
        "thread_id": "t",
        "owner_id": "u",
        "tenant_id": "acme",
        "input": "go",
        "created_at": 100.0,
        "position": 1,
        "interval": 0.5,
        "outputs": 2,
        **overrides,
    }
    return Run(**fields)  # type: ignore[arg-type]


def test_simulation_is_a_function_of_the_clock() -> None:
    run = simulated()
    assert [run.status(t) for t in (100.0, 100.49, 100.5, 101.49, 102.0, 500.0)] == [
        "queued",
        "queued",
        "running",
        "running",
        "completed",
        "completed",
    ]
    assert [e.seq for e in run.events(102.0)] == [1, 2, 3, 4]
    assert run.updated_at(100.2) == 100.0 and run.updated_at(101.2) == 101.0


def test_a_held_run_never_completes_and_a_finished_run_cannot_be_cancelled() -> None:
    held = simulated(hold_after=1)
    assert held.status(10_000.0) == "running" and len(held.events(10_000.0)) == 1
    finished = simulated()
    with pytest.raises(RunFinished) as raised:
        finished.cancel(200.0)
    assert raised.value.status == "completed"
