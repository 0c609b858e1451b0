"""One accepted `/ws` connection: its reader, its writer, its heartbeat and its token's lifetime.

The token's lifetime ends at its `exp` (close 4401) or when it is revoked — the token, its session,
or the key that signed it (close 4410, as soon as the revocation feed says so: the connection watches
its token in `service.revocations`).

Every server message goes through one queue and one writer task, so frames leave in the order their
session numbered them, and a close (1009, 4401, 4409, 4410) is sent after what was already queued. The
reader handles client messages one at a time, so replies come in the order of the requests. The
connection ends when the client goes away, when the writer has sent a close, or when the server
shuts down; its session is then detached (kept for `resume`), not closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from stubs.peers import PeerUnavailable
from stubs.tokens import Principal
from stubs.websocket.protocol import (
    INVALID_MESSAGE,
    NOT_FOUND,
    TOO_MANY_SUBSCRIPTIONS,
    ClientMessage,
    ProtocolError,
)
from stubs.websocket.runs import checked_run
from stubs.websocket.service import WebSocketService
from stubs.websocket.sessions import Session

CLOSE_FRAME_TOO_LARGE = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TOKEN_EXPIRED = 4401
CLOSE_TAKEN_OVER = 4409
CLOSE_TOKEN_REVOKED = 4410

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


class Connection:
    """Implements the sessions' `Attachment`: where a session's messages go while it is attached."""

    def __init__(self, websocket: WebSocket, principal: Principal, service: WebSocketService) -> None:
        self.websocket = websocket
        self.principal = principal
        self.service = service
        self.settings = service.settings
        self._outbox: asyncio.Queue[dict[str, Any] | Close] = asyncio.Queue()
        self._taken_over = False
        self._revoked = False
        self.session: Session = service.sessions.create(principal, attachment=self)

    # -- Attachment -------------------------------------------------------------------------------
    def deliver(self, message: dict[str, Any]) -> None:
        self._outbox.put_nowait(message)

    def taken_over(self) -> None:
        # The session now speaks through another connection: this one must not act for it any more.
        self._taken_over = True
        self._outbox.put_nowait(Close(CLOSE_TAKEN_OVER, "session resumed elsewhere"))

    def revoked(self) -> None:
        """The token was revoked (or its session, or its signing key removed): close after what is queued."""
        if not self._revoked:
            self._revoked = True
            self._outbox.put_nowait(Close(CLOSE_TOKEN_REVOKED, "token revoked"))

    # -- lifetime ---------------------------------------------------------------------------------
    async def serve(self) -> None:
        unwatch = self.service.revocations.watch(self.principal, self.revoked)
        try:
            await self._serve()
        finally:
            unwatch()

    async def _serve(self) -> None:
        self.service.welcome(self.session, self.principal)
        writer = asyncio.create_task(self._write(), name="ws-writer")
        reader = asyncio.create_task(self._read(), name="ws-reader")
        helpers = [
            asyncio.create_task(self._heartbeat(), name="ws-heartbeat"),
            asyncio.create_task(self._expire(), name="ws-expiry"),
        ]
        try:
            await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
            closing = False
            if reader.done():
                failure = reader.exception()
                if failure is not None:  # a bug, not the client's doing: say so with 1011
                    logger.error("websocket connection failed", exc_info=failure)
                    self._outbox.put_nowait(Close(CLOSE_INTERNAL_ERROR, "internal error"))
                closing = failure is not None or reader.result()
            if closing and not writer.done():
                # Let the writer flush what is queued, then send the close.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(writer), timeout=5)
        finally:
            for task in (reader, writer, *helpers):
                task.cancel()
            await asyncio.gather(reader, writer, *helpers, return_exceptions=True)
            self.service.sessions.detach(self.session, self)

    async def _write(self) -> None:
        while True:
            item = await self._outbox.get()
            try:
                if isinstance(item, Close):
                    await self.websocket.close(item.code, item.reason)
                    return
                await self.websocket.send_json(item)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return  # the client is gone; the session keeps the message for `resume`

    async def _read(self) -> bool:
        """Handle client frames until the client leaves (False) or a close was queued (True)."""
        limit = self.settings.max_frame_bytes
        while True:
            try:
                message = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return False
            if message["type"] == "websocket.disconnect":
                return False
            if self._taken_over:
                return True  # let the writer send the 4409 close; ignore what the client still says
            text: str | None = message.get("text")
            data: bytes | None = message.get("bytes")
            size = len(text.encode()) if text is not None else len(data or b"")
            if size > limit:
                self._outbox.put_nowait(Close(CLOSE_FRAME_TOO_LARGE, f"frame larger than {limit} bytes"))
                return True
            if text is None:
                self._error(ProtocolError(INVALID_MESSAGE, "messages are JSON text frames"))
                continue
            try:
                await self._handle(self.service.protocol.parse(text))
            except ProtocolError as exc:
                self._error(exc)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_interval)
            if self.session.is_attached_to(self):
                self.session.emit("heartbeat", {})

    async def _expire(self) -> None:
        delay = self.principal.expires_at - self.settings.peer.clock()
        await asyncio.sleep(max(0.0, delay))
        self._outbox.put_nowait(Close(CLOSE_TOKEN_EXPIRED, "token expired"))

    # -- client messages --------------------------------------------------------------------------
    def _error(self, exc: ProtocolError) -> None:
        self.session.emit("error", exc.payload(), reply_to=exc.reply_to)

    async def _handle(self, message: ClientMessage) -> None:
        handler = {
            "ping": self._ping,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "resume": self._resume,
        }.get(message.type)
        if handler is None:  # declared in the contract but not served: say so rather than drop it
            raise ProtocolError(INVALID_MESSAGE, f"{message.type!r} is not supported", reply_to=message.id)
        try:
            await handler(message)
        except ProtocolError as exc:
            exc.reply_to = exc.reply_to or message.id
            raise

    async def _ping(self, message: ClientMessage) -> None:
        self.session.emit("pong", {}, reply_to=message.id)

    async def _subscribe(self, message: ClientMessage) -> None:
        run_id = str(message.payload["run_id"])
        session = self.session
        # Already followed: answer again but start no second stream (no event twice). Once the run
        # has ended, subscribing again is a new subscription, from the first event.
        following = session.is_following(run_id)
        if not following and session.active_subscriptions >= self.service.max_subscriptions:
            raise ProtocolError(
                TOO_MANY_SUBSCRIPTIONS,
                f"at most {self.service.max_subscriptions} runs can be followed at once",
                ref="/payload/run_id",
            )
        try:
            run = await checked_run(self.service.runs, run_id, poll_interval=self.settings.run_poll_interval)
        except PeerUnavailable:  # cannot tell whose run it is: refuse rather than guess
            raise ProtocolError(
                NOT_FOUND,
                "the run could not be checked (backend unavailable); try again",
                ref="/payload/run_id",
            ) from None
        if run is None or not run.visible_to(self.principal):
            raise ProtocolError(NOT_FOUND, "no such run", ref="/payload/run_id")
        session.emit("subscribed", {"run_id": run_id, "status": run.status}, reply_to=message.id)
        if not following:
            self.service.follow(session, run_id)

    async def _unsubscribe(self, message: ClientMessage) -> None:
        run_id = str(message.payload["run_id"])
        if not self.session.unfollow(run_id):
            raise ProtocolError(NOT_FOUND, "not subscribed to this run", ref="/payload/run_id")
        self.session.emit("unsubscribed", {"run_id": run_id}, reply_to=message.id)

    async def _resume(self, message: ClientMessage) -> None:
        sessions = self.service.sessions
        session, replay = sessions.resume(
            self.principal, str(message.payload["session_id"]), int(message.payload["last_seq"])
        )
        # From here on nothing awaits: the replay, `resumed` and the switch happen as one step, so
        # no event of the session can slip in between or be sent twice.
        if session is not self.session:
            sessions.discard(self.session)  # the session this connection's `welcome` opened
            sessions.attach(session, self)
            self.session = session
        for kept in replay:
            self.deliver(kept)
        session.emit(
            "resumed",
            {"session_id": session.id, "replayed": len(replay), "last_seq": session.last_seq},
            reply_to=message.id,
        )
