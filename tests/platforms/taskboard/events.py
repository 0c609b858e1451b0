"""The `/ws/events` WebSocket: authenticated at the handshake, then a tiny JSON protocol.

The token comes from `Authorization: Bearer <jwt>` or, for browsers, the `token` query parameter (the
header wins when both are sent). Without a valid one the server closes with 1008 before accepting,
which uvicorn turns into an HTTP 403 answer to the upgrade: the handshake never completes.

After accepting, the server sends `hello`. A client `ping` is answered with `pong` (echoing its `id`,
if any); any other frame gets an `error` and the connection stays open: `invalid-message` for what is not
a JSON object with a string `type` (or a ping whose `id` is not a string of at most 64 characters),
`unknown-type` otherwise. The `websocket-no-auth` fault accepts a handshake that carries no token at all
(a bad token is still refused).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from tests.platforms.taskboard.auth import InvalidToken, authenticate
from tests.platforms.taskboard.settings import Settings
from tests.platforms.taskboard.store import Store

POLICY_VIOLATION = 1008
MAX_ID = 64


def token_of(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" else ""
    return websocket.query_params.get("token")


def reply_to(text: str | None) -> dict[str, Any]:
    """The server's answer to one client frame (`None` for a binary frame)."""
    try:
        message = json.loads(text) if text is not None else None
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return _error("invalid-message", "expected a JSON object with a string `type`")
    if message["type"] != "ping":
        return _error("unknown-type", f"unknown message type {message['type'][:64]!r}")
    if "id" not in message:
        return {"type": "pong"}
    if not isinstance(message["id"], str) or len(message["id"]) > MAX_ID:
        return _error("invalid-message", f"a ping's `id` is a string of at most {MAX_ID} characters")
    return {"type": "pong", "id": message["id"]}


def _error(code: str, detail: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail}


def events_endpoint(settings: Settings, store: Store) -> Callable[[WebSocket], Awaitable[None]]:
    async def events(websocket: WebSocket) -> None:
        token = token_of(websocket)
        # The planted fault `websocket-no-auth` takes "no token" for "nothing to check".
        if token is not None or not settings.has("websocket-no-auth"):
            try:
                authenticate(settings, store, token or "")
            except InvalidToken:
                await websocket.close(code=POLICY_VIOLATION)
                return
        await websocket.accept()
        await websocket.send_json({"type": "hello", "server": "taskboard", "protocol": 1})
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                await websocket.send_json(reply_to(message.get("text")))
        except WebSocketDisconnect:
            return

    return events
