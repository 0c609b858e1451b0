"""Deliberately broken providers, and a helper that runs the `pacts` suite against a target.

Each variant wraps a real stub in a small ASGI middleware that breaks one thing a consumer relies
on, the way a careless change would: a renamed field, a changed status code, a WebSocket reply
numbered wrongly. (A removed route needs no middleware: `stubs.auth.create_app(without=...)`.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractgate.gate import GatePlan, run_gate
from providers.results import Result
from providers.suite import RunOptions
from providers.target import Target

JsonEdit = Callable[[int, Any], tuple[int, Any]]


def verify(
    target: Target, *, providers: tuple[str, ...] = (), consumers: tuple[str, ...] = (), **options: Any
) -> list[Result]:
    """The `pacts` suite's results against `target`, through the gate as `contractgate` runs it."""
    suite = {"providers": providers, "consumers": consumers, **options}
    outcome = run_gate(
        GatePlan(target=target, suites=("pacts",), options=RunOptions(suites={"pacts": suite}))
    )
    assert outcome.stopped is None, outcome.stopped
    return outcome.results


def by_interaction(results: list[Result]) -> dict[str, Result]:
    return {str(r.details.get("interaction", r.operation)): r for r in results}


class EditJsonResponses:
    """Rewrites the JSON answers to `METHOD path-regex` with `edit(status, body) -> (status, body)`."""

    def __init__(self, app: ASGIApp, method: str, path: str, edit: JsonEdit) -> None:
        self.app, self.method, self.path, self.edit = app, method, re.compile(path), edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != self.method
            or not self.path.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body = self.edit(start["status"], json.loads(b"".join(chunks) or b"null"))
            data = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send(
                {
                    **start,
                    "status": status,
                    "headers": [*headers, (b"content-length", str(len(data)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, rewrite)


def rename_field(old: str, new: str) -> JsonEdit:
    def edit(status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and old in body:
            body[new] = body.pop(old)
        return status, body

    return edit


def change_status(old: int, new: int) -> JsonEdit:
    return lambda status, body: (new if status == old else status, body)


class SkewSeq:
    """A WebSocket provider that numbers every message after `welcome` one too high."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return

        async def skewed(message: Message) -> None:
            if message["type"] == "websocket.send" and message.get("text"):
                data = json.loads(message["text"])
                if data.get("type") != "welcome":
                    data["seq"] += 1
                message = {**message, "text": json.dumps(data)}
            await send(message)

        await self.app(scope, receive, skewed)
