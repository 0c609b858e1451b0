"""The real stubs behind a switchable edge: the browser and readiness mistakes a deployment makes in front
of (or around) a correct service — a misconfigured CORS layer or gateway, a proxy that strips or rewrites
headers, a slow endpoint, a dependency that is down.

One `EdgePlatform` serves the three stubs, each wrapped once; `with platform.flaws.on("no-vary"):` (the
token suites' `Flaws` switchboard) turns a flaw on for every request until the block ends. With no flaw on, every request reaches the stub
unchanged, so the same platform is also the faithful target.

| flaw | the mistake |
|---|---|
| reflect-origin | Starlette's own `CORSMiddleware` in front, configured `allow_origin_regex=".*"` with credentials: every Origin is reflected |
| wildcard-credentials | a hand-written CORS layer answering `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` |
| no-vary | a proxy that drops `Vary` from every answer |
| any-origin | the WebSocket server ignores `Origin` (the header never reaches the check) |
| cacheable-token | a cache rule rewriting the token endpoint's answers to `Cache-Control: public, max-age=300` |
| no-challenge | a proxy that drops `WWW-Authenticate` from 401s |
| slow-health | the backend's `GET /health` takes 300 ms |
| auth-down | the auth service's `GET /health` answers 503 (what its dependants must report) |
"""

from __future__ import annotations

import asyncio

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractgate.embedded import gate_options, target_of
from providers.target import Target
from stubs.platform import Platform, _auth_factory, _backend_factory, _websocket_factory
from tests.providers.tokens.flawed import Flaws

SLOW_SECONDS = 0.3
TOKEN_PATH = "/v2/auth/token"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _rewrite(send: Send, change: dict[bytes, bytes | None], when_status: int | None = None) -> Send:
    """A `send` that replaces (or, with None, removes) answer headers."""

    async def rewritten(message: Message) -> None:
        if message["type"] == "http.response.start" and (
            when_status is None or message["status"] == when_status
        ):
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in change]
            kept += [(k, v) for k, v in change.items() if v is not None]
            message = {**message, "headers": kept}
        await send(message)

    return rewritten


def _wildcard_credentials(app: ASGIApp) -> ASGIApp:
    """The classic hand-written CORS layer: `*` for everyone, credentials too."""

    async def layer(scope: Scope, receive: Receive, send: Send) -> None:
        cors = {b"access-control-allow-origin": b"*", b"access-control-allow-credentials": b"true"}
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            response = PlainTextResponse(
                "OK",
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Credentials": "true",
                    "Access-Control-Allow-Methods": "GET, POST, DELETE",
                    "Access-Control-Allow-Headers": "Authorization, Content-Type",
                },
            )
            await response(scope, receive, send)
            return
        await app(scope, receive, _rewrite(send, dict(cors)))

    return layer


class Edge:
    """One stub behind the switchable edge."""

    def __init__(self, name: str, app: ASGIApp, flaws: Flaws) -> None:
        self.name = name
        self.app = app
        self.flaws = flaws
        self.reflecting = CORSMiddleware(
            app, allow_origin_regex=".*", allow_credentials=True, allow_methods=["*"], allow_headers=["*"]
        )
        self.wildcard = _wildcard_credentials(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        flaws = self.flaws
        if scope["type"] == "websocket" and flaws.has("any-origin"):
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"origin"]
            await self.app({**scope, "headers": headers}, receive, send)
            return
        if scope["type"] != "http" or not flaws.active:
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if flaws.has("slow-health") and path == "/health" and self.name == "backend-service":
            await asyncio.sleep(SLOW_SECONDS)
        if flaws.has("no-vary"):
            send = _rewrite(send, {b"vary": None})
        if flaws.has("no-challenge"):
            send = _rewrite(send, {b"www-authenticate": None}, when_status=401)
        if flaws.has("cacheable-token") and method == "POST" and path == TOKEN_PATH:
            send = _rewrite(send, {b"cache-control": b"public, max-age=300", b"pragma": None})
        if flaws.has("reflect-origin"):
            await self.reflecting(scope, receive, send)
        elif flaws.has("wildcard-credentials"):
            await self.wildcard(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class AuthEdge(Edge):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.flaws.has("auth-down") and scope["path"] == "/health":
            await PlainTextResponse("down for maintenance", status_code=503)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class EdgePlatform:
    """The three stubs behind switchable edges; `target` is the gate's view of them."""

    def __init__(self) -> None:
        self.flaws = Flaws()
        options = gate_options()
        options.auth_factory = lambda s: AuthEdge("auth-service", _auth_factory(s), self.flaws)
        options.backend_factory = lambda s: Edge("backend-service", _backend_factory(s), self.flaws)
        options.websocket_factory = lambda s: Edge("websocket-service", _websocket_factory(s), self.flaws)
        self.platform = Platform(options)
        self.target: Target = target_of(self.platform)

    def start(self) -> EdgePlatform:
        self.platform.start()
        return self

    def stop(self) -> None:
        self.platform.stop()
