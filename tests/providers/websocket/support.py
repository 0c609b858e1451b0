"""Helpers of the websocket suite's tests: run contexts, and WebSocket providers broken one way at a time.

Each broken provider is the real stub (`stubs.websocket`) with one piece swapped — a session store
that loses or renumbers, a connection that ignores expiry or unknown types or the frame limit, a
service that trusts any handshake or says something the contract does not declare — served on its
own loopback port next to the real auth and backend stubs, so that only the one fault differs.
"""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from contractgate.credentials import demo_credentials
from contracts import asyncapi_spec, openapi_specs
from providers.credentials import TokenSource
from providers.http import Limits, RequestGuard, TargetHttp
from providers.platform import DEFAULT_HOOK_PATH as STATES_PATH
from providers.platform import of_folder
from providers.redact import Redactor
from providers.results import Result, Verdict
from providers.suite import RunContext, RunOptions
from providers.target import ServiceTarget, Target
from providers.websocket import run
from stubs.demo import user_by_email
from stubs.platform import Platform
from stubs.problems import EXCEPTION_HANDLERS, Problem
from stubs.server import BackgroundServer, bind, url_of
from stubs.settings import WebSocketSettings
from stubs.tokens import Principal
from stubs.websocket import CHANNEL_PATH, SUBPROTOCOL
from stubs.websocket.connection import Connection
from stubs.websocket.protocol import UNKNOWN_TYPE, ProtocolError
from stubs.websocket.service import WebSocketService
from stubs.websocket.sessions import Attachment, Session, SessionStore
from stubs.websocket.states import provider_states

#: Short waits so that a failing check (which waits out its timeout) stays quick.
FAST: dict[str, Any] = {
    "reply_timeout": 2.0,
    "run_timeout": 10.0,
    "check_timeout": 30.0,
    "token_lifetime": 1.0,
    "expiry_grace": 1.5,
    "connections": 6,
}


def context(target: Target, **options: Any) -> RunContext:
    http = TargetHttp(RequestGuard(Limits(timeout=10)))
    redactor = Redactor()
    credentials = demo_credentials()
    return RunContext(
        platform=of_folder(),
        target=target,
        specs=openapi_specs(),
        asyncapi=asyncapi_spec(),
        credentials=credentials,
        tokens=TokenSource(target, credentials, http, redactor),
        http=http,
        redactor=redactor,
        options=RunOptions(suites={"websocket": {**FAST, **options}}),
    )


def run_suite(target: Target, **options: Any) -> dict[str, Result]:
    ctx = context(target, **options)
    try:
        results = list(run(ctx))
    finally:
        ctx.http.close()
    by_check = {r.check: r for r in results}
    assert len(by_check) == len(results), "one result per check"
    return by_check


def failing(results: dict[str, Result]) -> set[str]:
    return {name for name, r in results.items() if r.verdict is not Verdict.PASS}


# -- broken providers --------------------------------------------------------------------------------
ServiceHook = Callable[[WebSocketService], None]


