"""Who may call what on the auth service: the two kinds of caller its protected operations accept."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request

from stubs.problems import Problem
from stubs.security import require_service, require_user
from stubs.tokens import Principal

REALM = "auth-service"
INTROSPECT_SCOPE = "auth:introspect"
INTROSPECT_AUDIENCE = "auth"


def _wrong_audience() -> Problem:
    return Problem(
        401,
        "wrong audience",
        kind="unauthorized",
        headers={
            "WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token", error_description="wrong audience"'
        },
    )


def user_caller(request: Request) -> Principal:
    """A user token issued for any audience users may get (userinfo, me, logout)."""
    principal = require_user(request, REALM)
    audiences = request.app.state.service.settings.user_audiences
    if not set(principal.audiences) & set(audiences):
        raise _wrong_audience()
    return principal


def introspecting_service(request: HTTPConnection) -> Principal:
    """A service token for the auth service with the introspection scope (also: the revocation feed)."""
    principal = require_service(request, REALM, scopes=(INTROSPECT_SCOPE,))
    if INTROSPECT_AUDIENCE not in principal.audiences:
        raise _wrong_audience()
    return principal
