"""A tiny service with errors planted where only boundary, long or out-of-range input reaches them.

Each is a bug teams meet in production: a 64-bit column behind an integer id, a varchar behind a query
string, a division by a header value, a 405 without `Allow`, an `Allow` that lies, an off-by-one at a body
property's maximum. Some sit at a bound the contract declares (the Schemathesis CLI finds them in every
run), two where it declares none (the CLI finds them only by chance). The gate's fuzz suite must find all
of them in every run, in-process and over HTTP (test_parity.py), and those behind a read through
read-only requests alone on a live target (test_readonly.py).
"""

from __future__ import annotations

import struct
from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SERVICE = "planted-service"
STOCK = list(range(1000))  # one slot per quantity 1…1000, indexed by quantity: the planted off-by-one


@dataclass(frozen=True)
class Planted:
    """One planted error: the path it is on, and the failure Schemathesis reports for it (its title), which
    the gate reports as a failing result of `check` on `operation`."""

    name: str
    operation: str
    check: str
    title: str

    @property
    def path(self) -> str:
        return self.operation.split(" ", 1)[1]


_500 = ("not_a_server_error", "Server error")
PLANTED = (
    Planted("path integer past 64 bits (int64 declared)", "GET /items/{item_id}", *_500),
    Planted("path integer past 64 bits (no bound declared)", "GET /legacy/{legacy_id}", *_500),
    Planted("query string past its maxLength", "GET /search", *_500),
    Planted("long query string (no maxLength declared)", "GET /lookup", *_500),
    Planted("header value at its boundary", "GET /reports", *_500),
    Planted("405 without Allow", "GET /things", "unsupported_method", "Wrong response to undeclared method"),
    Planted(
        "OPTIONS with a wrong Allow", "GET /gadgets", "allow_header_conformance", "Allow header mismatch"
    ),
    Planted("body property at its boundary", "POST /orders", *_500),
)
#: The planted errors only a write reaches.
WRITES = frozenset({"POST /orders"})

_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_PROBLEM = {"description": "refused", "content": {"application/json": {"schema": {"type": "object"}}}}


def _get(operation_id: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": parameters,
        "responses": {
            "200": {"description": "ok", "content": _JSON_OBJECT},
            "400": _PROBLEM,
            "404": _PROBLEM,
        },
    }


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "planted", "version": "1.0.0", "x-service": SERVICE, "x-api-version": "v1"},
    "paths": {
        "/items/{item_id}": {
            "get": _get(
                "getItem",
                [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "format": "int64", "minimum": 1},
                    }
                ],
            )
        },
        "/legacy/{legacy_id}": {
            "get": _get(
                "getLegacy",
                [
                    {
                        "name": "legacy_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    }
                ],
            )
        },
        "/search": {
            "get": _get(
                "search",
                [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 64},
                    }
                ],
            )
        },
        "/lookup": {
            "get": _get(
                "lookup",
                [
                    {
                        "name": "name",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                    }
                ],
            )
        },
        "/reports": {
            "get": _get(
                "getReports",
                [
                    {
                        "name": "X-Page-Size",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    }
                ],
            )
        },
        "/things": {"get": _get("getThings", [])},
        "/gadgets": {"get": _get("getGadgets", [])},
        "/orders": {
            "post": {
                "operationId": "createOrder",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["quantity"],
                                "properties": {
                                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000}
                                },
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "created", "content": _JSON_OBJECT}, "400": _PROBLEM},
            }
        },
    },
}


def _bad(status: int = 400) -> JSONResponse:
    return JSONResponse({"title": "refused"}, status)


async def item(request: Request) -> Response:
    (raw,) = request.path_params.values()
    try:
        number = int(raw)
    except ValueError:
        return _bad(404)
    if number < 1:
        return _bad(404)
    struct.pack("<q", number)  # the storage key is a signed 64-bit integer: past it, struct.error → 500
    return JSONResponse({"id": number})


async def lookup(request: Request) -> Response:
    name = request.query_params.get("name", "")
    if not name:
        return _bad()
    if len(name.encode()) > 1000:
        raise OverflowError("name does not fit the 1000-byte lookup buffer")  # the contract sets no limit
    return JSONResponse({"found": False})


async def search(request: Request) -> Response:
    q = request.query_params.getlist("q")
    if len(q) != 1:
        return _bad()
    if len(q[0]) > 64:
        raise ValueError("value too long for column q (varchar 64)")  # the validation forgot the limit
    return JSONResponse({"hits": []})


async def reports(request: Request) -> Response:
    try:
        size = int(request.headers["x-page-size"])
    except (KeyError, ValueError):
        return _bad()
    if size > 100:
        return _bad()
    pages = 1000 // size  # a size of 0 passes the check above: ZeroDivisionError → 500
    return JSONResponse({"pages": pages})


async def things(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return _bad(405)  # RFC 9110 §15.5.6: a 405 MUST carry Allow; this one does not
    return JSONResponse({"things": []})


async def gadgets(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": "GET, HEAD, OPTIONS, DELETE"})  # no DELETE exists
    if request.method not in ("GET", "HEAD"):
        return Response(status_code=405, headers={"Allow": "GET, HEAD, OPTIONS"})
    return JSONResponse({"gadgets": []})


async def orders(request: Request) -> Response:
    try:
        body = await request.json()
        quantity = body["quantity"]
    except (ValueError, KeyError, TypeError):
        return _bad()
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 1000:
        return _bad()
    return JSONResponse({"reserved": STOCK[quantity]}, 201)  # IndexError at the maximum → 500


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


def create_app(methods: Counter[str] | None = None) -> Starlette:
    """The planted service; `methods` counts every request's method as the server saw it."""
    app = Starlette(
        routes=[
            Route("/items/{item_id}", item, methods=["GET"]),
            Route("/legacy/{legacy_id}", item, methods=["GET"]),
            Route("/search", search, methods=["GET"]),
            Route("/lookup", lookup, methods=["GET"]),
            Route("/reports", reports, methods=["GET"]),
            Route("/things", things, methods=ALL_METHODS),
            Route("/gadgets", gadgets, methods=ALL_METHODS),
            Route("/orders", orders, methods=["POST"]),
        ]
    )
    if methods is None:
        return app

    async def counting(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            methods[scope["method"]] += 1
        await app(scope, receive, send)

    return counting  # type: ignore[return-value]
