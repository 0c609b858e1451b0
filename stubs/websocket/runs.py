"""Following a run through the backend's internal API, as the real websocket-service does.

The service holds no run data of its own: ownership is checked with `GET /internal/v1/runs/{id}` and
events are read with `GET /internal/v1/runs/{id}/events?after=N`, both with the service's own
client-credentials token (`aud=backend`, scope `runs:read`). A follower polls from event 0, so a
subscriber gets every event of the run from the first, in the backend's order, until the run has
ended and no events are left. A backend that does not answer is retried (with a growing pause), never
turned into a lost or invented event — nor into an invented "no such run": the ownership check of a
`subscribe` is retried the same way, for up to `CHECK_PATIENCE` seconds, before it gives up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from stubs.peers import PeerClient, PeerUnavailable, ServiceTokens
from stubs.tokens import Principal

FINAL_STATUSES = frozenset({"completed", "cancelled"})
PAGE_SIZE = 100
_AUDIENCE = "backend"
_SCOPE = "runs:read"
_MAX_BACKOFF = 2.0
#: Seconds `checked_run` keeps asking a backend that does not answer.
CHECK_PATIENCE = 30.0


@dataclass(frozen=True)
class RunInfo:
    id: str
    owner_id: str
    tenant_id: str
    status: str

    def visible_to(self, principal: Principal) -> bool:
        """A run is the caller's own, in the caller's tenant; anything else does not exist for them."""
        return self.owner_id == principal.subject and self.tenant_id == principal.tenant_id


@dataclass(frozen=True)
class EventPage:
    status: str
    events: list[dict[str, Any]]


class BackendRuns:
    """The backend's internal runs API, read with this service's token."""

    def __init__(self, backend: PeerClient, tokens: ServiceTokens) -> None:
        self._backend = backend
        self._tokens = tokens

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The JSON body, None for a 404, `PeerUnavailable` for anything else unexpected."""
        for attempt in range(2):
            token = await self._tokens.get(_AUDIENCE, _SCOPE)
            response = await self._backend.request(
                "GET", path, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 401 and attempt == 0:
                self._tokens.forget(_AUDIENCE, _SCOPE)  # our token was revoked or its key rotated out
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise PeerUnavailable(f"GET {path} answered {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise PeerUnavailable(f"GET {path} answered a body that is not JSON") from None
            if not isinstance(body, dict):
                raise PeerUnavailable(f"GET {path} answered {type(body).__name__}, not an object")
            return body
        raise PeerUnavailable(f"GET {path}: the backend refused the service token")

    async def run(self, run_id: str) -> RunInfo | None:
        body = await self._get(f"/internal/v1/runs/{quote(run_id, safe='')}")
        if body is None:
            return None
        try:
            return RunInfo(
                id=str(body["id"]),
                owner_id=str(body["owner_id"]),
                tenant_id=str(body["tenant_id"]),
                status=str(body["status"]),
            )
        except KeyError as exc:
            raise PeerUnavailable(f"the backend's run has no {exc.args[0]!r}") from None

    async def events(self, run_id: str, after: int) -> EventPage | None:
        body = await self._get(
            f"/internal/v1/runs/{quote(run_id, safe='')}/events", {"after": after, "limit": PAGE_SIZE}
        )
        if body is None:
            return None
        events = body.get("events")
        if "status" not in body or not isinstance(events, list):
            raise PeerUnavailable("the backend's event page lacks 'status' or 'events'")
        return EventPage(status=str(body["status"]), events=[e for e in events if _is_event(e)])


def _is_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and isinstance(event.get("seq"), int)
        and event.get("type") in ("status", "output")
        and isinstance(event.get("data"), dict)
    )


async def checked_run(runs: BackendRuns, run_id: str, *, poll_interval: float) -> RunInfo | None:
    """The run as the backend describes it (None: no such run). A backend that is slow or briefly
    unreachable under load is asked again before `PeerUnavailable` is raised: the one refusal the
    contract has for `subscribe` is `not_found`, which would tell the client its own run does not exist."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CHECK_PATIENCE
    pause = poll_interval
    while True:
        try:
            return await runs.run(run_id)
        except PeerUnavailable:
            if loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, _MAX_BACKOFF)


async def follow(
    runs: BackendRuns,
    run_id: str,
    emit: Callable[[dict[str, Any]], None],
    *,
    poll_interval: float,
) -> None:
    """Hand every event of the run to `emit` (as a `run.event` payload), in order, until it ends."""
    after = 0
    backoff = poll_interval
    while True:
        try:
            page = await runs.events(run_id, after)
        except PeerUnavailable:
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)
            continue
        backoff = poll_interval
        if page is None:  # the run is gone (deleted with its thread): nothing more will come
            return
        for event in page.events:
            seq = int(event["seq"])
            if seq <= after:  # never hand on an event twice, whatever the backend answers
                continue
            emit({"run_id": run_id, "event_seq": seq, "event": event["type"], "data": event["data"]})
            after = seq
        if len(page.events) >= PAGE_SIZE:
            continue  # more are waiting: read on without pausing
        if page.status in FINAL_STATUSES:
            return
        await asyncio.sleep(poll_interval)
