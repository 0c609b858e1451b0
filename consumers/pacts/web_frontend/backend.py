"""web-frontend → backend-service v2: threads, messages, runs, the profile and the tenant usage.

Unhappy paths the frontend handles: an expired token (401: refresh and retry), another tenant's thread
(404, never 403), a run while the previous one is in progress (409), a thread without a name (422,
the form shows `errors`). Ids in paths come from provider states (`${thread_id}`, `${run_id}`).
"""

from __future__ import annotations

from collections.abc import Callable

from pact import match

from consumers.backend_v2 import BackendClient
from consumers.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from consumers.pacts.support import (
    ADMIN,
    ALICE,
    BOB,
    EXAMPLE_JWT,
    EXPIRED_CHALLENGE,
    MESSAGE_ID,
    OTHER_THREAD_ID,
    PROBLEM_JSON,
    RUN_ID,
    THREAD_ID,
    USER_ID,
    PactWriter,
    bearer,
    email,
    one_of,
    path_from_state,
    problem,
    raises,
    serve_http,
    timestamp,
    uuid,
)

CONSUMER = "web-frontend"
JSON = "application/json"
PROVIDER = "backend-service"

THREAD = {
    "id": uuid(THREAD_ID),
    "name": "Trip planning",
    "created_at": timestamp(),
    "updated_at": timestamp(),
    "message_count": match.int(0),
}
THREAD_PATH = "/v2/threads/{}"


