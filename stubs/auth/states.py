"""Provider states of the auth stub, and its stub-only key administration routes.

States (`POST /_contractgate/provider-states`; `user` defaults to alice@example.com, `audience` to backend):

| state | params | answers |
|---|---|---|
| a user exists | user | username, password, user_id (the account may log in: its throttle is cleared) |
| a user is logged in | user, audience | token ("Bearer …"), access_token, refresh_token, user_id |
| a refresh token exists | user | refresh_token, token, access_token |
| a spent refresh token exists | user | refresh_token (already used once), current_refresh_token |
| a revoked access token exists | user, audience | token, access_token |
| an expired access token exists | user, audience | token, access_token (properly signed, `exp` in the past) |
| login is throttled | user | retry_after (teardown unlocks) |
| a service client exists | client_id | client_id, client_secret, basic ("Basic …", client_secret_basic) |
| a service token exists | client_id, audience, scope | token, access_token, service_token (= token) |
| a token signed by a removed key | user, audience | token, access_token (a key rotated out earlier; live keys untouched) |
| a signed token | subject, audience, claims, header, key (current/removed), typ | token, access_token |
| keys have been rotated | – | kid, previous_kid |

"a signed token" is the hook the token-attack suite uses against stubs: a genuinely signed token whose
claims or header are chosen by the caller (wrong `iss`, future `nbf`, another `aud` …), which only the
key holder could mint. Stub mode only: a live target has no such route, and attacks that need it are
skipped there, never passed.

Routes: `POST /_contractgate/keys/rotate` (a new signing key; the old one enters its grace period) and
`POST /_contractgate/keys/retire` (end every grace period now).
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.auth.service import AuthError, AuthService
from stubs.demo import DemoUser, client_by_id, user_by_email
from stubs.problems import Problem
from stubs.provider_states import ProviderStates, param
from stubs.tokens import ACCESS_TOKEN_TYPE

DEFAULT_USER = "alice@example.com"


def _user(params: dict[str, Any]) -> DemoUser:
    email = str(param(params, "user", DEFAULT_USER))
    user = user_by_email(email)
    if user is None:
        raise Problem(400, f"no demo user {email!r}")
    return user


def _bearer(token: str) -> dict[str, str]:
    return {"token": f"Bearer {token}", "access_token": token}


def provider_states(service: AuthService) -> ProviderStates:
    states = ProviderStates()

    def login(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        audience = str(params.get("audience") or service.settings.user_audiences[0])
        tokens = service.open_session(user, audience, "openid profile email")
        return {**_bearer(tokens.access_token), "refresh_token": tokens.refresh_token, "user_id": user.id}

    @states.setup("a user exists")
    async def user_exists(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        service.throttle.clear(user.email)
        return {"username": user.email, "password": user.password, "user_id": user.id}

    @states.setup("a user is logged in")
    async def logged_in(params: dict[str, Any]) -> dict[str, Any]:
        return login(params)

    @states.setup("a refresh token exists")
    async def refresh_token(params: dict[str, Any]) -> dict[str, Any]:
        return login(params)

    @states.setup("a spent refresh token exists")
    async def spent(params: dict[str, Any]) -> dict[str, Any]:
        first = login(params)
        current = service.refresh_grant(first["refresh_token"])
        return {"refresh_token": first["refresh_token"], "current_refresh_token": current.refresh_token}

    @states.setup("a revoked access token exists")
    async def revoked(params: dict[str, Any]) -> dict[str, Any]:
        values = login(params)
        await service.revoke(values["access_token"])
        return _bearer(values["access_token"])

    @states.setup("an expired access token exists")
    async def expired(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        audience = str(params.get("audience") or service.settings.user_audiences[0])
        claims = service.user_access_claims(user, audience, "expired", "openid profile email")
        now = int(service.clock())
        claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        return _bearer(service.sign(claims, typ=ACCESS_TOKEN_TYPE))

    @states.setup("login is throttled")
    async def throttled(params: dict[str, Any]) -> dict[str, Any]:
        return {"retry_after": service.throttle.lock(str(param(params, "user", DEFAULT_USER)))}

    @states.teardown("login is throttled")
    async def unthrottle(params: dict[str, Any]) -> None:
        service.throttle.clear(str(params.get("user", DEFAULT_USER)))

    @states.setup("a service client exists")
    async def service_client(params: dict[str, Any]) -> dict[str, Any]:
        client = client_by_id(str(param(params, "client_id")))
        if client is None:
            raise Problem(400, f"no demo client {params.get('client_id')!r}")
        basic = base64.b64encode(f"{client.client_id}:{client.secret}".encode()).decode()
        return {"client_id": client.client_id, "client_secret": client.secret, "basic": f"Basic {basic}"}

    @states.setup("a service token exists")
    async def service_token(params: dict[str, Any]) -> dict[str, Any]:
        client = client_by_id(str(param(params, "client_id")))
        if client is None:
            raise Problem(400, f"no demo client {params.get('client_id')!r}")
        try:
            tokens = service.client_credentials(client, str(param(params, "audience")), params.get("scope"))
        except AuthError as error:
            raise Problem(400, error.detail) from None
        # `service_token` too: an interaction that also sets up a user (introspection) keeps both apart.
        return {**_bearer(tokens.access_token), "service_token": f"Bearer {tokens.access_token}"}

    @states.setup("a token signed by a removed key")
    async def removed_key(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        audience = str(params.get("audience") or service.settings.user_audiences[0])
        claims = service.user_access_claims(user, audience, "removed-key", "openid profile email")
        return _bearer(service.sign(claims, typ=ACCESS_TOKEN_TYPE, key=service.keys.removed[-1]))

    @states.setup("a signed token")
    async def signed(params: dict[str, Any]) -> dict[str, Any]:
        subject = str(params.get("subject") or DEFAULT_USER)
        audience = str(params.get("audience") or service.settings.user_audiences[0])
        user = user_by_email(subject)
        client = client_by_id(subject)
        if user is not None:
            claims = service.user_access_claims(user, audience, "signed", "openid profile email")
        elif client is not None:
            claims = service.service_claims(
                client, audience, list(client.scopes_by_audience.get(audience, ()))
            )
        else:
            raise Problem(400, f"no demo user or client {subject!r}")
        overrides = params.get("claims") or {}
        header = dict(params.get("header") or {})
        if not isinstance(overrides, dict) or not isinstance(header, dict):
            raise Problem(400, "'claims' and 'header' must be objects")
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}  # null removes a claim
        key = service.keys.current
        if params.get("key") == "removed":
            key = service.keys.removed[-1]
        typ = str(header.pop("typ", ACCESS_TOKEN_TYPE))
        return _bearer(service.sign(claims, typ=typ, key=key, **header))

    @states.setup("keys have been rotated")
    async def rotated(params: dict[str, Any]) -> dict[str, Any]:
        previous = service.keys.current.kid
        return {"kid": service.keys.rotate().kid, "previous_kid": previous}

    return states


def key_routes(service: AuthService) -> list[Route]:
    async def rotate(request: Request) -> Response:
        previous = service.keys.current.kid
        return JSONResponse({"kid": service.keys.rotate().kid, "previous_kid": previous})

    async def retire(request: Request) -> Response:
        return JSONResponse({"removed": [k.kid for k in service.keys.remove_previous()]})

    return [
        Route("/_contractgate/keys/rotate", rotate, methods=["POST"]),
        Route("/_contractgate/keys/retire", retire, methods=["POST"]),
    ]
