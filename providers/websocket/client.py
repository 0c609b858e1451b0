"""Real `/ws` connections that check and record every server frame, and their reproductions.

Every connection the suite opens goes through `Dialer`: it counts against the run's request budget
and rate cap (`RequestGuard`), is bounded by timeouts, and is closed when its `async with` ends. A
`WsConnection` validates each frame it receives against the contract — text, JSON, a declared
server message, its schema — and follows the session numbering (`x-sequence`) frame by frame. What
breaks those rules is recorded in the shared `Observations`, not raised: the `message-schema` and
`seq-order` checks judge everything the suite saw on every connection, and the other checks go on
judging their own behaviour.

A resume request pauses the numbering check until its reply: the replayed frames continue another
session's numbering, and whether they are complete is the `resume` check's question.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from providers.errors import TargetUnreachable
from providers.http import RequestGuard
from providers.redact import Redactor
from providers.results import Finding
from providers.websocket.contract import WsContract

#: Violations kept per kind (all are counted).
KEPT_VIOLATIONS = 25
_EXCERPT = 300


@dataclass(frozen=True)
class Credential:
    """How a connection authenticates at the handshake (no token at all when `token` is None)."""

    token: str | None
    via: Literal["header", "subprotocol", "query"] = "header"
    label: str = "no token"


@dataclass(frozen=True)
class Violation:
    connection: str
    problem: str
    message: str
    reproduction: str


@dataclass
class Observations:
    """What every connection of one suite run saw; judged by the `message-schema` and `seq-order` checks."""

    connections: int = 0
    messages: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    schema: list[Violation] = field(default_factory=list)
    schema_count: int = 0
    sequence: list[Violation] = field(default_factory=list)
    sequence_count: int = 0

    def schema_violation(self, violation: Violation) -> None:
        self.schema_count += 1
        if len(self.schema) < KEPT_VIOLATIONS:
            self.schema.append(violation)

    def sequence_violation(self, violation: Violation) -> None:
        self.sequence_count += 1
        if len(self.sequence) < KEPT_VIOLATIONS:
            self.sequence.append(violation)


@dataclass(frozen=True)
class HandshakeOutcome:
    """What answered an upgrade request: an HTTP refusal, or an accepted socket and what it said first."""

    accepted: bool
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    subprotocol: str | None = None
    first: dict[str, Any] | None = None
    #: The close code when an accepted socket was closed before it sent a message.
    close_code: int | None = None
    close_reason: str = ""

    def describe(self) -> str:
        if not self.accepted:
            return f"refused with HTTP {self.status}"
        if self.close_code is not None:
            return f"accepted, then closed with {self.close_code} {self.close_reason!r} before any message"
        first = f"first message {json.dumps(self.first)[:_EXCERPT]}" if self.first else "no message"
        return f"accepted ({first})"


def excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def closed_text(exc: ConnectionClosed) -> str:
    if exc.rcvd is None:
        return "the connection dropped without a close frame"
    return f"the server closed the connection with {exc.rcvd.code} {exc.rcvd.reason!r}"


class WsConnection:
    """One accepted connection: every frame received is checked, recorded and numbered."""

    def __init__(
        self, dialer: Dialer, socket: ClientConnection, credential: Credential, label: str, number: int
    ) -> None:
        self.dialer = dialer
        self.contract = dialer.contract
        self.socket = socket
        self.credential = credential
        self.label = label
        self.number = number
        self.received: list[dict[str, Any]] = []
        self.sent: list[str] = []
        self._expected: int | None = None
        self._resume_id: str | None = None
        self._counter = 0

    @property
    def reproduction(self) -> str:
        return self.dialer.reproduction(self.credential, self.sent)

    def new_id(self, prefix: str = "cg") -> str:
        self._counter += 1
        return f"{prefix}-{self.number}-{self._counter}"[:64]

    # -- sending ----------------------------------------------------------------------------------
    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        self.sent.append(text)
        await self.socket.send(text)

    async def send_resume(self, message: dict[str, Any]) -> None:
        """Send a resume request: the numbering check waits for its reply (see the module docstring)."""
        self._resume_id = str(self.contract.reply_id(message))
        await self.send(message)

    # -- receiving --------------------------------------------------------------------------------
    # With `what` ("the answer to subscribe"), a timeout or a close becomes `Finding` naming it;
    # without, TimeoutError and ConnectionClosed reach the caller (which expects one of them).
    async def recv(self, timeout: float, what: str | None = None) -> dict[str, Any]:
        """The next server message (recorded even when it breaks the contract)."""
        return await self._judged(self._recv(timeout), timeout, what)

    async def next_of(
        self, types: Iterable[str | None], timeout: float, what: str | None = None
    ) -> dict[str, Any]:
        """The next message of one of the wire `types`, skipping (but checking) the others."""
        wanted = {t for t in types if t is not None}
        return await self._judged(
            self._until(lambda m: self.contract.type_of(m) in wanted, timeout), timeout, what
        )

    async def reply_to(self, message_id: str, timeout: float, what: str | None = None) -> dict[str, Any]:
        """The server message that answers the client message `message_id`."""
        return await self._judged(
            self._until(lambda m: self.contract.reply_id(m) == message_id, timeout), timeout, what
        )

    async def _judged(
        self, waiting: Awaitable[dict[str, Any]], timeout: float, what: str | None
    ) -> dict[str, Any]:
        if what is None:
            return await waiting
        try:
            return await waiting
        except TimeoutError:
            raise Finding(f"no {what} within {timeout:g} s", self.reproduction) from None
        except ConnectionClosed as exc:
            raise Finding(f"{closed_text(exc)} before {what}", self.reproduction) from None

    async def _recv(self, timeout: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await asyncio.wait_for(self.socket.recv(), max(0.0, deadline - loop.time()))
            message = self._observe(frame)
            if message is not None:
                return message

    async def _until(self, wanted: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self._recv(max(0.0, deadline - loop.time()))
            if wanted(message):
                return message

    async def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Whatever arrives within `seconds` (stops early if the connection closes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        got: list[dict[str, Any]] = []
        while (left := deadline - loop.time()) > 0:
            try:
                got.append(await self.recv(left))
            except (TimeoutError, ConnectionClosed):
                break
        return got

    def _observe(self, frame: str | bytes) -> dict[str, Any] | None:
        observations = self.dialer.observations
        if isinstance(frame, bytes):
            self._schema(f"a binary frame of {len(frame)} bytes (messages are JSON text)", frame[:80].hex())
            return None
        try:
            message = json.loads(frame)
        except ValueError:
            self._schema("a text frame that is not JSON", frame)
            return None
        if not isinstance(message, dict):
            self._schema(f"a JSON {type(message).__name__}, not an object", frame)
            return None
        observations.messages += 1
        observations.by_type[str(self.contract.type_of(message))] += 1
        for problem in self.contract.server_errors(message):
            self._schema(problem, message)
        self._number(message)
        self.received.append(message)
        return message

    def _schema(self, problem: str, message: Any) -> None:
        self.dialer.observations.schema_violation(
            Violation(self.label, problem, excerpt(message), self.reproduction)
        )

    def _number(self, message: dict[str, Any]) -> None:
        contract = self.contract
        if not contract.sequence.numbered:
            return
        seq = contract.seq(message)
        if not isinstance(seq, int) or isinstance(seq, bool):
            return  # the schema check reports it
        if self._resume_id is not None:
            if contract.reply_id(message) == self._resume_id and (
                contract.is_role(message, "resumed") or contract.is_role(message, "error")
            ):
                self._resume_id = None
                self._expected = seq + contract.sequence.step
            return
        expected = contract.sequence.start if self._expected is None else self._expected
        if seq != expected:
            kind = "repeated or went back" if seq < expected else "skipped numbers"
            self.dialer.observations.sequence_violation(
                Violation(
                    self.label,
                    f"{contract.sequence.field} {seq} where {expected} was due ({kind})",
                    excerpt(message),
                    self.reproduction,
                )
            )
        self._expected = seq + contract.sequence.step


class Dialer:
    """Opens connections to one WebSocket URL for one suite run."""

    def __init__(
        self,
        contract: WsContract,
        url: str,
        observations: Observations,
        redactor: Redactor,
        guard: RequestGuard,
        *,
        open_timeout: float = 10.0,
    ) -> None:
        self.contract = contract
        self.url = url
        self.observations = observations
        self.redactor = redactor
        self.guard = guard
        self.open_timeout = open_timeout
        self._count = 0

    def _options(self, credential: Credential) -> dict[str, Any]:
        options: dict[str, Any] = {
            "proxy": None,
            "open_timeout": self.open_timeout,
            "close_timeout": 2,
            "ping_interval": None,
            "max_size": 16 * 1024 * 1024,
            "user_agent_header": "contractgate",
        }
        handshake = self.contract.handshake
        if credential.token is not None and credential.via == "header":
            options["additional_headers"] = {handshake.header: f"{handshake.scheme} {credential.token}"}
        elif credential.token is not None and credential.via == "subprotocol":
            options["subprotocols"] = [
                Subprotocol(p)
                for p in (handshake.subprotocol, f"{handshake.token_prefix or ''}{credential.token}")
                if p
            ]
        return options

    def url_for(self, credential: Credential) -> str:
        """The URL to dial: the channel's, with the token as query parameter when it travels there."""
        if credential.token is None or credential.via != "query":
            return self.url
        separator = "&" if "?" in self.url else "?"
        return (
            f"{self.url}{separator}{urlencode({self.contract.handshake.query or 'token': credential.token})}"
        )

    async def _admit(self) -> None:
        what = f"WS {self.url}"
        if self.guard.limits.rate is None:
            self.guard.acquire(what)
        else:  # the rate cap sleeps: not on the event loop
            await asyncio.to_thread(self.guard.acquire, what)

    @asynccontextmanager
    async def connect(self, credential: Credential, label: str | None = None) -> AsyncIterator[WsConnection]:
        """An accepted connection, closed on exit; `Finding` if the handshake is not accepted."""
        await self._admit()
        self._count += 1
        number = self._count  # other connections may be opened while this one waits
        self.observations.connections += 1
        label = label or f"connection {number}"
        reproduction = self.reproduction(credential, [])
        try:
            socket = await connect(self.url_for(credential), **self._options(credential))
        except InvalidStatus as exc:
            raise Finding(
                f"the handshake ({credential.label}) was refused with HTTP {exc.response.status_code}",
                reproduction,
            ) from None
        except InvalidHandshake as exc:
            raise Finding(f"the handshake ({credential.label}) failed: {exc}", reproduction) from None
        except (OSError, TimeoutError) as exc:
            raise TargetUnreachable(self.url, str(exc) or type(exc).__name__) from None
        try:
            yield WsConnection(self, socket, credential, label, number)
        finally:
            await socket.close()

    async def attempt(self, credential: Credential, first_timeout: float) -> HandshakeOutcome:
        """Try a handshake and report what happened, accepted or not (the socket is closed again)."""
        await self._admit()
        self.observations.connections += 1
        try:
            socket = await connect(self.url_for(credential), **self._options(credential))
        except InvalidStatus as exc:
            response = exc.response
            return HandshakeOutcome(
                accepted=False,
                status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.raw_items()},
                body=bytes(response.body or b""),
            )
        except InvalidHandshake as exc:
            raise Finding(f"the handshake failed: {exc}", self.reproduction(credential, [])) from None
        except (OSError, TimeoutError) as exc:
            raise TargetUnreachable(self.url, str(exc) or type(exc).__name__) from None
        self._count += 1
        number = self._count
        connection = WsConnection(self, socket, credential, f"connection {number}", number)
        try:
            first = await connection.recv(first_timeout)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            reason = exc.rcvd.reason if exc.rcvd is not None else ""
            return HandshakeOutcome(
                True, subprotocol=socket.subprotocol, close_code=code, close_reason=reason
            )
        except TimeoutError:
            first = None
        finally:
            await socket.close()
        return HandshakeOutcome(True, subprotocol=socket.subprotocol, first=first)

    def reproduction_hint(self) -> str:
        """How to connect at all, for a failure that is not tied to one connection."""
        return self.reproduction(Credential("<token>", "header", "a genuine token"), [])

    def reproduction(self, credential: Credential, sent: list[str], note: str | None = None) -> str:
        """A `websocat` command that replays a connection (tokens redacted), then the frames to send."""
        handshake = self.contract.handshake
        parts = ["websocat"]
        if credential.token is not None and credential.via == "header":
            value = f"{handshake.scheme} {credential.token}"
            parts += [
                "-H",
                shlex.quote(f"{handshake.header}: {self.redactor.header(handshake.header, value)}"),
            ]
        elif credential.token is not None and credential.via == "subprotocol":
            offered = ", ".join(
                p for p in (handshake.subprotocol, f"{handshake.token_prefix or ''}{credential.token}") if p
            )
            parts += ["--protocol", shlex.quote(self.redactor.header("Sec-WebSocket-Protocol", offered))]
        parts.append(shlex.quote(self.redactor.text(self.url_for(credential))))
        lines = [" ".join(parts) + f"   # {credential.label}"]
        if note:
            lines.append(f"# {note}")
        if sent:
            lines.append("# then send, one text frame per line:")
            for text in sent[:20]:
                shown = self.redactor.json_text(text)
                if len(shown) > 500:
                    shown = f"{shown[:200]}… ({len(text.encode())} bytes in all)"
                lines.append(shown)
        return "\n".join(lines)
