"""`create_app(kinds, settings)`: a FastAPI service with `kinds` CRUD collections, and `serve` for it.

Each kind (`benchmarks.synthetic.models.kind`) has five operations: list (`limit`, `offset`), create,
get, update (PATCH or PUT by shape) and delete, on `/api/<kind>s` and `/api/<kind>s/{<kind>_id}`. Items
belong to the user who created them; another user's item answers 404, as if it did not exist. Add
`GET /healthz`, `POST /api/session` (the login) and `GET /api/me`: 5 × kinds + 3 operations, and the
OpenAPI 3.1 document FastAPI generates from them at `/openapi.json`.

One correction a faithful service needs over FastAPI's defaults (as in the taskboard test platform): an
unsupported method is 405 with an `Allow` header listing every method of the path (RFC 9110 §15.5.6).
The routes are generated at runtime, so no `from __future__ import annotations` here: FastAPI reads the
handlers' annotations when they are defined, and the body models are local variables.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from benchmarks.synthetic.auth import UNAUTHORIZED, Auth, CurrentUser, Settings, User
from benchmarks.synthetic.models import Health, Kind, Me, Problem, kind
from stubs.server import BackgroundServer, bind

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such item among the caller's"}
}
#: FastAPI answers 400 when a body cannot be read at all (not UTF-8, or broken JSON framing).
UNREADABLE: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be parsed"}
}
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many items")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Items to skip")]


class Store:
    """One kind's items, by id and by owner (so that a list costs what the owner has, not everyone)."""

    def __init__(self) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.by_owner: dict[int, dict[int, dict[str, Any]]] = {}


def _methods_of(app: FastAPI) -> list[tuple[re.Pattern[str], list[str]]]:
    return [
        (compile_path(template)[0], sorted(method.upper() for method in operations))
        for template, operations in app.openapi()["paths"].items()
    ]


def kind_router(k: Kind, store: Store, current_user: CurrentUser, ids: Iterator[int]) -> APIRouter:
    router = APIRouter(responses=UNAUTHORIZED, tags=[k.name])
    U = Annotated[User, Depends(current_user)]
    ItemId = Annotated[int, Path(ge=1, description=f"A {k.name}'s id", alias=k.param)]
    Create, Update, Item, Page = k.create, k.update, k.item, k.page
    item_path = f"{k.collection}/{{{k.param}}}"

    def owned(item_id: int, user: User) -> dict[str, Any]:
        row = store.items.get(item_id)
        if row is None or row["owner_id"] != user.id:
            raise HTTPException(404, f"no such {k.name}")
        return row

    async def list_items(user: U, limit: Limit = 20, offset: Offset = 0) -> Any:
        rows = list(store.by_owner.get(user.id, {}).values())
        return Page(items=rows[offset : offset + limit], total=len(rows), limit=limit, offset=offset)

    async def create_item(user: U, body: Create) -> Any:  # type: ignore[valid-type]
        row = {"id": next(ids), "owner_id": user.id, "created_at": datetime.now(UTC), **body.model_dump()}  # type: ignore[attr-defined]
        store.items[row["id"]] = row
        store.by_owner.setdefault(user.id, {})[row["id"]] = row
        return row

    async def get_item(user: U, item_id: ItemId) -> Any:
        return owned(item_id, user)

    async def update_item(user: U, item_id: ItemId, body: Update) -> Any:  # type: ignore[valid-type]
        row = owned(item_id, user)
        for field in body.model_fields_set:  # type: ignore[attr-defined]
            value = getattr(body, field)
            if value is not None or k.nullable(field):
                row[field] = value
        return row

    async def delete_item(user: U, item_id: ItemId) -> Response:
        row = owned(item_id, user)
        del store.items[row["id"]]
        del store.by_owner[user.id][row["id"]]
        return Response(status_code=204)

    verb = "Update" if k.update_method == "PATCH" else "Replace"
    router.add_api_route(
        k.collection,
        list_items,
        methods=["GET"],
        response_model=Page,
        name=f"list_{k.name}s",
        summary=f"The caller's {k.name}s",
    )
    router.add_api_route(
        k.collection,
        create_item,
        methods=["POST"],
        response_model=Item,
        status_code=201,
        responses=UNREADABLE,
        name=f"create_{k.name}",
        summary=f"Create a {k.name}",
    )
    router.add_api_route(
        item_path,
        get_item,
        methods=["GET"],
        response_model=Item,
        responses=NOT_FOUND,
        name=f"get_{k.name}",
        summary=f"One of the caller's {k.name}s",
    )
    router.add_api_route(
        item_path,
        update_item,
        methods=[k.update_method],
        response_model=Item,
        responses=NOT_FOUND | UNREADABLE,
        name=f"{verb.lower()}_{k.name}",
        summary=f"{verb} a {k.name}",
    )
    router.add_api_route(
        item_path,
        delete_item,
        methods=["DELETE"],
        status_code=204,
        responses=NOT_FOUND,
        name=f"delete_{k.name}",
        summary=f"Delete a {k.name}",
        response_class=Response,
    )
    return router


def create_app(kinds: int, settings: Settings) -> FastAPI:
    """The service with `kinds` resource collections (5 × kinds + 3 operations)."""
    auth = Auth(settings)
    allowed: list[tuple[re.Pattern[str], list[str]]] = []

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            if not allowed:
                allowed.extend(_methods_of(request.app))
            methods = sorted({m for regex, ms in allowed if regex.match(request.url.path) for m in ms})
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
        return await http_exception_handler(request, exc)

    app = FastAPI(
        title="synthetic",
        version="1.0.0",
        description=f"{kinds} generated resource collections, per user, for contractgate's scale benchmark.",
        docs_url=None,
        redoc_url=None,
        exception_handlers={StarletteHTTPException: http_error},
        generate_unique_id_function=lambda route: route.name,  # operationIds are the routes' names
    )
    current_user = auth.dependency()

    @app.get("/healthz", response_model=Health, tags=["health"], summary="Liveness")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/api/me", response_model=Me, responses=UNAUTHORIZED, tags=["account"], summary="The signed-in user"
    )
    async def me(user: Annotated[User, Depends(current_user)]) -> Me:
        return Me(id=user.id, email=user.account.email, name=user.account.name)

    app.include_router(auth.router())
    ids = iter(range(1, 2**62))
    for index in range(kinds):
        app.include_router(kind_router(kind(index), Store(), current_user, ids))
    return app


@contextmanager
def serve(kinds: int, settings: Settings) -> Iterator[str]:
    """The service under uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    with BackgroundServer(create_app(kinds, settings), bind("127.0.0.1", 0), name="synthetic") as server:
        yield server.url
