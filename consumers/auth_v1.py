"""Client of the auth service's deprecated v1 API, as the legacy mobile app ships it.

JSON login/refresh/logout/me. v1 answers carry `Deprecation`, `Sunset` and a successor `Link`; the
app surfaces them (`last_deprecation`) so that it can nag users to update before the sunset date.
A wrong password or a spent refresh token is `Unauthorized` here (v1 predates OAuth's 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consumers.deprecation import DeprecatedApiClient


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


@dataclass(frozen=True)
class Me:
    id: str
    email: str
    name: str
    tenant_id: str
    roles: tuple[str, ...]


class LegacyAuthClient(DeprecatedApiClient):
    @staticmethod
    def _tokens(body: dict[str, Any]) -> Tokens:
        return Tokens(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            token_type=str(body["token_type"]),
            expires_in=int(body["expires_in"]),
        )

    def login(self, email: str, password: str) -> Tokens:
        return self._tokens(
            self.request("POST", "/v1/auth/login", json={"email": email, "password": password}).json()
        )

    def refresh(self, refresh_token: str) -> Tokens:
        return self._tokens(
            self.request("POST", "/v1/auth/refresh", json={"refresh_token": refresh_token}).json()
        )

    def logout(self, access_token: str) -> None:
        self.request("POST", "/v1/auth/logout", token=access_token)

    def me(self, access_token: str) -> Me:
        body = self.request("GET", "/v1/auth/me", token=access_token).json()
        return Me(
            id=str(body["id"]),
            email=str(body["email"]),
            name=str(body["name"]),
            tenant_id=str(body["tenant_id"]),
            roles=tuple(body["roles"]),
        )
