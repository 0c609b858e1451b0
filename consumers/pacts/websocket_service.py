"""websocket-service's pacts: auth-service (its tokens and the users') and the backend's internal API.

At the handshake the WebSocket service verifies the user's token (JWKS) and introspects it; with
its own client-credentials token (audience backend, scope runs:read) it asks the backend's internal
API whether a run belongs to the subscribing user and polls the run's events to stream them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pact import match

from consumers.errors import NotFound
from consumers.internal import InternalRunsClient
from consumers.pacts import backend_service
from consumers.pacts.support import (
    ALICE,
    EXAMPLE_JWT,
    RUN_ID,
    THREAD_ID,
    UNKNOWN_ID,
    USER_ID,
    PactWriter,
    bearer,
    path_from_state,
    problem,
    raises,
    serve_http,
    timestamp,
    uuid,
)

CONSUMER = "websocket-service"
BACKEND = "backend-service"
JSON = "application/json"
INTROSPECTING: dict[str, object] = {
    "client_id": "websocket-service",
    "audience": "auth",
    "scope": "auth:introspect",
}
READING_RUNS: dict[str, object] = {"client_id": "websocket-service", "scope": "runs:read"}

INTERNAL_RUN = {
    "id": uuid(RUN_ID),
    "thread_id": uuid(THREAD_ID),
    "owner_id": match.str(USER_ID),
    "tenant_id": match.str("acme"),
    "status": "running",
    "created_at": timestamp(),
    "updated_at": timestamp(),
    "event_count": match.int(1),
}


def internal_run(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        (
            pact.upon_receiving("a request for a run in progress, with its owner")
            # The service token's state comes last: its `token` is the one the request carries.
            .given("a run is in progress", user=ALICE)
            .given("a service token", READING_RUNS)
            .with_request("GET", path_from_state("/internal/v1/runs/{}", RUN_ID, "run_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(INTERNAL_RUN, content_type=JSON)
        )
        with serve_http(pact) as url, InternalRunsClient(url) as client:
            run = client.run(EXAMPLE_JWT, RUN_ID)
    assert run.visible_to(USER_ID, "acme")


def run_events(writer: PactWriter) -> None:
    event = {"seq": 1, "type": "status", "data": {"status": "running"}, "ts": timestamp()}
    with writer.pact(CONSUMER, BACKEND) as pact:
        (
            pact.upon_receiving("a request for the events of a run in progress")
            .given("a run is in progress", user=ALICE)
            .given("a service token", READING_RUNS)
            .with_request("GET", path_from_state("/internal/v1/runs/{}/events", RUN_ID, "run_id"))
            .with_query_parameter("after", "0")
            .with_query_parameter("limit", "100")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(
                {"run_id": uuid(RUN_ID), "status": "running", "events": match.each_like(event)},
                content_type=JSON,
            )
        )
        with serve_http(pact) as url, InternalRunsClient(url) as client:
            events = client.events(EXAMPLE_JWT, RUN_ID)
    assert events.events[0].seq == 1 and not events.finished


def unknown_run(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        (
            pact.upon_receiving("a request for a run that does not exist")
            .given("a service token", READING_RUNS)
            .with_request("GET", f"/internal/v1/runs/{UNKNOWN_ID}")
            .with_header("Authorization", bearer())
            .will_respond_with(404)
            .with_body(problem(404), content_type="application/problem+json")
        )
        with serve_http(pact) as url, InternalRunsClient(url) as client, raises(NotFound):
            client.run(EXAMPLE_JWT, UNKNOWN_ID)


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    partial(
        backend_service.client_credentials,
        consumer=CONSUMER,
        client_id=CONSUMER,
        audience="backend",
        scope="runs:read",
    ),
    partial(
        backend_service.client_credentials,
        consumer=CONSUMER,
        client_id=CONSUMER,
        audience="auth",
        scope="auth:introspect",
    ),
    partial(backend_service.jwks, consumer=CONSUMER),
    partial(
        backend_service.introspect_active,
        consumer=CONSUMER,
        introspecting=INTROSPECTING,
        audience="websocket",
    ),
    internal_run,
    run_events,
    unknown_run,
)
