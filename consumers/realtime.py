"""Client of the WebSocket service's run-events channel (`/ws`), as web-frontend ships it.

`connect(url, token)` opens the channel — the token in `Authorization` for server clients, or in the
`events.v1, bearer.<jwt>` subprotocols as a browser must (`browser=True`) — and reads the `welcome`.
Requests (`ping`, `subscribe`, `resume`) are answered by the server message that carries the
request's `id`; anything else that arrives meanwhile (heartbeats, run events, replayed messages) is
kept in order for `receive()`.

The client checks the channel's numbering on every server message, because `resume` depends on it:
`seq` starts at 1 and grows by exactly 1, and a resume replays from the `last_seq` the client asked
for. A gap or a repeat is a `SequenceBroken`, never silently accepted. An `error` reply raises
`RealtimeError` with its `code` (`not_found`, `unknown_type`, `invalid_resume` …); a refused
handshake raises `HandshakeRefused` with the HTTP status.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

CHANNEL = "/ws"
SUBPROTOCOL = "events.v1"
TOKEN_PREFIX = "bearer."


@dataclass(frozen=True)
class Envelope:
    type: str
    id: str
    seq: int
    ts: str
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | bytes) -> Envelope:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise SequenceBroken(f"a server message is not a JSON object: {str(text)[:200]}")
        try:
            return cls(
                str(data["type"]), str(data["id"]), int(data["seq"]), str(data["ts"]), dict(data["payload"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SequenceBroken(f"a server message misses its envelope ({exc}): {str(text)[:200]}") from None


class RealtimeError(Exception):
    """The server answered a request with an `error` message."""

    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.code = str(envelope.payload.get("code", ""))
        self.ref = envelope.payload.get("ref")
        super().__init__(f"{self.code}: {envelope.payload.get('message', '')}")


class SequenceBroken(Exception):
    """A server message out of order, missing, repeated or malformed: the stream cannot be trusted."""


class HandshakeRefused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body
        super().__init__(f"the WebSocket handshake was refused with HTTP {status}")


@dataclass(frozen=True)
class Resumed:
    #: The kept messages the server replayed, in order, with their original `seq`.
    replayed: list[Envelope]
    #: The `resumed` message itself.
    resumed: Envelope


class RealtimeConnection:
    def __init__(self, socket: ClientConnection, *, timeout: float = 5.0, id_prefix: str = "") -> None:
        self.socket = socket
        self.timeout = timeout
        self.last_seq = 0
        self.backlog: deque[Envelope] = deque()
        self._ids = itertools.count(1)
        self._prefix = id_prefix
        self.welcome = self._next()
        if self.welcome.type != "welcome":
            raise SequenceBroken(f"the first message is {self.welcome.type!r}, not 'welcome'")

    @property
    def session_id(self) -> str:
        return str(self.welcome.payload["session_id"])

    @property
    def subprotocol(self) -> str | None:
        return self.socket.subprotocol

    def _read(self) -> Envelope:
        return Envelope.parse(self.socket.recv(timeout=self.timeout))

    def _accept(self, envelope: Envelope, after: int) -> Envelope:
        if envelope.seq != after + 1:
            raise SequenceBroken(f"{envelope.type} has seq {envelope.seq}, expected {after + 1}")
        self.last_seq = envelope.seq
        return envelope

    def _next(self) -> Envelope:
        return self._accept(self._read(), self.last_seq)

    def receive(self) -> Envelope:
        """The next server message not yet handed out (from the backlog first)."""
        return self.backlog.popleft() if self.backlog else self._next()

    def request(self, type_: str, payload: dict[str, Any], *, id_: str | None = None) -> Envelope:
        """Send a client message and return the server message that answers it (same `id`)."""
        message_id = id_ or f"{self._prefix}{type_}-{next(self._ids)}"
        self.socket.send(json.dumps({"type": type_, "id": message_id, "payload": payload}))
        while True:
            envelope = self._next()
            if envelope.id != message_id:
                self.backlog.append(envelope)
                continue
            if envelope.type == "error":
                raise RealtimeError(envelope)
            return envelope

    def ping(self, *, id_: str | None = None) -> Envelope:
        return self.request("ping", {}, id_=id_)

    def subscribe(self, run_id: str, *, id_: str | None = None) -> Envelope:
        return self.request("subscribe", {"run_id": run_id}, id_=id_)

    def resume(self, session_id: str, last_seq: int, *, id_: str | None = None) -> Resumed:
        """Continue `session_id` after `last_seq`: the replay must continue that numbering exactly."""
        message_id = id_ or f"{self._prefix}resume-{next(self._ids)}"
        self.socket.send(
            json.dumps(
                {
                    "type": "resume",
                    "id": message_id,
                    "payload": {"session_id": session_id, "last_seq": last_seq},
                }
            )
        )
        own_seq = self.last_seq
        replayed: list[Envelope] = []
        while True:
            envelope = self._read()
            if envelope.id == message_id and envelope.type == "error":
                # Refused: the connection keeps its own session, and so its own numbering.
                raise RealtimeError(self._accept(envelope, own_seq))
            # Accepted: the server now numbers as the resumed session, from the `last_seq` asked for.
            self._accept(envelope, replayed[-1].seq if replayed else last_seq)
            if envelope.id != message_id:
                replayed.append(envelope)
                continue
            if envelope.payload.get("last_seq") != envelope.seq - 1:
                raise SequenceBroken(
                    f"resumed has seq {envelope.seq} but says the session's last seq was "
                    f"{envelope.payload.get('last_seq')}"
                )
            return Resumed(replayed, envelope)

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def connect(
    url: str, access_token: str, *, browser: bool = False, timeout: float = 5.0
) -> RealtimeConnection:
    """Open the channel at `url` (ws://host:port, with or without the `/ws` path) as a user."""
    if not url.rstrip("/").endswith(CHANNEL):
        url = url.rstrip("/") + CHANNEL
    headers: dict[str, str] = {}
    subprotocols: list[Any] | None = None
    if browser:
        subprotocols = [SUBPROTOCOL, TOKEN_PREFIX + access_token]
    else:
        headers["Authorization"] = f"Bearer {access_token}"
    try:
        socket = ws_connect(
            url,
            additional_headers=headers,
            subprotocols=subprotocols,
            open_timeout=timeout,
            close_timeout=1,
            legacy=True,  # the connection outlives this call; RealtimeConnection closes it
        )
    except InvalidStatus as exc:
        raise HandshakeRefused(exc.response.status_code, bytes(exc.response.body or b"")) from None
    try:
        return RealtimeConnection(socket, timeout=timeout)
    except BaseException:
        socket.close()
        raise
