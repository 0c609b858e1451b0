"""The v2 user API (`contracts/openapi/backend-v2.yaml`): cursor pages, `name`, `content`, run `id`.

Each handler is bound to its operation of the contract, which validates the request first; the
handler then applies the store and renders v2's shapes. The internal API of the same document is
in `stubs.backend.internal`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.responses import JSONResponse, Response

from stubs.backend import access
from stubs.backend.pagination import cursor_page
from stubs.backend.runs import Run
from stubs.backend.store import Message, RunConflict, Store, Thread, timestamp
from stubs.operations import Call, SpecRouter
from stubs.problems import Problem
from stubs.settings import BackendSettings


def thread_view(store: Store, thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "name": thread.name,
        "created_at": timestamp(thread.created_at),
        "updated_at": timestamp(thread.updated_at),
        "message_count": store.message_count(thread),
    }


def message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "role": message.role,
        "content": message.content,
        "created_at": timestamp(message.created_at),
    }


def run_view(run: Run, now: float) -> dict[str, Any]:
    return {
        "id": run.id,
        "thread_id": run.thread_id,
        "status": run.status(now),
        "created_at": timestamp(run.created_at),
        "updated_at": timestamp(run.updated_at(now)),
        "event_count": len(run.events(now)),
    }


def start_run(store: Store, thread: Thread, text: str, now: float) -> Run:
    """Shared by v1 and v2: a new run, or the 409 that names the run still in progress."""
    try:
        return store.start_run(thread, text, now)
    except RunConflict as exc:
        raise Problem(409, f"run {exc.run.id} of this thread is still in progress", kind="conflict") from None


def stream_url(settings: BackendSettings) -> str:
    return settings.websocket_url.rstrip("/") + "/ws"


def register(router: SpecRouter, store: Store, settings: BackendSettings) -> None:
    clock = settings.peer.clock

    @router.operation("GET", "/v2/threads", auth=access.user)
    async def list_threads(call: Call) -> Response:
        threads = store.threads_of(access.owner(call))
        page, next_cursor = cursor_page(
            threads, lambda t: t.position, limit=call.query.get("limit", 20), cursor=call.query.get("cursor")
        )
        return JSONResponse({"data": [thread_view(store, t) for t in page], "next_cursor": next_cursor})

    @router.operation("POST", "/v2/threads", auth=access.user)
    async def create_thread(call: Call) -> Response:
        thread = store.create_thread(access.owner(call), call.body["name"], clock())
        return JSONResponse(
            thread_view(store, thread), status_code=201, headers={"Location": f"/v2/threads/{thread.id}"}
        )

    def own_thread(call: Call) -> Thread:
        thread_id = call.path["thread_id"]
        return access.visible(store.thread_of(access.owner(call), thread_id), "thread", thread_id)

    @router.operation("GET", "/v2/threads/{thread_id}", auth=access.user)
    async def get_thread(call: Call) -> Response:
        return JSONResponse(thread_view(store, own_thread(call)))

    @router.operation("DELETE", "/v2/threads/{thread_id}", auth=access.user)
    async def delete_thread(call: Call) -> Response:
        store.delete_thread(own_thread(call))
        return Response(status_code=204)

    @router.operation("GET", "/v2/threads/{thread_id}/messages", auth=access.user)
    async def list_messages(call: Call) -> Response:
        messages = store.messages_of(own_thread(call))
        page, next_cursor = cursor_page(
            messages, lambda m: m.position, limit=call.query.get("limit", 20), cursor=call.query.get("cursor")
        )
        return JSONResponse({"data": [message_view(m) for m in page], "next_cursor": next_cursor})

    @router.operation("POST", "/v2/threads/{thread_id}/messages", auth=access.user)
    async def create_message(call: Call) -> Response:
        thread = own_thread(call)
        message = store.add_message(thread, "user", call.body["content"], clock())
        return JSONResponse(message_view(message), status_code=201)

    @router.operation("POST", "/v2/threads/{thread_id}/runs", auth=access.user)
    async def create_run(call: Call) -> Response:
        run = start_run(store, own_thread(call), call.body["input"], clock())
        body = {
            "id": run.id,
            "thread_id": run.thread_id,
            "status": "queued",
            "created_at": timestamp(run.created_at),
            "stream_url": stream_url(settings),
        }
        return JSONResponse(body, status_code=202, headers={"Location": f"/v2/runs/{run.id}"})

    @router.operation("GET", "/v2/runs/{run_id}", auth=access.user)
    async def get_run(call: Call) -> Response:
        run_id = call.path["run_id"]
        run = access.visible(store.run_of(access.owner(call), run_id), "run", run_id)
        return JSONResponse(run_view(run, clock()))

    @router.operation("GET", "/v2/users/me", auth=access.user)
    async def me(call: Call) -> Response:
        user = access.profile(call)
        return JSONResponse(
            {
                "id": user.id,
                "email": user.email,
                "display_name": user.name,
                "tenant": {"id": user.tenant_id},
                "roles": user.roles,
            }
        )

    @router.operation("GET", "/v2/admin/usage", auth=access.admin)
    async def usage(call: Call) -> Response:
        return JSONResponse(asdict(store.usage(access.owner(call).tenant_id)))
