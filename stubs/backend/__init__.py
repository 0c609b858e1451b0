"""The backend-service stub: threads, messages, agent runs and an internal API, per its two contracts.

`create_app(settings)` wires one app instance: a store in memory (`app.state.store`, seeded empty;
users are `stubs.demo`'s, by token `sub`), token checks as a deployment does them (signatures against
the auth service's JWKS fetched over HTTP, refetched when a new `kid` appears, and revocation looked up
in the denylist the auth service's revocation feed keeps up to date — `app.state.revocations`, followed
with the backend's own client credentials from startup), one `SpecRouter` per contract
(`app.state.routers`, so tests can assert nothing declared is missing), the deprecation headers on
every `/v1/` answer, and the provider states.

    access      who may call what; "not yours" is a 404
    store       threads, messages, runs and ownership
    runs        the run simulation, derived from the clock
    pagination  v2 cursors, v1 page numbers
    api_v2      the v2 user API (`/health`, which probes the auth service, is wired here)
    api_v1      the deprecated v1 user API
    internal    /internal/v1 for services
    states      provider states
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import Response

from contracts import spec_by_name
from stubs.backend import api_v1, api_v2, internal, states
from stubs.backend.store import Store
from stubs.browser import cors
from stubs.health import HEALTH_PATH, health_answer
from stubs.operations import Call, SpecRouter
from stubs.peers import PeerClient, RemoteJWKS, ServiceTokens
from stubs.problems import EXCEPTION_HANDLERS
from stubs.provider_states import ProviderStates
from stubs.revocations import RevocationFollower
from stubs.security import BearerBackend
from stubs.settings import BackendSettings
from stubs.tokens import AccessTokenValidator
from stubs.versioning import DeprecationHeaders

__all__ = ["create_app"]


def v2_successor(path: str) -> str:
    """The v2 path of a v1 resource, percent-encoded so that the `Link` header stays well formed."""
    return quote("/v2" + path[len("/v1") :], safe="/-_.~")


def create_app(settings: BackendSettings) -> Starlette:
    peer = settings.peer
    auth = PeerClient(peer.auth_url, peer)
    jwks = RemoteJWKS(auth, peer)
    revocations = RevocationFollower(auth, ServiceTokens(auth, peer), jwks, peer)
    validator = AccessTokenValidator(
        jwks,
        issuer=peer.issuer,
        audiences=[settings.audience],
        clock=peer.clock,
        leeway=peer.leeway_seconds,
        is_revoked=revocations.is_revoked,
    )
    store = Store(run_interval=settings.run_event_interval, run_outputs=settings.run_output_events)

    v1 = SpecRouter(spec_by_name("backend-v1"))
    api_v1.register(v1, store, settings)
    v2 = SpecRouter(spec_by_name("backend-v2"))
    api_v2.register(v2, store, settings)
    internal.register(v2, store, peer.clock)

    @v2.operation("GET", HEALTH_PATH)
    async def health(call: Call) -> Response:
        return await health_answer({"auth-service": auth})

    provider_states = ProviderStates()
    states.register(provider_states, store, auth, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        revocations.start()
        yield
        await revocations.stop()
        await auth.aclose()

    app = Starlette(
        routes=[*v2.routes(), *v1.routes(), provider_states.route()],
        middleware=[
            *cors("backend-service"),
            Middleware(
                DeprecationHeaders,
                prefix="/v1/",
                deprecated_at=settings.v1_deprecated_at,
                sunset_at=settings.v1_sunset_at,
                successor=v2_successor,
            ),
            Middleware(AuthenticationMiddleware, backend=BearerBackend(validator)),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.jwks = jwks
    app.state.revocations = revocations
    app.state.routers = {"backend-v1": v1, "backend-v2": v2}
    app.state.provider_states = provider_states
    return app
