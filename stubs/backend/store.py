"""The backend's data: threads, messages and runs of every tenant, in memory, per app instance.

v1 and v2 read and write the same store (a thread created through v1 is visible through v2); the
API modules only translate shapes. Ownership is decided here, once: `thread_of` and `run_of` answer
None for another user's or another tenant's resource, exactly as for one that does not exist, so
no endpoint can turn it into a 403 by mistake.

Every record gets a `position` from one counter: lists are ordered by it and cursors point into it.
One (re-entrant) lock guards mutations and iterations, because the same app may be served by uvicorn and called in-process
from another thread's event loop.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from stubs.backend.runs import Run

Role = Literal["user", "assistant"]


@lru_cache(maxsize=4096)  # the same instants are rendered again on every read of a list
def timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with milliseconds, the form every date-time of the API takes."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RunConflict(Exception):
    """The thread already has an active run."""

    def __init__(self, run: Run) -> None:
        super().__init__(f"run {run.id} is still in progress")
        self.run = run


@dataclass(frozen=True)
class Owner:
    """Whose data this is: a user of a tenant (from a user token's `sub` and `tenant_id`)."""

    user_id: str
    tenant_id: str


@dataclass
class Thread:
    id: str
    owner: Owner
    name: str
    created_at: float
    updated_at: float
    position: int


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    role: Role
    content: str
    created_at: float
    position: int


@dataclass(frozen=True)
class Usage:
    tenant_id: str
    threads: int
    messages: int
    runs: int


class Store:
    def __init__(self, *, run_interval: float, run_outputs: int) -> None:
        self.run_interval = run_interval
        self.run_outputs = run_outputs
        self._lock = threading.RLock()
        self._positions = itertools.count(1)
        self._threads: dict[str, Thread] = {}
        #: Each owner's threads in creation (= position) order: listing does not scan everyone's.
        self._owned: dict[Owner, dict[str, Thread]] = {}
        self._messages: dict[str, list[Message]] = {}
        self._runs: dict[str, Run] = {}

    # threads

    def create_thread(self, owner: Owner, name: str, now: float) -> Thread:
        with self._lock:
            thread = Thread(str(uuid.uuid4()), owner, name, now, now, next(self._positions))
            self._threads[thread.id] = thread
            self._owned.setdefault(owner, {})[thread.id] = thread
            self._messages[thread.id] = []
            return thread

    def thread_of(self, owner: Owner, thread_id: str) -> Thread | None:
        """The thread if it exists and belongs to this user of this tenant; otherwise None."""
        thread = self._threads.get(thread_id)
        return thread if thread is not None and thread.owner == owner else None

    def threads_of(self, owner: Owner) -> list[Thread]:
        with self._lock:
            return list(self._owned.get(owner, {}).values())

    def delete_thread(self, thread: Thread) -> None:
        with self._lock:
            self._threads.pop(thread.id, None)
            self._owned.get(thread.owner, {}).pop(thread.id, None)
            self._messages.pop(thread.id, None)
            for run_id in [r.id for r in self._runs.values() if r.thread_id == thread.id]:
                del self._runs[run_id]

    def delete_threads_of(self, owner: Owner) -> None:
        with self._lock:
            for thread in self.threads_of(owner):
                self.delete_thread(thread)

    # messages

    def add_message(self, thread: Thread, role: Role, content: str, now: float) -> Message:
        with self._lock:
            message = Message(str(uuid.uuid4()), thread.id, role, content, now, next(self._positions))
            self._messages.setdefault(thread.id, []).append(message)
            thread.updated_at = max(thread.updated_at, now)
            return message

    def messages_of(self, thread: Thread) -> list[Message]:
        return list(self._messages.get(thread.id, ()))

    def message_count(self, thread: Thread) -> int:
        return len(self._messages.get(thread.id, ()))

    # runs

    def start_run(
        self,
        thread: Thread,
        input: str,
        now: float,
        *,
        created_at: float | None = None,
        hold_after: int | None = None,
    ) -> Run:
        """A new run on the thread, or `RunConflict` while its previous run is queued or running."""
        with self._lock:
            for run in self._runs.values():
                if run.thread_id == thread.id and run.is_active(now):
                    raise RunConflict(run)
            run = Run(
                id=str(uuid.uuid4()),
                thread_id=thread.id,
                owner_id=thread.owner.user_id,
                tenant_id=thread.owner.tenant_id,
                input=input,
                created_at=now if created_at is None else created_at,
                position=next(self._positions),
                interval=self.run_interval,
                outputs=self.run_outputs,
                hold_after=hold_after,
            )
            self._runs[run.id] = run
            thread.updated_at = max(thread.updated_at, now)
            return run

    def run_of(self, owner: Owner, run_id: str) -> Run | None:
        """The run if it exists and belongs to this user of this tenant; otherwise None."""
        run = self._runs.get(run_id)
        if run is None or run.owner_id != owner.user_id or run.tenant_id != owner.tenant_id:
            return None
        return run

    def run(self, run_id: str) -> Run | None:
        """Any run, whoever owns it: for the internal API, which services call."""
        return self._runs.get(run_id)

    def cancel_run(self, run: Run, now: float) -> None:
        with self._lock:
            run.cancel(now)

    # admin

    def usage(self, tenant_id: str) -> Usage:
        with self._lock:
            threads = [t for t in self._threads.values() if t.owner.tenant_id == tenant_id]
            return Usage(
                tenant_id=tenant_id,
                threads=len(threads),
                messages=sum(self.message_count(t) for t in threads),
                runs=sum(1 for r in self._runs.values() if r.tenant_id == tenant_id),
            )