def list_threads(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for the user's threads")
            .given("the user has no threads", user=ALICE)
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("GET", "/v2/threads")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body({"data": match.each_like(THREAD), "next_cursor": None}, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            threads = list(client.threads(EXAMPLE_JWT))
    assert [t.name for t in threads] == ["Trip planning"]


def list_threads_expired(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for the user's threads with an expired token")
            .given("an expired access token exists", user=ALICE)
            .with_request("GET", "/v2/threads")
            .with_header("Authorization", bearer())
            .will_respond_with(401)
            .with_header("WWW-Authenticate", EXPIRED_CHALLENGE)
            .with_body(problem(401), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client, raises(Unauthorized):
            client.list_threads(EXAMPLE_JWT)


def create_thread(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a new thread")
            .given("a user is logged in", user=ALICE)
            .with_request("POST", "/v2/threads")
            .with_header("Authorization", bearer())
            .with_body({"name": "Trip planning"}, content_type=JSON)
            .will_respond_with(201)
            .with_header(
                "Location", match.regex(f"/v2/threads/{THREAD_ID}", regex=r"^/v2/threads/[0-9a-f-]{36}$")
            )
            .with_body(THREAD, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            thread = client.create_thread(EXAMPLE_JWT, "Trip planning")
    assert thread.id == THREAD_ID


def create_thread_invalid(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        errors = match.each_like({"location": match.str("body.name"), "message": match.str("too short")})
        (
            pact.upon_receiving("a new thread without a name")
            .given("a user is logged in", user=ALICE)
            .with_request("POST", "/v2/threads")
            .with_header("Authorization", bearer())
            .with_body({"name": ""}, content_type=JSON)
            .will_respond_with(422)
            .with_body(problem(422, errors=errors), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client, raises(ValidationFailed) as invalid:
            client.create_thread(EXAMPLE_JWT, "")
    assert invalid.value.errors[0]["location"]


def get_thread(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("GET", path_from_state(THREAD_PATH, THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(THREAD, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            thread = client.get_thread(EXAMPLE_JWT, THREAD_ID)
    assert thread.name == "Trip planning"


def get_thread_of_another_tenant(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for a thread of another tenant")
            .given("a user is logged in", user=ALICE)
            .given("a thread of another tenant exists", owner=BOB)
            .with_request("GET", path_from_state(THREAD_PATH, OTHER_THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(404)
            .with_body(problem(404), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client, raises(NotFound):
            client.get_thread(EXAMPLE_JWT, OTHER_THREAD_ID)


def delete_thread(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a deletion of one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("DELETE", path_from_state(THREAD_PATH, THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(204)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            client.delete_thread(EXAMPLE_JWT, THREAD_ID)


MESSAGE = {
    "id": uuid(MESSAGE_ID),
    "thread_id": uuid(THREAD_ID),
    "role": one_of("user", "user", "assistant"),
    "content": match.str("message 1"),
    "created_at": timestamp(),
}


def list_messages(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for a thread's messages")
            .given("a thread with messages exists", user=ALICE, count=2)
            .with_request("GET", path_from_state(THREAD_PATH + "/messages", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body({"data": match.each_like(MESSAGE, min=2), "next_cursor": None}, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            page = client.list_messages(EXAMPLE_JWT, THREAD_ID)
    assert page.data[0].thread_id == THREAD_ID and page.next_cursor is None


def post_message(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a new message in one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("POST", path_from_state(THREAD_PATH + "/messages", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .with_body({"content": "Where should we go?"}, content_type=JSON)
            .will_respond_with(201)
            .with_body({**MESSAGE, "role": "user", "content": "Where should we go?"}, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            message = client.post_message(EXAMPLE_JWT, THREAD_ID, "Where should we go?")
    assert message.role == "user"


def start_run(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a new run on one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("POST", path_from_state(THREAD_PATH + "/runs", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .with_body({"input": "Plan the trip"}, content_type=JSON)
            .will_respond_with(202)
            .with_header("Location", match.regex(f"/v2/runs/{RUN_ID}", regex=r"^/v2/runs/[0-9a-f-]{36}$"))
            .with_body(
                {
                    "id": uuid(RUN_ID),
                    "thread_id": uuid(THREAD_ID),
                    "status": "queued",
                    "created_at": timestamp(),
                    "stream_url": match.regex("ws://127.0.0.1:8003/ws", regex=r"^wss?://.+"),
                },
                content_type=JSON,
            )
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            run = client.start_run(EXAMPLE_JWT, THREAD_ID, "Plan the trip")
    assert run.location.endswith(run.id) and run.stream_url.startswith("ws")


def start_run_conflict(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a new run while the thread's previous run is in progress")
            .given("a run is in progress", user=ALICE)
            .with_request("POST", path_from_state(THREAD_PATH + "/runs", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .with_body({"input": "Plan the trip"}, content_type=JSON)
            .will_respond_with(409)
            .with_body(problem(409), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client, raises(Conflict):
            client.start_run(EXAMPLE_JWT, THREAD_ID, "Plan the trip")


def get_run(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for a run in progress")
            .given("a run is in progress", user=ALICE)
            .with_request("GET", path_from_state("/v2/runs/{}", RUN_ID, "run_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(
                {
                    "id": uuid(RUN_ID),
                    "thread_id": uuid(THREAD_ID),
                    "status": "running",
                    "created_at": timestamp(),
                    "updated_at": timestamp(),
                    "event_count": match.int(1),
                },
                content_type=JSON,
            )
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            run = client.get_run(EXAMPLE_JWT, RUN_ID)
    assert not run.finished


def me(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a request for the user's profile")
            .given("a user is logged in", user=ALICE)
            .with_request("GET", "/v2/users/me")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(
                {
                    "id": uuid(USER_ID),
                    "email": email(),
                    "display_name": match.str("Alice Example"),
                    "tenant": {"id": match.str("acme")},
                    "roles": match.each_like("member"),
                },
                content_type=JSON,
            )
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            profile = client.me(EXAMPLE_JWT)
    assert profile.tenant_id == "acme"


def usage(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        counts = {"threads": match.int(3), "messages": match.int(12), "runs": match.int(2)}
        (
            pact.upon_receiving("a request for the tenant's usage by a tenant admin")
            .given("a user is logged in", user=ADMIN)
            .with_request("GET", "/v2/admin/usage")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body({"tenant_id": match.str("acme"), **counts}, content_type=JSON)
        )
        with serve_http(pact) as url, BackendClient(url) as client:
            totals = client.usage(EXAMPLE_JWT)
    assert totals.tenant_id == "acme"


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    list_threads,
    list_threads_expired,
    create_thread,
    create_thread_invalid,
    get_thread,
    get_thread_of_another_tenant,
    delete_thread,
    list_messages,
    post_message,
    start_run,
    start_run_conflict,
    get_run,
    me,
    usage,
)
