"""web-frontend → websocket-service: the `/ws` channel as Pact V4 synchronous messages.

Each exchange opens a fresh connection (the handshake credential — `Authorization`, or the browser's
`events.v1, bearer.<jwt>` subprotocols — comes from a provider state), sends one client message and
expects the server message that answers it. On a fresh connection the `welcome` is `seq` 1, so the
answer is `seq` 2: the frontend checks the numbering because `resume` depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from pact import Pact, match

from consumers import realtime
from consumers.pacts.support import (
    ALICE,
    BOB,
    EXAMPLE_JWT,
    RUN_ID,
    PactWriter,
    bearer,
    from_state,
    one_of,
    raises,
    serve_channel,
    timestamp,
)

CONSUMER = "web-frontend"
JSON = "application/json"
PROVIDER = "websocket-service"

SESSION_ID = "Qm9vdHN0cmFwLXNlc3Npb24tMQ"
WELCOME = {
    "type": "welcome",
    "id": match.str("5f0c1a8e2b9d4c7e8f6a1b2c3d4e5f60"),
    "seq": 1,
    "ts": timestamp(),
    "payload": {
        "session_id": match.regex(SESSION_ID, regex=r"^[A-Za-z0-9_-]{16,64}$"),
        "heartbeat_interval_ms": match.int(15000),
        "max_frame_bytes": match.int(65536),
        "expires_at": timestamp("2026-03-01T12:15:00.000Z"),
    },
}
#: What the channel mock greets every non-handshake exchange with (the handshake pacts pin it).
WELCOME_EXAMPLE = {
    "type": "welcome",
    "id": "5f0c1a8e2b9d4c7e8f6a1b2c3d4e5f60",
    "seq": 1,
    "ts": "2026-03-01T12:00:00.000Z",
    "payload": {
        "session_id": SESSION_ID,
        "heartbeat_interval_ms": 15000,
        "max_frame_bytes": 65536,
        "expires_at": "2026-03-01T12:15:00.000Z",
    },
}
LOGGED_IN: dict[str, object] = {"user": ALICE, "audience": "websocket"}


def _reply(type_: str, id_: str, payload: Mapping[str, object], *, seq: object = 2) -> dict[str, object]:
    """A server reply: the request's `id`, and on a fresh connection the `seq` right after `welcome`."""
    return {"type": type_, "id": id_, "seq": seq, "ts": timestamp(), "payload": payload}


@contextmanager
def _channel(pact: Pact) -> Iterator[str]:
    with serve_channel(pact, welcome=WELCOME_EXAMPLE, subprotocol=realtime.SUBPROTOCOL) as url:
        yield url


def connect_with_header(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a connection authenticated with a bearer header", "Sync")
            .given("a user is logged in", LOGGED_IN)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(WELCOME, content_type=JSON)
        )
        with _channel(pact) as url, realtime.connect(url, EXAMPLE_JWT) as connection:
            assert connection.session_id == SESSION_ID


def connect_as_browser(writer: PactWriter) -> None:
    protocols = from_state(
        f"{realtime.SUBPROTOCOL}, bearer.{EXAMPLE_JWT}", f"{realtime.SUBPROTOCOL}, ${{subprotocol}}"
    )
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a browser connection with the token in a subprotocol", "Sync")
            .given("a user is logged in", LOGGED_IN)
            .with_metadata({"Sec-WebSocket-Protocol": protocols})
            .will_respond_with()
            .with_body(WELCOME, content_type=JSON)
            .with_metadata({"subprotocol": realtime.SUBPROTOCOL})
        )
        with _channel(pact) as url, realtime.connect(url, EXAMPLE_JWT, browser=True) as connection:
            assert connection.subprotocol == realtime.SUBPROTOCOL


def ping(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a ping", "Sync")
            .given("a user is logged in", LOGGED_IN)
            .with_body({"type": "ping", "id": "ping-1", "payload": {}}, content_type=JSON)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(_reply("pong", "ping-1", {}), content_type=JSON)
        )
        with _channel(pact) as url, realtime.connect(url, EXAMPLE_JWT) as connection:
            assert connection.ping(id_="ping-1").seq == 2


def subscribe(writer: PactWriter) -> None:
    request = {"type": "subscribe", "id": "sub-1", "payload": {"run_id": from_state(RUN_ID, "${run_id}")}}
    status = one_of("running", "queued", "running", "completed", "cancelled")  # the run moves on meanwhile
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a subscription to a run in progress", "Sync")
            .given("a run is in progress", user=ALICE)
            .with_body(request, content_type=JSON)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(
                _reply("subscribed", "sub-1", {"run_id": match.str(RUN_ID), "status": status}),
                content_type=JSON,
            )
        )
        with _channel(pact) as url, realtime.connect(url, EXAMPLE_JWT) as connection:
            assert connection.subscribe(RUN_ID, id_="sub-1").payload["run_id"] == RUN_ID


def subscribe_to_another_users_run(writer: PactWriter) -> None:
    request = {"type": "subscribe", "id": "sub-2", "payload": {"run_id": from_state(RUN_ID, "${run_id}")}}
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a subscription to another user's run", "Sync")
            .given("a user is logged in", LOGGED_IN)
            .given("a run of another user exists", owner=BOB)
            .with_body(request, content_type=JSON)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(
                _reply("error", "sub-2", {"code": "not_found", "message": match.str("no such run")}),
                content_type=JSON,
            )
        )
        with (
            _channel(pact) as url,
            realtime.connect(url, EXAMPLE_JWT) as connection,
            raises(realtime.RealtimeError) as refused,
        ):
            connection.subscribe(RUN_ID, id_="sub-2")
    assert refused.value.code == "not_found"


def unknown_type(writer: PactWriter) -> None:
    error = {"code": "unknown_type", "message": match.str("unknown message type"), "ref": "/type"}
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a message of a type the server does not know", "Sync")
            .given("a user is logged in", LOGGED_IN)
            .with_body({"type": "frobnicate", "id": "msg-1", "payload": {}}, content_type=JSON)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(_reply("error", "msg-1", error), content_type=JSON)
        )
        with (
            _channel(pact) as url,
            realtime.connect(url, EXAMPLE_JWT) as connection,
            raises(realtime.RealtimeError) as refused,
        ):
            connection.request("frobnicate", {}, id_="msg-1")
    assert (refused.value.code, refused.value.ref) == ("unknown_type", "/type")


def resume(writer: PactWriter) -> None:
    payload = {
        "session_id": from_state(SESSION_ID, "${session_id}"),
        "last_seq": from_state(1, "${last_seq}"),
    }
    resumed = {"session_id": match.str(SESSION_ID), "replayed": match.int(0), "last_seq": match.int(1)}
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a resume of a session after reconnecting", "Sync")
            .given("a session with events exists", user=ALICE)
            .with_body({"type": "resume", "id": "resume-1", "payload": payload}, content_type=JSON)
            .with_metadata({"Authorization": bearer()})
            .will_respond_with()
            .with_body(_reply("resumed", "resume-1", resumed, seq=match.int(2)), content_type=JSON)
        )
        with _channel(pact) as url, realtime.connect(url, EXAMPLE_JWT) as connection:
            result = connection.resume(SESSION_ID, 1, id_="resume-1")
    assert result.resumed.payload["session_id"] == SESSION_ID


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    connect_with_header,
    connect_as_browser,
    ping,
    subscribe,
    subscribe_to_another_users_run,
    unknown_type,
    resume,
)
