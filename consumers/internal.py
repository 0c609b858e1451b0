"""Client of the backend's internal runs API (`/internal/v1/...`), as websocket-service ships it.

The WebSocket service checks that a run belongs to the subscribing user (`owner_id`, `tenant_id`)
and polls the run's events after the last `seq` it streamed, with its own client-credentials token
(audience backend, scope runs:read). An unknown run is `NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consumers.http import ApiClient, parse_time


@dataclass(frozen=True)
class InternalRun:
    id: str
    thread_id: str
    owner_id: str
    tenant_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    event_count: int

    def visible_to(self, user_id: str, tenant_id: str) -> bool:
        return self.owner_id == user_id and self.tenant_id == tenant_id


@dataclass(frozen=True)
class RunEvent:
    seq: int
    type: str
    data: dict[str, Any]
    ts: datetime


@dataclass(frozen=True)
class RunEvents:
    run_id: str
    status: str
    events: list[RunEvent]

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "cancelled")


class InternalRunsClient(ApiClient):
    """`InternalRunsClient(base_url)`; every call takes this service's token (scope runs:read)."""

    def run(self, service_token: str, run_id: str) -> InternalRun:
        body = self.request("GET", f"/internal/v1/runs/{run_id}", token=service_token).json()
        return InternalRun(
            id=str(body["id"]),
            thread_id=str(body["thread_id"]),
            owner_id=str(body["owner_id"]),
            tenant_id=str(body["tenant_id"]),
            status=str(body["status"]),
            created_at=parse_time(body["created_at"]),
            updated_at=parse_time(body["updated_at"]),
            event_count=int(body["event_count"]),
        )

    def events(self, service_token: str, run_id: str, *, after: int = 0, limit: int = 100) -> RunEvents:
        params = {"after": after, "limit": limit}
        body = self.request(
            "GET", f"/internal/v1/runs/{run_id}/events", token=service_token, params=params
        ).json()
        return RunEvents(
            run_id=str(body["run_id"]),
            status=str(body["status"]),
            events=[
                RunEvent(int(e["seq"]), str(e["type"]), dict(e["data"]), parse_time(e["ts"]))
                for e in body["events"]
            ],
        )
