"""The websocket-service's state and its dependencies, wired as a deployment would wire them.

One `WebSocketService` per app: the protocol read from the AsyncAPI contract, the sessions, and the
peers — the auth service (JWKS, the revocation feed, this service's own client-credentials tokens)
and the backend's internal runs API. Handshake authentication is here too: the same
`AccessTokenValidator` and `BearerBackend` the HTTP stubs use, for audience `websocket`, with
revocation looked up in the denylist `revocations` follows; open connections watch it as well.
"""

from __future__ import annotations

from typing import Any

from starlette.websockets import WebSocket

from contracts import asyncapi_spec
from stubs.peers import PeerClient, RemoteJWKS, ServiceTokens
from stubs.problems import Problem
from stubs.revocations import RevocationFollower
from stubs.security import BearerBackend, require_user
from stubs.settings import WebSocketSettings
from stubs.tokens import AccessTokenValidator, Principal
from stubs.websocket.protocol import Protocol, rfc3339
from stubs.websocket.runs import BackendRuns, follow
from stubs.websocket.sessions import Session, SessionStore

REALM = "websocket"
#: Runs one session may follow at once (beyond: `error too_many_subscriptions`).
MAX_SUBSCRIPTIONS = 32


class WebSocketService:
    def __init__(self, settings: WebSocketSettings, document: dict[str, Any] | None = None) -> None:
        self.settings = settings
        peer = settings.peer
        document = document if document is not None else asyncapi_spec()
        if document is None:
            raise RuntimeError("the contracts hold no AsyncAPI document for the WebSocket stub")
        self.protocol = Protocol(document)
        self.auth = PeerClient(peer.auth_url, peer)
        self.backend = PeerClient(settings.backend_url, peer)
        self.tokens = ServiceTokens(self.auth, peer)
        self.jwks = RemoteJWKS(self.auth, peer)
        self.revocations = RevocationFollower(self.auth, self.tokens, self.jwks, peer)
        self.validator = AccessTokenValidator(
            self.jwks,
            issuer=peer.issuer,
            audiences=[settings.audience],
            clock=peer.clock,
            leeway=peer.leeway_seconds,
            is_revoked=self.revocations.is_revoked,
        )
        self.bearer = BearerBackend(self.validator)
        self.runs = BackendRuns(self.backend, self.tokens)
        self.sessions = SessionStore(
            ttl=settings.session_ttl, buffer_size=settings.session_buffer, clock=peer.clock
        )
        self.max_subscriptions = MAX_SUBSCRIPTIONS

    async def authenticate(self, websocket: WebSocket) -> Principal:
        """The user behind the handshake, or a `Problem` (401, 403, 503) to deny the upgrade with."""
        _, user = await self.bearer.authenticate(websocket)
        websocket.scope["user"] = user
        principal = require_user(websocket, REALM)
        if principal.expires_at <= self.settings.peer.clock():
            # Within the validator's leeway, but a connection would have to close at once (4401):
            # refusing the upgrade says the same thing earlier.
            raise Problem(
                401,
                "token expired",
                kind="unauthorized",
                headers={
                    "WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token", '
                    'error_description="token expired"'
                },
            )
        return principal

    def welcome(self, session: Session, principal: Principal) -> None:
        """The first message of a session: its id and the limits of the connection that opened it."""
        session.emit(
            "welcome",
            {
                "session_id": session.id,
                "heartbeat_interval_ms": max(1, round(self.settings.heartbeat_interval * 1000)),
                "max_frame_bytes": self.settings.max_frame_bytes,
                "expires_at": rfc3339(principal.expires_at),
            },
        )

    def follow(self, session: Session, run_id: str) -> None:
        """Start following a run for a session; its events are numbered and kept by the session."""

        def emit(payload: dict[str, Any]) -> None:
            session.emit("run.event", payload)

        session.follow(run_id, follow(self.runs, run_id, emit, poll_interval=self.settings.run_poll_interval))

    async def aclose(self) -> None:
        await self.revocations.stop()
        self.sessions.close_all()
        await self.auth.aclose()
        await self.backend.aclose()
