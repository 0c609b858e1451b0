"""The one door between Schemathesis and a service of the target: an ASGI app that every request goes through.

Schemathesis is always given this app (its in-process mode), never a URL, so nothing it sends can bypass
the run's rules: each request takes a slot of the run's `RequestGuard` (rate cap and budget) and is then
either handed to the service's own ASGI app (embedded stubs) or forwarded over HTTP to the service's base
URL with the target's per-request timeout. On a live target a request the staging-safe rules do not allow
(`RunContext.may_send`) is refused here, before it leaves the process, whatever produced it.

A service that does not answer over HTTP, or a spent budget, is recorded as the run's fatal error, and
every later request fails fast, so the suite can stop Schemathesis and raise it. Requests an HTTP client
cannot put on the wire are refused the way `requests` refuses them, so Schemathesis treats them as it
would in the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Protocol

import anyio.to_thread
import httpx
import requests

from providers.errors import ContractgateError, TargetUnreachable
from providers.fuzz.fatal import Fatal
from providers.http import Limits, send_over_kept_alive
from providers.target import ServiceTarget

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

# Hop-by-hop or recomputed by the client; everything else is forwarded as Schemathesis sent it.
_REQUEST_SKIP = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length"}
)
_RESPONSE_SKIP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)


class RequestRefused(Exception):
    """Staging-safe mode kept a request in the process; the message says which and why."""


class Slots(Protocol):
    """The run-wide request guard (`providers.http.RequestGuard`), or a worker process's line to it."""

    @property
    def limits(self) -> Limits: ...

    def acquire(self, what: str) -> None: ...


class Gateway:
    """ASGI app fronting one service. `permits(method, path)` returns None or why a request may not go.

    With `app`, requests are handed to the service's own ASGI app (in-process); without, they go over
    HTTP to the service's base URL.
    """

    def __init__(
        self,
        service: ServiceTarget,
        guard: Slots,
        fatal: Fatal,
        *,
        app: Any | None = None,
        permits: Callable[[str, str], str | None] = lambda method, path: None,
    ) -> None:
        self.base_url = service.base_url.rstrip("/")
        self._app = app
        self._guard = guard
        self._fatal = fatal
        self._permits = permits
        self._client: httpx.Client | None = None
        if self._app is None:
            self._client = httpx.Client(timeout=guard.limits.timeout, trust_env=False, follow_redirects=False)
        #: Requests that reached the service.
        self.sent = 0

    def close(self) -> None:
        """Release the service: Schemathesis keeps every ASGI app it ran for the life of the process."""
        if self._client is not None:
            self._client.close()
        self._app = None
        self._client = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # Lifespan: the service is already running; its lifespan belongs to its own server.
            return
        if self._fatal.error is not None:
            raise RequestRefused(f"not sent: the run is stopping ({self._fatal.error})")
        method, path = scope["method"], scope["path"]
        refusal = self._permits(method, path)
        if refusal is not None:
            raise RequestRefused(f"staging-safe mode kept {method} {path} from the target: {refusal}")
        what = f"{method} {self.base_url}{path}"
        try:
            await anyio.to_thread.run_sync(self._guard.acquire, what)
            if self._app is not None:
                self.sent += 1
                await _serve(self._app, scope, receive, send)
            else:
                await self._forward(scope, receive, send)
        except ContractgateError as error:
            self._fatal.record(error)
            raise

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = self._client
        if client is None:
            raise RequestRefused("not sent: the gateway is closed")
        body = await _read_body(receive)
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        url = self.base_url + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in _REQUEST_SKIP
        ]
        try:
            request = client.build_request(scope["method"], url, headers=headers, content=body)
        except (httpx.InvalidURL, httpx.LocalProtocolError, UnicodeEncodeError) as exc:
            raise requests.exceptions.InvalidURL(f"cannot send {url!r}: {exc}") from None
        try:
            response = await anyio.to_thread.run_sync(partial(send_over_kept_alive, client, request))
        except httpx.LocalProtocolError as exc:
            # What `requests` raises for a header it will not send; Schemathesis knows how to treat it.
            raise requests.exceptions.InvalidHeader(str(exc)) from None
        except httpx.TimeoutException:
            raise TargetUnreachable(
                self.base_url, f"no answer within {self._guard.limits.timeout:g}s"
            ) from None
        except httpx.TransportError as exc:
            raise TargetUnreachable(self.base_url, type(exc).__name__) from None
        self.sent += 1
        content = response.content
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [
                    *_raw_headers(response.headers.multi_items()),
                    (b"content-length", str(len(content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def _serve(app: Callable[..., Any], scope: Scope, receive: Receive, send: Send) -> None:
    """Call an in-process app the way a server would: an exception it raises is a 500, never ours.

    Starlette answers 500 and then re-raises, so that the server can log it; uvicorn sends a plain 500
    when nothing was answered yet and drops the connection when an answer was cut short. Schemathesis
    must see the same, or a server error found in-process would be reported as a crash of the run
    (an error, exit 2) instead of the `not_a_server_error` failure it is.
    """
    started = finished = False

    async def tracked(message: Message) -> None:
        nonlocal started, finished
        if message["type"] == "http.response.start":
            started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            finished = True
        await send(message)

    try:
        await app(scope, receive, tracked)
    except Exception as exc:
        if finished:
            return
        if started:
            raise requests.exceptions.ConnectionError(
                f"the server dropped the connection mid-answer: {type(exc).__name__}"
            ) from None
        body = b"Internal Server Error"
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _raw_headers(items: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1", "replace"))
        for name, value in items
        if name.lower() not in _RESPONSE_SKIP
    ]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def path_matcher(templates: Iterable[tuple[str, str]]) -> Callable[[str, str], str | None]:
    """Map a concrete (method, path) to the operation template it calls, e.g. "GET /things/{id}"."""
    compiled = [
        (
            method.upper(),
            template,
            re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"),
        )
        for method, template in templates
    ]

    def match(method: str, path: str) -> str | None:
        for candidate_method, template, pattern in compiled:
            if candidate_method == method.upper() and pattern.match(path):
                return f"{candidate_method} {template}"
        return None

    return match
