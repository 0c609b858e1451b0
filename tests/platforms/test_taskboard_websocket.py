"""taskboard's `/ws/events` over a real socket: the handshake takes the token from the header or the
`token` query parameter and refuses (HTTP 403) without a valid one; every frame the server sends is
checked against the AsyncAPI document's schema for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.platforms.taskboard import serve
from tests.platforms.taskboard_support import ADA, frame_validator, login, mint, settings, ws_url

SCHEMAS = {name: frame_validator(name.capitalize()) for name in ("hello", "pong", "error")}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(settings()) as base:
        yield base


@pytest.fixture(scope="module")
def token(url: str) -> str:
    return login(url, ADA)


def receive(ws: ClientConnection) -> dict[str, Any]:
    frame = json.loads(ws.recv(timeout=5))
    SCHEMAS[frame["type"]].validate(frame)
    return dict(frame)


def exchange(ws: ClientConnection, frame: str | bytes) -> dict[str, Any]:
    ws.send(frame)
    return receive(ws)


def test_the_header_token_opens_the_channel_and_ping_is_answered(url: str, token: str) -> None:
    with connect(ws_url(url), additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert receive(ws) == {"type": "hello", "server": "taskboard", "protocol": 1}
        assert exchange(ws, json.dumps({"type": "ping"})) == {"type": "pong"}
        assert exchange(ws, json.dumps({"type": "ping", "id": "p-1"})) == {"type": "pong", "id": "p-1"}


def test_the_query_token_opens_the_channel(url: str, token: str) -> None:
    with connect(f"{ws_url(url)}?token={token}") as ws:
        assert receive(ws)["type"] == "hello"
        assert exchange(ws, '{"type": "ping"}') == {"type": "pong"}


@pytest.mark.parametrize(("frame", "code"), [
    ('{"type": "subscribe"}', "unknown-type"),
    ("not json", "invalid-message"),
    ("[1, 2]", "invalid-message"),
    ('{"type": 7}', "invalid-message"),
    ('{"type": "ping", "id": 7}', "invalid-message"),
    (json.dumps({"type": "ping", "id": "x" * 65}), "invalid-message"),
    (b"\x00\x01", "invalid-message"),
])
def test_a_bad_frame_gets_an_error_and_the_channel_stays_open(
    url: str, token: str, frame: str | bytes, code: str
) -> None:
    with connect(f"{ws_url(url)}?token={token}") as ws:
        receive(ws)
        assert exchange(ws, frame)["code"] == code
        assert exchange(ws, '{"type": "ping"}') == {"type": "pong"}


def refusal(url: str, headers: dict[str, str] | None = None, query: str = "") -> int:
    with pytest.raises(InvalidStatus) as refused:
        with connect(ws_url(url) + query, additional_headers=headers):
            pass
    return refused.value.response.status_code


def test_a_handshake_without_a_token_is_refused(url: str) -> None:
    assert refusal(url) == 403


@pytest.mark.parametrize("kind", ["garbage", "wrong-key", "expired", "other-audience", "unknown-user"])
def test_a_handshake_with_an_invalid_token_is_refused(url: str, kind: str) -> None:
    config = settings()
    token = {
        "garbage": "not-a-jwt",
        "wrong-key": mint(config, 1, key="another-secret-of-at-least-32-bytes!"),
        "expired": mint(config, 1, iat=1_000, exp=2_000),
        "other-audience": mint(config, 1, aud="billing-api"),
        "unknown-user": mint(config, 99),
    }[kind]
    assert refusal(url, {"Authorization": f"Bearer {token}"}) == 403
    assert refusal(url, query=f"?token={token}") == 403


def test_the_header_wins_over_the_query_parameter(url: str, token: str) -> None:
    assert refusal(url, {"Authorization": "Bearer not-a-jwt"}, f"?token={token}") == 403
    assert refusal(url, {"Authorization": f"Basic {token}"}, f"?token={token}") == 403
    with connect(f"{ws_url(url)}?token=not-a-jwt", additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert receive(ws)["type"] == "hello"
