"""auth-service v2: the OAuth2-shaped token endpoint, revocation, introspection, userinfo, discovery."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from contracts import spec_by_name
from stubs.auth.access import REALM, introspecting_service, user_caller
from stubs.auth.service import AuthError, AuthService, InvalidClient, Throttled, TokenSet
from stubs.demo import user_by_id
from stubs.health import HEALTH_PATH, health_answer
from stubs.operations import Call, SpecRouter
from stubs.problems import Problem

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_PATH = "/v2/auth/token"


def oauth_problem(error: AuthError) -> Problem:
    if isinstance(error, Throttled):
        return Problem(429, error.detail, kind="throttled", headers={"Retry-After": str(error.retry_after)})
    if isinstance(error, InvalidClient):
        return Problem(
            401,
            error.detail,
            kind=error.error.replace("_", "-"),
            headers={"WWW-Authenticate": f'Basic realm="{REALM}"', **NO_STORE},
            error=error.error,
            error_description=error.detail,
        )
    return Problem(
        400,
        error.detail,
        kind=error.error.replace("_", "-"),
        headers=NO_STORE,
        error=error.error,
        error_description=error.detail,
    )


async def problem_handler(request: Request, exc: Exception) -> Response:
    """Problems as everywhere, except that every 400 of the token endpoint is an OAuth error.

    RFC 6749 §5.2: a token request that cannot be read (a form body that does not parse) is
    `invalid_request`, with the `error` member and `Cache-Control: no-store` of every token error.
    """
    assert isinstance(exc, Problem)
    if exc.status == 400 and request.url.path == TOKEN_PATH and "error" not in exc.extensions:
        detail = exc.detail or "the token request cannot be read"
        exc = Problem(
            400,
            detail,
            kind="invalid-request",
            headers={**exc.headers, **NO_STORE},
            error="invalid_request",
            error_description=detail,
        )
    return exc.response(request.url.path)


def token_body(tokens: TokenSet) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
        "scope": tokens.scope,
    }
    if tokens.refresh_token:
        body["refresh_token"] = tokens.refresh_token
    return body


def _basic_credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def register(router: SpecRouter, service: AuthService) -> None:
    @router.operation("GET", HEALTH_PATH)
    async def health(call: Call) -> Response:
        return await health_answer({})

    @router.operation("GET", "/.well-known/jwks.json")
    async def jwks(call: Call) -> Response:
        return JSONResponse(service.keys.jwks(), headers={"Cache-Control": "public, max-age=60"})

    @router.operation("GET", "/.well-known/oauth-authorization-server")
    async def metadata(call: Call) -> Response:
        base = str(call.request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": service.settings.issuer,
                "token_endpoint": f"{base}/v2/auth/token",
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "revocation_endpoint": f"{base}/v2/auth/revoke",
                "introspection_endpoint": f"{base}/v2/auth/introspect",
                "userinfo_endpoint": f"{base}/v2/auth/userinfo",
                "grant_types_supported": ["password", "refresh_token", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    @router.operation("POST", TOKEN_PATH)
    async def token(call: Call) -> Response:
        form: dict[str, Any] = call.body
        try:
            grant = form["grant_type"]
            if grant == "password":
                tokens = service.password_grant(
                    form["username"], form["password"], form.get("audience"), form.get("scope")
                )
            elif grant == "refresh_token":
                tokens = service.refresh_grant(form["refresh_token"], form.get("scope"))
            else:
                basic_id, basic_secret = _basic_credentials(call.request)
                client = service.authenticate_client(
                    form.get("client_id") or basic_id, form.get("client_secret") or basic_secret
                )
                tokens = service.client_credentials(client, form["audience"], form.get("scope"))
        except AuthError as error:
            raise oauth_problem(error) from None
        return JSONResponse(token_body(tokens), headers=NO_STORE)

    @router.operation("POST", "/v2/auth/revoke")
    async def revoke(call: Call) -> Response:
        await service.revoke(call.body["token"])
        return Response(status_code=200)

    @router.operation("GET", "/v2/auth/userinfo", auth=user_caller)
    async def userinfo(call: Call) -> Response:
        assert call.principal is not None
        user = user_by_id(call.principal.subject)
        if user is None:
            raise Problem(
                401,
                "unknown user",
                kind="unauthorized",
                headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
            )
        return JSONResponse(
            {
                "sub": user.id,
                "email": user.email,
                "name": user.name,
                "tenant_id": user.tenant_id,
                "roles": list(user.roles),
            }
        )

    @router.operation("POST", "/v2/auth/introspect", auth=introspecting_service)
    async def introspect(call: Call) -> Response:
        return JSONResponse(await service.introspect(call.body["token"]), headers=NO_STORE)


def router_for(service: AuthService) -> SpecRouter:
    router = SpecRouter(spec_by_name("auth-v2"))
    register(router, service)
    return router
