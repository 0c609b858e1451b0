"""Agent runs and their simulated event stream, derived from the clock at read time.

No background task drives a run: its events are a pure function of its creation time, the event
interval and "now", so every reader (the REST API, the internal API the WebSocket service polls,
a test with a hand-driven clock) sees the same history, and an app can be built, served and thrown
away without tasks to cancel. With `d` the interval and `n` the number of output events:

    seq 1        at created + d        status  {"status": "running"}
    seq k        at created + k·d      output  {"text": "chunk <k-1>"}   for k = 2 .. n+1
    seq n+2      at created + (n+2)·d  status  {"status": "completed"}

A run is `queued` before its first event, `running` after it, `completed` after the last. A held
run (`hold_after`) stops producing events after that many, so it stays in progress until cancelled.
Cancelling freezes the events seen so far and appends a `cancelled` status event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

RunStatus = Literal["queued", "running", "completed", "cancelled"]
ACTIVE: frozenset[str] = frozenset({"queued", "running"})


@dataclass(frozen=True)
class RunEvent:
    seq: int
    type: Literal["status", "output"]
    data: dict[str, Any]
    ts: float


class RunFinished(Exception):
    """The run is already completed or cancelled; `status` says which."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the run is already {status}")
        self.status = status


@dataclass
class Run:
    id: str
    thread_id: str
    owner_id: str
    tenant_id: str
    input: str
    created_at: float
    position: int
    interval: float
    outputs: int
    #: Stop the simulation after this many events (a run kept in progress for provider states).
    hold_after: int | None = None
    #: Set by `cancel`: the events as they were, ending with the `cancelled` status event.
    cancelled: tuple[RunEvent, ...] | None = None

    def planned(self) -> list[RunEvent]:
        """Every event the simulation will produce, with the time each becomes visible."""
        d, n, start = self.interval, self.outputs, self.created_at
        events = [RunEvent(1, "status", {"status": "running"}, start + d)]
        events += [RunEvent(k, "output", {"text": f"chunk {k - 1}"}, start + k * d) for k in range(2, n + 2)]
        events.append(RunEvent(n + 2, "status", {"status": "completed"}, start + (n + 2) * d))
        if self.hold_after is not None:
            events = events[: self.hold_after]
        return events

    def events(self, now: float) -> list[RunEvent]:
        if self.cancelled is not None:
            return list(self.cancelled)
        return [e for e in self.planned() if e.ts <= now]

    def status(self, now: float) -> RunStatus:
        return status_of(self.events(now))

    def updated_at(self, now: float) -> float:
        events = self.events(now)
        return events[-1].ts if events else self.created_at

    def is_active(self, now: float) -> bool:
        return self.status(now) in ACTIVE

    def cancel(self, now: float) -> None:
        events = self.events(now)
        status = status_of(events)
        if status not in ACTIVE:
            raise RunFinished(status)
        final = RunEvent(len(events) + 1, "status", {"status": "cancelled"}, now)
        self.cancelled = (*events, final)


def status_of(events: list[RunEvent]) -> RunStatus:
    if not events:
        return "queued"
    last = events[-1]
    if last.type == "status" and last.data["status"] in ("completed", "cancelled"):
        return "completed" if last.data["status"] == "completed" else "cancelled"
    return "running"