def variant_app(
    settings: WebSocketSettings,
    *,
    connection: type[Connection] = Connection,
    hook: ServiceHook | None = None,
) -> Starlette:
    """The stub's app (as `stubs.websocket.create_app` builds it) with a swapped connection or service."""
    service = WebSocketService(settings)
    if hook is not None:
        hook(service)

    async def channel(websocket: WebSocket) -> None:
        try:
            principal = await service.authenticate(websocket)
        except Problem as problem:
            await websocket.send_denial_response(problem.response(websocket.url.path))
            return
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        await connection(websocket, principal, service).serve()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await service.aclose()  # the peers' HTTP clients, as the real app does

    app = Starlette(
        routes=[WebSocketRoute(CHANNEL_PATH, channel), provider_states(service).route()],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    app.state.service = service
    return app


@contextmanager
def serve_variant(
    platform: Platform, app_of: Callable[[WebSocketSettings], Starlette], *, ws_max_size: int | None = None
) -> Iterator[Target]:
    """A target of the platform's real auth and backend and a broken WebSocket service."""
    sock = bind("127.0.0.1", 0)
    settings = platform.websocket_settings
    server = BackgroundServer(
        app_of(settings), sock, name="broken-websocket", ws_max_size=ws_max_size or settings.max_frame_bytes
    )
    url = url_of(sock)
    services = {
        name: ServiceTarget(name, base, states_url=base + STATES_PATH)
        for name, base in platform.urls.items()
        if name != "websocket-service"
    }
    services["websocket-service"] = ServiceTarget("websocket-service", url, states_url=url + STATES_PATH)
    with server:
        yield Target(name="broken", services=services, live=False)


class LossyStore(SessionStore):
    """Resume replays every kept message but one."""

    def resume(
        self, principal: Principal, session_id: str, last_seq: int
    ) -> tuple[Session, list[dict[str, Any]]]:
        session, replay = super().resume(principal, session_id, last_seq)
        return session, replay[:1] + replay[2:]


class _RepeatingSession(Session):
    """Numbers its third message like its second."""

    def emit(self, type_: str, payload: dict[str, Any], *, reply_to: str | None = None) -> dict[str, Any]:
        if self.last_seq == 2 and not getattr(self, "_repeated", False):
            self._repeated = True
            self.last_seq -= 1
        return super().emit(type_, payload, reply_to=reply_to)


class RepeatingStore(SessionStore):
    def create(self, principal: Principal, attachment: Attachment | None = None) -> Session:
        session = super().create(principal, attachment)
        session.__class__ = _RepeatingSession
        return session


def _stores(store: type[SessionStore]) -> ServiceHook:
    def hook(service: WebSocketService) -> None:
        s = service.settings
        service.sessions = store(ttl=s.session_ttl, buffer_size=s.session_buffer, clock=s.peer.clock)

    return hook


def lost_on_resume(settings: WebSocketSettings) -> Starlette:
    return variant_app(settings, hook=_stores(LossyStore))


def duplicated_seq(settings: WebSocketSettings) -> Starlette:
    return variant_app(settings, hook=_stores(RepeatingStore))


def undeclared_message(settings: WebSocketSettings) -> Starlette:
    def hook(service: WebSocketService) -> None:
        welcome = service.welcome

        def chatty(session: Session, principal: Principal) -> None:
            welcome(session, principal)
            session.emit("debug.trace", {"note": "not in the contract"})

        service.welcome = chatty  # type: ignore[method-assign]

    return variant_app(settings, hook=hook)


def auth_not_enforced(settings: WebSocketSettings) -> Starlette:
    """Any handshake the real check refuses gets in as alice."""

    def hook(service: WebSocketService) -> None:
        authenticate = service.authenticate
        alice = user_by_email("alice@example.com")
        assert alice is not None

        async def trusting(self: WebSocketService, websocket: WebSocket) -> Principal:
            try:
                return await authenticate(websocket)
            except Problem:
                return Principal(
                    subject=alice.id,
                    kind="user",
                    audiences=("websocket",),
                    scopes=frozenset(),
                    jti="trusted",
                    expires_at=time.time() + 900,
                    tenant_id=alice.tenant_id,
                    roles=frozenset(alice.roles),
                )

        service.authenticate = types.MethodType(trusting, service)  # type: ignore[method-assign]

    return variant_app(settings, hook=hook)


class _NoExpiry(Connection):
    async def _expire(self) -> None:
        await asyncio.Event().wait()


def no_expiry_close(settings: WebSocketSettings) -> Starlette:
    return variant_app(settings, connection=_NoExpiry)


class _SilentOnUnknown(Connection):
    def _error(self, exc: ProtocolError) -> None:
        if exc.code != UNKNOWN_TYPE:
            super()._error(exc)


def no_error_on_unknown_type(settings: WebSocketSettings) -> Starlette:
    return variant_app(settings, connection=_SilentOnUnknown)


class _Unlimited(Connection):
    def __init__(self, websocket: WebSocket, principal: Principal, service: WebSocketService) -> None:
        super().__init__(websocket, principal, service)
        self.settings = replace(self.settings, max_frame_bytes=2**30)  # still announces the real limit


def oversized_frame_accepted(settings: WebSocketSettings) -> Starlette:
    return variant_app(settings, connection=_Unlimited)
