"""The three stubs wired together and served on loopback: the embedded target of the gate.

Sockets are bound first (port 0 = a free port), so each stub is built knowing its peers' URLs:
the backend and WebSocket stubs fetch the auth stub's JWKS and follow its revocation feed (each
connects on startup; `stubs.revocations`), and the WebSocket stub reads runs through the backend's
internal API, over real HTTP and WebSocket connections as a deployment would.
Factories are parameters so a test can swap in a deliberately broken variant of one service.
`provider_states=False` serves them as a staging environment is: without the provider-state hook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from stubs.demo import client_by_id
from stubs.provider_states import PROVIDER_STATES_PATH
from stubs.server import BackgroundServer, bind, url_of
from stubs.settings import AuthSettings, BackendSettings, PeerSettings, WebSocketSettings

AppFactory = Callable[[Any], ASGIApp]


def _auth_factory(settings: AuthSettings) -> ASGIApp:
    from stubs.auth import create_app

    return create_app(settings)


def _backend_factory(settings: BackendSettings) -> ASGIApp:
    from stubs.backend import create_app

    return create_app(settings)


def _websocket_factory(settings: WebSocketSettings) -> ASGIApp:
    from stubs.websocket import create_app

    return create_app(settings)


@dataclass
class PlatformOptions:
    host: str = "127.0.0.1"
    auth_port: int = 0
    backend_port: int = 0
    websocket_port: int = 0
    auth: AuthSettings = field(default_factory=AuthSettings)
    #: Field overrides for the backend's and WebSocket stub's settings (e.g. heartbeat_interval).
    backend: dict[str, Any] = field(default_factory=dict)
    websocket: dict[str, Any] = field(default_factory=dict)
    #: Field overrides for the peer settings both resource services share (e.g. leeway_seconds).
    peer: dict[str, Any] = field(default_factory=dict)
    auth_factory: AppFactory = _auth_factory
    backend_factory: AppFactory = _backend_factory
    websocket_factory: AppFactory = _websocket_factory
    #: Serve the provider-state hook (False: a 404 there, as on a staging environment).
    provider_states: bool = True


def without_hook(app: ASGIApp) -> ASGIApp:
    """`app` with its provider-state hook answering 404, as if it had none."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PROVIDER_STATES_PATH:
            await Response(status_code=404)(scope, receive, send)
            return
        await app(scope, receive, send)

    return guarded


def _peer(auth_url: str, options: PlatformOptions, client_id: str) -> PeerSettings:
    client = client_by_id(client_id)
    assert client is not None
    base = PeerSettings(
        auth_url=auth_url,
        issuer=options.auth.issuer,
        client_id=client.client_id,
        client_secret=client.secret,
        clock=options.auth.clock,
    )
    return replace(base, **options.peer)


class Platform:
    """The three stub servers; start with `with Platform(...) as platform:` or `.start()`/`.stop()`."""

    def __init__(self, options: PlatformOptions | None = None) -> None:
        options = options or PlatformOptions()
        self.options = options
        auth_sock = bind(options.host, options.auth_port)
        backend_sock = bind(options.host, options.backend_port)
        websocket_sock = bind(options.host, options.websocket_port)
        self.auth_url = url_of(auth_sock)
        self.backend_url = url_of(backend_sock)
        self.websocket_http_url = url_of(websocket_sock)
        self.websocket_url = url_of(websocket_sock, "ws")

        self.auth_settings = options.auth
        self.backend_settings = replace(
            BackendSettings(
                peer=_peer(self.auth_url, options, "backend-service"), websocket_url=self.websocket_url
            ),
            **options.backend,
        )
        self.websocket_settings = replace(
            WebSocketSettings(
                peer=_peer(self.auth_url, options, "websocket-service"), backend_url=self.backend_url
            ),
            **options.websocket,
        )
        self.auth_app = options.auth_factory(self.auth_settings)
        self.backend_app = options.backend_factory(self.backend_settings)
        self.websocket_app = options.websocket_factory(self.websocket_settings)
        served = (lambda app: app) if options.provider_states else without_hook
        self.servers = [
            BackgroundServer(served(self.auth_app), auth_sock, name="auth-service"),
            BackgroundServer(served(self.backend_app), backend_sock, name="backend-service"),
            BackgroundServer(
                served(self.websocket_app),
                websocket_sock,
                name="websocket-service",
                # uvicorn refuses frames over this size itself (close 1009); the stub checks too.
                ws_max_size=self.websocket_settings.max_frame_bytes,
            ),
        ]

    @property
    def apps(self) -> dict[str, ASGIApp]:
        """Service name → the ASGI app serving it (in this process)."""
        return {
            "auth-service": self.auth_app,
            "backend-service": self.backend_app,
            "websocket-service": self.websocket_app,
        }

    @property
    def urls(self) -> dict[str, str]:
        """Service name → base URL, the shape every target has."""
        return {
            "auth-service": self.auth_url,
            "backend-service": self.backend_url,
            "websocket-service": self.websocket_http_url,
        }

    @property
    def endpoints(self) -> dict[str, str]:
        """Service name → where a client connects (the WebSocket service's ws:// URL), for people."""
        return {**self.urls, "websocket-service": self.websocket_url}

    def start(self) -> Platform:
        started: list[BackgroundServer] = []
        try:
            for server in self.servers:
                started.append(server.start())
        except BaseException:
            for server in started:
                server.stop()
            raise
        return self

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
