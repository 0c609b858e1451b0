"""The auth-service stub: v1 (deprecated) and v2 of the contracts in `contracts/openapi/auth-v*.yaml`.

`create_app(settings)` builds a fresh service (its own keys and in-memory state). `app.state.service`
is the `AuthService`, so in-process tests can reach the keys and sessions they need to arrange.
Besides its contracts it serves the revocation feed the resource stubs follow (`feed`), and holds
each answer until the feed's subscribers know what it revoked.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute

from stubs.auth import api_v1, api_v2
from stubs.auth.feed import SettleRevocations, feed_route
from stubs.auth.service import AuthService
from stubs.auth.states import key_routes, provider_states
from stubs.browser import cors
from stubs.problems import EXCEPTION_HANDLERS, Problem
from stubs.security import BearerBackend
from stubs.settings import AuthSettings
from stubs.versioning import DeprecationHeaders

__all__ = ["create_app", "AuthService"]


def create_app(settings: AuthSettings | None = None, *, without: tuple[str, ...] = ()) -> Starlette:
    """The auth stub; `without` drops operations (e.g. "POST /v1/auth/login") for broken-provider tests."""
    settings = settings or AuthSettings()
    service = AuthService(settings)
    v1 = api_v1.router_for(service)
    v2 = api_v2.router_for(service)
    routes: list[BaseRoute] = [*v2.routes(without=without), *v1.routes(without=without)]
    routes += [provider_states(service).route(), *key_routes(service), feed_route(service.feed)]
    app = Starlette(
        routes=routes,
        exception_handlers={**EXCEPTION_HANDLERS, Problem: api_v2.problem_handler},
        middleware=[
            Middleware(SettleRevocations, feed=service.feed),
            *cors("auth-service"),
            Middleware(
                DeprecationHeaders,
                prefix="/v1/",
                deprecated_at=settings.v1_deprecated_at,
                sunset_at=settings.v1_sunset_at,
                successor=api_v1.successor,
            ),
            Middleware(AuthenticationMiddleware, backend=BearerBackend(service.validator)),
        ],
    )
    app.state.service = service
    app.state.routers = (v1, v2)
    return app
