"""RFC 9457 problem details: every error a stub answers, and the handlers that guarantee it.

A stub never answers a bare 500 for bad input: request errors are raised as `Problem` and rendered
as `application/problem+json`; Starlette's own 404/405 are rendered the same way; anything
unexpected becomes a 500 problem (which the fuzz suite then reports, as it should).
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ExceptionHandler

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://contractgate.test/problems/"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


class Problem(Exception):
    """An error answer; raise it anywhere in a request and the handler renders it."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or _TITLES.get(status, "Error"))
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        title = _TITLES.get(self.status, "Error")
        kind = self.kind or title.lower().replace(" ", "-")
        body: dict[str, Any] = {"type": PROBLEM_BASE + kind, "title": title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body

    def response(self, instance: str | None = None) -> Response:
        return ProblemResponse(self.body(instance), status_code=self.status, headers=self.headers)


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return exc.response(request.url.path)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    problem = Problem(exc.status_code, None, headers=dict(exc.headers or {}))
    return problem.response(request.url.path)


async def _unexpected_handler(request: Request, exc: Exception) -> Response:
    return Problem(500, "unexpected error").response(request.url.path)


EXCEPTION_HANDLERS: dict[Any, ExceptionHandler] = {
    Problem: _problem_handler,
    HTTPException: _http_exception_handler,
    Exception: _unexpected_handler,
}
