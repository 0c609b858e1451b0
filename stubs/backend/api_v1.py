"""The deprecated v1 user API (`contracts/openapi/backend-v1.yaml`), served from the same store as v2.

Only the shapes differ: page numbers (`items`, `page`, `per_page`, `total`), a thread's `title`, a
message's `text`, `run_id`, and a flat profile. The deprecation headers are not set here but by
`DeprecationHeaders` around the whole app, so that errors raised before a handler carry them too.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.responses import JSONResponse, Response

from stubs.backend import access
from stubs.backend.api_v2 import start_run, stream_url
from stubs.backend.pagination import number_page
from stubs.backend.store import Message, Store, Thread, timestamp
from stubs.operations import Call, SpecRouter
from stubs.settings import BackendSettings


def thread_view(store: Store, thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "title": thread.name,
        "created_at": timestamp(thread.created_at),
        "updated_at": timestamp(thread.updated_at),
        "message_count": store.message_count(thread),
    }


def message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "role": message.role,
        "text": message.content,
        "created_at": timestamp(message.created_at),
    }


def page_view(items: list[dict[str, Any]], total: int, call: Call) -> dict[str, Any]:
    return {
        "items": items,
        "page": call.query.get("page", 1),
        "per_page": call.query.get("per_page", 20),
        "total": total,
    }


def register(router: SpecRouter, store: Store, settings: BackendSettings) -> None:
    clock = settings.peer.clock

    def paged(call: Call, items: list[Any]) -> list[Any]:
        return number_page(items, page=call.query.get("page", 1), per_page=call.query.get("per_page", 20))

    def own_thread(call: Call) -> Thread:
        thread_id = call.path["thread_id"]
        return access.visible(store.thread_of(access.owner(call), thread_id), "thread", thread_id)

    @router.operation("GET", "/v1/threads", auth=access.user)
    async def list_threads(call: Call) -> Response:
        threads = store.threads_of(access.owner(call))
        items = [thread_view(store, t) for t in paged(call, threads)]
        return JSONResponse(page_view(items, len(threads), call))

    @router.operation("POST", "/v1/threads", auth=access.user)
    async def create_thread(call: Call) -> Response:
        thread = store.create_thread(access.owner(call), call.body["title"], clock())
        return JSONResponse(
            thread_view(store, thread), status_code=201, headers={"Location": f"/v1/threads/{thread.id}"}
        )

    @router.operation("GET", "/v1/threads/{thread_id}", auth=access.user)
    async def get_thread(call: Call) -> Response:
        return JSONResponse(thread_view(store, own_thread(call)))

    @router.operation("DELETE", "/v1/threads/{thread_id}", auth=access.user)
    async def delete_thread(call: Call) -> Response:
        store.delete_thread(own_thread(call))
        return Response(status_code=204)

    @router.operation("GET", "/v1/threads/{thread_id}/messages", auth=access.user)
    async def list_messages(call: Call) -> Response:
        messages = store.messages_of(own_thread(call))
        items = [message_view(m) for m in paged(call, messages)]
        return JSONResponse(page_view(items, len(messages), call))

    @router.operation("POST", "/v1/threads/{thread_id}/messages", auth=access.user)
    async def create_message(call: Call) -> Response:
        message = store.add_message(own_thread(call), "user", call.body["text"], clock())
        return JSONResponse(message_view(message), status_code=201)

    @router.operation("POST", "/v1/threads/{thread_id}/runs", auth=access.user)
    async def create_run(call: Call) -> Response:
        run = start_run(store, own_thread(call), call.body["input"], clock())
        return JSONResponse(
            {"run_id": run.id, "status": "queued", "stream_url": stream_url(settings)},
            status_code=202,
            headers={"Location": f"/v1/runs/{run.id}"},
        )

    @router.operation("GET", "/v1/runs/{run_id}", auth=access.user)
    async def get_run(call: Call) -> Response:
        run_id, now = call.path["run_id"], clock()
        run = access.visible(store.run_of(access.owner(call), run_id), "run", run_id)
        return JSONResponse(
            {
                "run_id": run.id,
                "thread_id": run.thread_id,
                "status": run.status(now),
                "created_at": timestamp(run.created_at),
                "updated_at": timestamp(run.updated_at(now)),
            }
        )

    @router.operation("GET", "/v1/users/me", auth=access.user)
    async def me(call: Call) -> Response:
        user = access.profile(call)
        return JSONResponse(
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "tenant_id": user.tenant_id,
                "roles": user.roles,
            }
        )

    @router.operation("GET", "/v1/admin/usage", auth=access.admin)
    async def usage(call: Call) -> Response:
        return JSONResponse(asdict(store.usage(access.owner(call).tenant_id)))
