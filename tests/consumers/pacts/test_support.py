"""The consumer-side harness can fail: a client that strays from its pact does not record it."""

from __future__ import annotations

import pytest
from pact import Pact
from websockets.exceptions import ConnectionClosed

from consumers import realtime
from consumers.pacts.support import EXAMPLE_JWT, bearer, raises, serve_channel
from consumers.pacts.web_frontend.realtime import WELCOME_EXAMPLE


def _ping_pact() -> Pact:
    pact = Pact("web-frontend", "websocket-service").with_specification("V4")
    (
        pact.upon_receiving("a ping", "Sync")
        .given("a user is logged in")
        .with_body({"type": "ping", "id": "ping-1", "payload": {}}, content_type="application/json")
        .with_metadata({"Authorization": bearer()})
        .will_respond_with()
        .with_body(
            {"type": "pong", "id": "ping-1", "seq": 2, "ts": "2026-03-01T12:00:00.000Z", "payload": {}},
            content_type="application/json",
        )
    )
    return pact


def test_the_channel_mock_plays_the_exchange() -> None:
    with serve_channel(_ping_pact(), welcome=WELCOME_EXAMPLE, subprotocol="events.v1") as url:
        with realtime.connect(url, EXAMPLE_JWT) as connection:
            assert connection.ping(id_="ping-1").type == "pong"


def test_the_channel_mock_fails_a_client_that_sends_something_else() -> None:
    with pytest.raises(AssertionError, match="unexpected message"):
        with serve_channel(_ping_pact(), welcome=WELCOME_EXAMPLE, subprotocol="events.v1") as url:
            with (
                realtime.connect(url, EXAMPLE_JWT, timeout=0.5) as connection,
                pytest.raises(ConnectionClosed),
            ):
                connection.ping(id_="ping-2")


def test_the_channel_mock_fails_a_wrong_handshake_credential() -> None:
    with pytest.raises(AssertionError, match="handshake Authorization"):
        with serve_channel(_ping_pact(), welcome=WELCOME_EXAMPLE, subprotocol="events.v1") as url:
            with realtime.connect(url, "another.token.value") as connection:
                connection.ping(id_="ping-1")


def test_raises_insists_on_the_error() -> None:
    with pytest.raises(AssertionError, match="expected the client to raise KeyError"):
        with raises(KeyError):
            pass
