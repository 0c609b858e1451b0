"""mobile-app-legacy's pacts: auth-service v1 and backend-service v1, which keep v1 honest.

The legacy app relies on v1's shapes (`title`, `text`, `run_id`, page numbers) and on the
deprecation headers every v1 answer carries (it warns users before the sunset date), errors
included. Its unhappy paths: a wrong password (401 in v1), a throttled login (429 + Retry-After), an
expired token (401 → refresh), another tenant's thread (404), a title it sent empty (422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pact import match

from consumers.auth_v1 import LegacyAuthClient
from consumers.backend_v1 import LegacyBackendClient
from consumers.errors import NotFound, RateLimited, Unauthorized, ValidationFailed
from consumers.pacts.support import (
    ALICE,
    BOB,
    EXAMPLE_JWT,
    EXAMPLE_REFRESH_JWT,
    MESSAGE_ID,
    OTHER_THREAD_ID,
    PROBLEM_JSON,
    RUN_ID,
    THREAD_ID,
    USER_ID,
    PactWriter,
    bearer,
    email,
    from_state,
    jwt,
    one_of,
    path_from_state,
    problem,
    raises,
    serve_http,
    timestamp,
    uuid,
)

CONSUMER = "mobile-app-legacy"
AUTH = "auth-service"
BACKEND = "backend-service"
JSON = "application/json"

#: The deprecation headers the app reads on every v1 answer (RFC 9745, RFC 8594, RFC 8288).
DEPRECATION: dict[str, Any] = {
    "Deprecation": match.regex("@1767225600", regex=r"^@[0-9]+$"),
    "Sunset": match.regex(
        "Sat, 01 Jan 2028 00:00:00 GMT",
        regex=r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$",
    ),
    "Link": match.regex(
        '</v2/auth/token>; rel="successor-version"', regex=r'^<[^>]+>; *rel="successor-version".*$'
    ),
}
TOKENS = {
    "access_token": jwt(),
    "refresh_token": jwt(EXAMPLE_REFRESH_JWT),
    "token_type": "Bearer",
    "expires_in": match.int(900),
}


def _deprecated(interaction: Any) -> Any:
    for name, value in DEPRECATION.items():
        interaction.with_header(name, value)
    return interaction


# -- auth-service v1 ----------------------------------------------------------------------------------


def login(writer: PactWriter) -> None:
    credentials = {
        "email": from_state(ALICE, "${username}"),
        "password": from_state("alice-password", "${password}"),
    }
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 login")
            .given("a user exists", user=ALICE)
            .with_request("POST", "/v1/auth/login")
            .with_body(credentials, content_type=JSON)
            .will_respond_with(200)
            .with_body(TOKENS, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client:
            tokens = client.login(ALICE, "alice-password")
            assert client.last_deprecation is not None
    assert tokens.access_token == EXAMPLE_JWT


def login_wrong_password(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 login with a wrong password")
            .given("a user exists", user=ALICE)
            .with_request("POST", "/v1/auth/login")
            .with_body(
                {"email": from_state(ALICE, "${username}"), "password": "not-the-password"}, content_type=JSON
            )
            .will_respond_with(401)
            .with_body(problem(401), content_type=PROBLEM_JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client, raises(Unauthorized):
            client.login(ALICE, "not-the-password")


def login_throttled(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 login while the account is throttled")
            .given("login is throttled", user=ALICE)
            .with_request("POST", "/v1/auth/login")
            .with_body({"email": ALICE, "password": "alice-password"}, content_type=JSON)
            .will_respond_with(429)
            .with_header("Retry-After", match.regex("60", regex=r"^[0-9]+$"))
            .with_body(problem(429), content_type=PROBLEM_JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client, raises(RateLimited) as throttled:
            client.login(ALICE, "alice-password")
    assert throttled.value.retry_after == 60


def refresh(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 token refresh")
            .given("a refresh token exists", user=ALICE)
            .with_request("POST", "/v1/auth/refresh")
            .with_body(
                {"refresh_token": from_state(EXAMPLE_REFRESH_JWT, "${refresh_token}")}, content_type=JSON
            )
            .will_respond_with(200)
            .with_body(TOKENS, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client:
            tokens = client.refresh(EXAMPLE_REFRESH_JWT)
    assert tokens.refresh_token == EXAMPLE_REFRESH_JWT


ME = {
    "id": uuid(USER_ID),
    "email": email(),
    "name": match.str("Alice Example"),
    "tenant_id": match.str("acme"),
    "roles": match.each_like("member"),
}


def me(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for the user's account")
            .given("a user is logged in", user=ALICE, audience="backend")
            .with_request("GET", "/v1/auth/me")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(ME, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client:
            account = client.me(EXAMPLE_JWT)
    assert account.tenant_id == "acme"


def me_expired(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for the user's account with an expired token")
            .given("an expired access token exists", user=ALICE, audience="backend")
            .with_request("GET", "/v1/auth/me")
            .with_header("Authorization", bearer())
            .will_respond_with(401)
            .with_header("WWW-Authenticate", match.regex('Bearer realm="x"', regex=r"^Bearer .*$"))
            .with_body(problem(401), content_type=PROBLEM_JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client, raises(Unauthorized):
            client.me(EXAMPLE_JWT)


def logout(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, AUTH) as pact:
        interaction = (
            pact.upon_receiving("a v1 logout")
            .given("a user is logged in", user=ALICE, audience="backend")
            .with_request("POST", "/v1/auth/logout")
            .with_header("Authorization", bearer())
            .will_respond_with(204)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyAuthClient(url) as client:
            client.logout(EXAMPLE_JWT)


# -- backend-service v1 -------------------------------------------------------------------------------

THREAD = {
    "id": uuid(THREAD_ID),
    "title": "Trip planning",
    "created_at": timestamp(),
    "updated_at": timestamp(),
    "message_count": match.int(0),
}
THREAD_PATH = "/v1/threads/{}"
MESSAGE = {
    "id": uuid(MESSAGE_ID),
    "thread_id": uuid(THREAD_ID),
    "role": one_of("user", "user", "assistant"),
    "text": match.str("message 1"),
    "created_at": timestamp(),
}


def _page(items: Any, total: Any) -> dict[str, Any]:
    return {"items": items, "page": 1, "per_page": 20, "total": total}


def list_threads(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for the user's threads")
            .given("the user has no threads", user=ALICE)
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("GET", "/v1/threads")
            .with_query_parameter("page", "1")
            .with_query_parameter("per_page", "20")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(_page(match.each_like(THREAD), 1), content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            page = client.list_threads(EXAMPLE_JWT)
    assert [t.title for t in page.items] == ["Trip planning"] and not page.has_more


def create_thread(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a new v1 thread")
            .given("a user is logged in", user=ALICE)
            .with_request("POST", "/v1/threads")
            .with_header("Authorization", bearer())
            .with_body({"title": "Trip planning"}, content_type=JSON)
            .will_respond_with(201)
            .with_body(THREAD, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            thread = client.create_thread(EXAMPLE_JWT, "Trip planning")
    assert thread.title == "Trip planning"


def create_thread_invalid(writer: PactWriter) -> None:
    errors = match.each_like({"location": match.str("body.title"), "message": match.str("too short")})
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a new v1 thread without a title")
            .given("a user is logged in", user=ALICE)
            .with_request("POST", "/v1/threads")
            .with_header("Authorization", bearer())
            .with_body({"title": ""}, content_type=JSON)
            .will_respond_with(422)
            .with_body(problem(422, errors=errors), content_type=PROBLEM_JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client, raises(ValidationFailed) as invalid:
            client.create_thread(EXAMPLE_JWT, "")
    assert invalid.value.errors


def get_thread(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("GET", path_from_state(THREAD_PATH, THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(THREAD, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            thread = client.get_thread(EXAMPLE_JWT, THREAD_ID)
    assert thread.id == THREAD_ID


def get_thread_of_another_tenant(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for a thread of another tenant")
            .given("a user is logged in", user=ALICE)
            .given("a thread of another tenant exists", owner=BOB)
            .with_request("GET", path_from_state(THREAD_PATH, OTHER_THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(404)
            .with_body(problem(404), content_type=PROBLEM_JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client, raises(NotFound):
            client.get_thread(EXAMPLE_JWT, OTHER_THREAD_ID)


def list_messages(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for a thread's messages")
            .given("a thread with messages exists", user=ALICE, count=2)
            .with_request("GET", path_from_state(THREAD_PATH + "/messages", THREAD_ID, "thread_id"))
            .with_query_parameter("page", "1")
            .with_query_parameter("per_page", "20")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(_page(match.each_like(MESSAGE, min=2), match.int(2)), content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            page = client.list_messages(EXAMPLE_JWT, THREAD_ID)
    assert page.items[0].thread_id == THREAD_ID


def post_message(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a new v1 message in one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("POST", path_from_state(THREAD_PATH + "/messages", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .with_body({"text": "Where should we go?"}, content_type=JSON)
            .will_respond_with(201)
            .with_body({**MESSAGE, "role": "user", "text": "Where should we go?"}, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            message = client.post_message(EXAMPLE_JWT, THREAD_ID, "Where should we go?")
    assert message.text == "Where should we go?"


def start_run(writer: PactWriter) -> None:
    accepted = {
        "run_id": uuid(RUN_ID),
        "status": "queued",
        "stream_url": match.regex("ws://127.0.0.1:8003/ws", regex=r"^wss?://.+$"),
    }
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a new v1 run on one of the user's threads")
            .given("a thread exists", user=ALICE, name="Trip planning")
            .with_request("POST", path_from_state(THREAD_PATH + "/runs", THREAD_ID, "thread_id"))
            .with_header("Authorization", bearer())
            .with_body({"input": "Plan the trip"}, content_type=JSON)
            .will_respond_with(202)
            .with_body(accepted, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            run = client.start_run(EXAMPLE_JWT, THREAD_ID, "Plan the trip")
    assert run.run_id == RUN_ID


def get_run(writer: PactWriter) -> None:
    body = {
        "run_id": uuid(RUN_ID),
        "thread_id": uuid(THREAD_ID),
        "status": "running",
        "created_at": timestamp(),
        "updated_at": timestamp(),
    }
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for a run in progress")
            .given("a run is in progress", user=ALICE)
            .with_request("GET", path_from_state("/v1/runs/{}", RUN_ID, "run_id"))
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(body, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            run = client.get_run(EXAMPLE_JWT, RUN_ID)
    assert run.status == "running"


def backend_me(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, BACKEND) as pact:
        interaction = (
            pact.upon_receiving("a v1 request for the user's profile")
            .given("a user is logged in", user=ALICE)
            .with_request("GET", "/v1/users/me")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(ME, content_type=JSON)
        )
        _deprecated(interaction)
        with serve_http(pact) as url, LegacyBackendClient(url) as client:
            profile = client.me(EXAMPLE_JWT)
    assert profile.roles == ("member",)


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    login,
    login_wrong_password,
    login_throttled,
    refresh,
    me,
    me_expired,
    logout,
    list_threads,
    create_thread,
    create_thread_invalid,
    get_thread,
    get_thread_of_another_tenant,
    list_messages,
    post_message,
    start_run,
    get_run,
    backend_me,
)
