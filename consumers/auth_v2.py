"""Client of the auth service's v2 API: what web-frontend and the platform's services call.

- web-frontend: the password and refresh_token grants, userinfo, revocation (logout).
- backend-service and websocket-service: the client_credentials grant (HTTP Basic client
  authentication, `client_secret_basic`), the JWKS, and RFC 7662 introspection with their own
  service token (how a revoked token is seen at once).

Error answers raise `consumers.errors` exceptions: a refused grant is `BadRequest` with
`.error == "invalid_grant"`, a throttled login `RateLimited` with `.retry_after`, an expired or
revoked bearer token `Unauthorized`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from consumers.http import ApiClient


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    token_type: str
    expires_in: int
    scope: str
    refresh_token: str | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> TokenSet:
        return cls(
            access_token=str(body["access_token"]),
            token_type=str(body["token_type"]),
            expires_in=int(body["expires_in"]),
            scope=str(body.get("scope", "")),
            refresh_token=body.get("refresh_token"),
        )


@dataclass(frozen=True)
class UserInfo:
    sub: str
    email: str
    name: str
    tenant_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Introspection:
    active: bool
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str | None:
        return self.claims.get("sub")

    @property
    def tenant_id(self) -> str | None:
        return self.claims.get("tenant_id")

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(str(self.claims.get("scope", "")).split())


class AuthClient(ApiClient):
    """`AuthClient(base_url)`; every method is one call of the v2 API."""

    def _token(self, form: dict[str, str], auth: httpx.BasicAuth | None = None) -> TokenSet:
        response = self.request("POST", "/v2/auth/token", data=form, auth=auth)
        return TokenSet.from_json(response.json())

    def password_grant(self, username: str, password: str, audience: str = "backend") -> TokenSet:
        return self._token(
            {"grant_type": "password", "username": username, "password": password, "audience": audience}
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens; the refresh token passed in is spent (presenting it again revokes the family)."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def client_credentials(
        self, client_id: str, client_secret: str, audience: str, scope: str | None = None
    ) -> TokenSet:
        form = {"grant_type": "client_credentials", "audience": audience}
        if scope:
            form["scope"] = scope
        return self._token(form, auth=httpx.BasicAuth(client_id, client_secret))

    def revoke(self, token: str) -> None:
        self.request("POST", "/v2/auth/revoke", data={"token": token})

    def userinfo(self, access_token: str) -> UserInfo:
        body = self.request("GET", "/v2/auth/userinfo", token=access_token).json()
        return UserInfo(
            sub=str(body["sub"]),
            email=str(body["email"]),
            name=str(body["name"]),
            tenant_id=str(body["tenant_id"]),
            roles=tuple(body["roles"]),
        )

    def jwks(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/.well-known/jwks.json").json()["keys"])

    def introspect(self, token: str, service_token: str) -> Introspection:
        """Whether `token` is active, asked with this service's own token (scope auth:introspect)."""
        body = self.request("POST", "/v2/auth/introspect", token=service_token, data={"token": token}).json()
        active = bool(body.get("active"))
        return Introspection(active=active, claims={k: v for k, v in body.items() if k != "active"})
