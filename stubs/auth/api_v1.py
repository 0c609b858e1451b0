"""auth-service v1 (deprecated): JSON login/refresh/logout/me, service tokens and introspection.

The same behaviour as v2 in v1's shapes: a refused login or refresh is a 401 (not OAuth's 400), a
client asking for an audience or scope it may not have is a 403. Deprecation headers come from
`DeprecationHeaders` around the whole app.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from contracts import spec_by_name
from stubs.auth.access import introspecting_service, user_caller
from stubs.auth.service import AuthError, AuthService, InvalidClient, InvalidGrant, Throttled, TokenSet
from stubs.demo import user_by_id
from stubs.operations import Call, SpecRouter
from stubs.problems import Problem

SUCCESSORS = {
    "/v1/auth/login": "/v2/auth/token",
    "/v1/auth/refresh": "/v2/auth/token",
    "/v1/auth/service-token": "/v2/auth/token",
    "/v1/auth/logout": "/v2/auth/revoke",
    "/v1/auth/me": "/v2/auth/userinfo",
    "/v1/auth/introspect": "/v2/auth/introspect",
}


def successor(path: str) -> str:
    return SUCCESSORS.get(path, "/v2/auth/token")


def v1_problem(error: AuthError) -> Problem:
    if isinstance(error, Throttled):
        return Problem(429, error.detail, kind="throttled", headers={"Retry-After": str(error.retry_after)})
    if isinstance(error, InvalidGrant | InvalidClient):
        return Problem(401, error.detail, kind="invalid-credentials")
    return Problem(403, error.detail, kind="forbidden")


def session_tokens(tokens: TokenSet) -> JSONResponse:
    """v1's answer to a login or a refresh: both tokens of the session."""
    return JSONResponse(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_type": "Bearer",
            "expires_in": tokens.expires_in,
        }
    )


def register(router: SpecRouter, service: AuthService) -> None:
    @router.operation("POST", "/v1/auth/login")
    async def login(call: Call) -> Response:
        body = call.body
        try:
            tokens = service.password_grant(body["email"], body["password"], body.get("audience"))
        except AuthError as error:
            raise v1_problem(error) from None
        return session_tokens(tokens)

    @router.operation("POST", "/v1/auth/refresh")
    async def refresh(call: Call) -> Response:
        try:
            tokens = service.refresh_grant(call.body["refresh_token"])
        except AuthError as error:
            raise v1_problem(error) from None
        return session_tokens(tokens)

    @router.operation("POST", "/v1/auth/logout", auth=user_caller)
    async def logout(call: Call) -> Response:
        assert call.principal is not None
        refresh_token = (call.body or {}).get("refresh_token")
        await service.logout(call.principal.claims, refresh_token)
        return Response(status_code=204)

    @router.operation("GET", "/v1/auth/me", auth=user_caller)
    async def me(call: Call) -> Response:
        assert call.principal is not None
        user = user_by_id(call.principal.subject)
        if user is None:
            raise Problem(403, "a user token is required", kind="forbidden")
        return JSONResponse(
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "tenant_id": user.tenant_id,
                "roles": list(user.roles),
            }
        )

    @router.operation("POST", "/v1/auth/service-token")
    async def service_token(call: Call) -> Response:
        body = call.body
        try:
            client = service.authenticate_client(body["client_id"], body["client_secret"])
            tokens = service.client_credentials(client, body["audience"], body.get("scope"))
        except AuthError as error:
            raise v1_problem(error) from None
        return JSONResponse(
            {
                "access_token": tokens.access_token,
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
                "scope": tokens.scope,
            }
        )

    @router.operation("POST", "/v1/auth/introspect", auth=introspecting_service)
    async def introspect(call: Call) -> Response:
        return JSONResponse(await service.introspect(call.body["token"]))


def router_for(service: AuthService) -> SpecRouter:
    router = SpecRouter(spec_by_name("auth-v1"))
    register(router, service)
    return router
