"""Sessions: the numbering, the replay buffer and the subscriptions that outlive a connection.

A session is created by every new connection (its `welcome` is seq 1). Every server message is
numbered, kept and handed to the connection attached at that moment, in one synchronous step
(`Session.emit`): no `await` separates numbering from delivery, so the order on the wire is the
order of `seq` whichever task produced the message (a reply, a heartbeat, a run follower).

When its connection drops, a session is *detached*: its run followers go on and their messages are
kept (the last `session_buffer` of them) for `session_ttl` seconds. `resume` attaches it to a new
connection of the same user, which first receives the kept messages after the client's `last_seq`,
unchanged, then continues the numbering. A connection that resumes a session still attached
elsewhere takes it over: the other connection is told (`Attachment.taken_over`) and closes.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol

from stubs.settings import Clock
from stubs.tokens import Principal
from stubs.websocket.protocol import INVALID_RESUME, ProtocolError, envelope

logger = logging.getLogger(__name__)


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("following a run failed", exc_info=task.exception())


class Attachment(Protocol):
    """The connection a session currently speaks through."""

    def deliver(self, message: dict[str, Any]) -> None: ...

    def taken_over(self) -> None: ...


class Session:
    def __init__(self, principal: Principal, *, buffer_size: int, clock: Clock) -> None:
        self.id = secrets.token_urlsafe(18)
        self.subject = principal.subject
        self.tenant_id = principal.tenant_id
        self.last_seq = 0
        self.buffer: deque[dict[str, Any]] = deque(maxlen=buffer_size)
        #: run id → the task following it (done once the run has ended).
        self.subscriptions: dict[str, asyncio.Task[None]] = {}
        self._clock = clock
        self.attachment: Attachment | None = None
        self.expiry: asyncio.TimerHandle | None = None

    @property
    def attached(self) -> bool:
        return self.attachment is not None

    def is_attached_to(self, attachment: Attachment) -> bool:
        return self.attachment is attachment

    def belongs_to(self, principal: Principal) -> bool:
        return self.subject == principal.subject and self.tenant_id == principal.tenant_id

    def emit(self, type_: str, payload: dict[str, Any], *, reply_to: str | None = None) -> dict[str, Any]:
        """Number, keep and deliver one server message (synchronously: see the module docstring)."""
        self.last_seq += 1
        message = envelope(type_, payload, seq=self.last_seq, clock=self._clock, id_=reply_to)
        self.buffer.append(message)
        if self.attachment is not None:
            self.attachment.deliver(message)
        return message

    def kept_after(self, last_seq: int) -> list[dict[str, Any]]:
        """The kept messages after `last_seq`, or `ProtocolError` if some are gone or never existed."""
        if last_seq > self.last_seq:
            raise ProtocolError(
                INVALID_RESUME, f"last_seq {last_seq} is ahead of the session ({self.last_seq})"
            )
        oldest = self.buffer[0]["seq"] if self.buffer else self.last_seq + 1
        if last_seq < oldest - 1:
            raise ProtocolError(INVALID_RESUME, f"messages after seq {last_seq} are no longer kept")
        return [m for m in self.buffer if m["seq"] > last_seq]

    def follow(self, run_id: str, follower: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(follower, name=f"follow-{run_id}")
        task.add_done_callback(_report_failure)
        self.subscriptions[run_id] = task

    def is_following(self, run_id: str) -> bool:
        task = self.subscriptions.get(run_id)
        return task is not None and not task.done()

    @property
    def active_subscriptions(self) -> int:
        return sum(1 for task in self.subscriptions.values() if not task.done())

    def unfollow(self, run_id: str) -> bool:
        task = self.subscriptions.pop(run_id, None)
        if task is None:
            return False
        task.cancel()
        return True

    def close(self) -> None:
        """Stop following every run; the session is gone."""
        for task in self.subscriptions.values():
            task.cancel()
        self.subscriptions.clear()
        self.attachment = None
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None


class SessionStore:
    """Every live session, attached or waiting to be resumed."""

    def __init__(self, *, ttl: float, buffer_size: int, clock: Clock) -> None:
        self._ttl = ttl
        self._buffer_size = buffer_size
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, principal: Principal, attachment: Attachment | None = None) -> Session:
        session = Session(principal, buffer_size=self._buffer_size, clock=self._clock)
        self._sessions[session.id] = session
        if attachment is None:
            self._schedule_expiry(session)
        else:
            session.attachment = attachment
        return session

    def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def attach(self, session: Session, attachment: Attachment) -> None:
        previous = session.attachment
        session.attachment = attachment
        if session.expiry is not None:
            session.expiry.cancel()
            session.expiry = None
        if previous is not None and previous is not attachment:
            previous.taken_over()

    def detach(self, session: Session, attachment: Attachment) -> None:
        """The connection is gone; keep the session for `ttl` unless another connection has it."""
        if session.attachment is not attachment or session.id not in self._sessions:
            return
        session.attachment = None
        self._schedule_expiry(session)

    def discard(self, session: Session) -> None:
        self._sessions.pop(session.id, None)
        session.close()

    def resume(
        self, principal: Principal, session_id: str, last_seq: int
    ) -> tuple[Session, list[dict[str, Any]]]:
        """The session to continue and the messages to replay, or `ProtocolError` invalid_resume."""
        session = self._sessions.get(session_id)
        if session is None or not session.belongs_to(principal):
            # Another user's session is indistinguishable from an unknown one.
            raise ProtocolError(INVALID_RESUME, "no such session (unknown, expired or not yours)")
        return session, session.kept_after(last_seq)

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            self.discard(session)

    def _schedule_expiry(self, session: Session) -> None:
        if session.expiry is not None:
            session.expiry.cancel()
        loop = asyncio.get_running_loop()
        session.expiry = loop.call_later(self._ttl, self.discard, session)
