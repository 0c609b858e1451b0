"""The websocket-service stub: the `/ws` channel of `contracts/asyncapi/websocket.yaml`.

`create_app(settings)` builds a fresh service. The handshake is authenticated before the upgrade is
accepted — a refused one is an HTTP 401/403/503 problem+json answer (the WebSocket denial response),
never an accepted socket closed at once — and the accepted connection is served by
`connection.Connection`. `app.state.service` is the `WebSocketService`, so in-process tests can reach
its sessions.

Modules: `protocol` (envelopes, client-message validation against the contract), `sessions`
(numbering, replay buffer, resume), `runs` (following a run through the backend's internal API),
`connection` (one socket), `service` (wiring and handshake authentication), `states` (provider states).
A handshake from an origin the contracts' `browser.websocket` does not list is refused with 403 before
any token is looked at (`stubs.browser`); `GET /health` probes the auth and backend services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from stubs.browser import WEBSOCKET_REFUSED_STATUS, websocket_origin_allowed
from stubs.health import health_route
from stubs.peers import PeerUnavailable
from stubs.problems import EXCEPTION_HANDLERS, Problem
from stubs.settings import WebSocketSettings
from stubs.websocket.connection import Connection
from stubs.websocket.service import WebSocketService
from stubs.websocket.states import provider_states

__all__ = ["create_app", "WebSocketService", "SUBPROTOCOL", "CHANNEL_PATH"]

CHANNEL_PATH = "/ws"
#: The subprotocol the server selects; a browser offers it beside `bearer.<jwt>`.
SUBPROTOCOL = "events.v1"
CLOSE_POLICY_VIOLATION = 1008


def _endpoint(service: WebSocketService) -> Callable[[WebSocket], Awaitable[None]]:
    async def channel(websocket: WebSocket) -> None:
        try:
            if not websocket_origin_allowed(websocket.headers.get("origin")):
                # Cross-site WebSocket hijacking: a page of another origin may not open the channel.
                raise Problem(
                    WEBSOCKET_REFUSED_STATUS, "this origin may not open the channel", kind="forbidden"
                )
            principal = await service.authenticate(websocket)
        except Problem as problem:
            try:
                await websocket.send_denial_response(problem.response(websocket.url.path))
            except RuntimeError:  # a server without the denial-response extension: 1008 is all it can say
                await websocket.close(CLOSE_POLICY_VIOLATION, problem.detail)
            return
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        await Connection(websocket, principal, service).serve()

    return channel


async def _peer_unavailable(request: Request, exc: Exception) -> Response:
    return Problem(503, str(exc) or "a dependency did not answer", headers={"Retry-After": "1"}).response(
        request.url.path
    )


def create_app(settings: WebSocketSettings) -> Starlette:
    service = WebSocketService(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.revocations.start()
        yield
        await service.aclose()

    app = Starlette(
        routes=[
            WebSocketRoute(CHANNEL_PATH, _endpoint(service)),
            provider_states(service).route(),
            health_route({"auth-service": service.auth, "backend-service": service.backend}),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, PeerUnavailable: _peer_unavailable},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
