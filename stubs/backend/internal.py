"""The internal API (`/internal/v1/...` in backend-v2.yaml): runs for the platform's other services.

Service tokens only, per scope: `runs:read` to read any run and its events (the WebSocket service
checks ownership with the run's `owner_id`/`tenant_id` and polls the events it streams), `runs:write`
to cancel. Runs are not filtered by owner here: a service acts for the platform, not for a user.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from stubs.backend import access
from stubs.backend.runs import Run, RunEvent, RunFinished, status_of
from stubs.backend.store import Store, timestamp
from stubs.operations import Call, SpecRouter
from stubs.problems import Problem
from stubs.settings import Clock


def internal_run_view(run: Run, now: float) -> dict[str, Any]:
    return {
        "id": run.id,
        "thread_id": run.thread_id,
        "owner_id": run.owner_id,
        "tenant_id": run.tenant_id,
        "status": run.status(now),
        "created_at": timestamp(run.created_at),
        "updated_at": timestamp(run.updated_at(now)),
        "event_count": len(run.events(now)),
    }


def event_view(event: RunEvent) -> dict[str, Any]:
    return {"seq": event.seq, "type": event.type, "data": event.data, "ts": timestamp(event.ts)}


def register(router: SpecRouter, store: Store, clock: Clock) -> None:
    def any_run(call: Call) -> Run:
        run_id = call.path["run_id"]
        return access.visible(store.run(run_id), "run", run_id)

    @router.operation("GET", "/internal/v1/runs/{run_id}", auth=access.service("runs:read"))
    async def get_run(call: Call) -> Response:
        return JSONResponse(internal_run_view(any_run(call), clock()))

    @router.operation("GET", "/internal/v1/runs/{run_id}/events", auth=access.service("runs:read"))
    async def list_events(call: Call) -> Response:
        run, now = any_run(call), clock()
        # Read once: the status and the events answered must describe the same instant.
        events = run.events(now)
        after, limit = call.query.get("after", 0), call.query.get("limit", 100)
        chosen = [e for e in events if e.seq > after][:limit]
        return JSONResponse(
            {"run_id": run.id, "status": status_of(events), "events": [event_view(e) for e in chosen]}
        )

    @router.operation("POST", "/internal/v1/runs/{run_id}/cancel", auth=access.service("runs:write"))
    async def cancel(call: Call) -> Response:
        run, now = any_run(call), clock()
        try:
            store.cancel_run(run, now)
        except RunFinished as exc:
            raise Problem(409, f"the run is already {exc.status}", kind="conflict") from None
        return JSONResponse(internal_run_view(run, now))
