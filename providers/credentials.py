"""Genuine credentials, obtained from the target itself through its OAuth2 token endpoint.

Suites never mint tokens: they ask the target's auth service, exactly as a client would, so that the
checks mean something against any provider. Where the endpoint is, which grant and form fields it
takes, where the token is in the answer, which accounts and clients exist (and what each may ask for)
is configuration (`Credentials`), defaulting in `contractgate.config` to the reference platform.
Every secret and token handed out is registered with the run's `Redactor`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from providers.contract import TokenKind
from providers.errors import ConfigError
from providers.http import TargetHttp
from providers.redact import Redactor
from providers.target import Target


@dataclass(frozen=True)
class TokenEndpoint:
    service: str = "auth-service"
    path: str = "/v2/auth/token"
    password_grant: str = "password"
    client_grant: str = "client_credentials"
    username_field: str = "username"
    password_field: str = "password"
    client_id_field: str = "client_id"
    client_secret_field: str = "client_secret"
    audience_field: str = "audience"
    scope_field: str = "scope"
    token_field: str = "access_token"
    refresh_field: str = "refresh_token"
    refresh_grant: str = "refresh_token"
    #: RFC 7009 revocation and RFC 7662 introspection on the same service, each taking the token in the
    #: form field `token_param`; the introspection answer's `active_field` says whether it is active.
    #: The issuer's public keys are at `jwks_path`. None (or "") when the target has no such endpoint.
    revocation_path: str | None = "/v2/auth/revoke"
    introspection_path: str | None = "/v2/auth/introspect"
    token_param: str = "token"
    active_field: str = "active"
    jwks_path: str | None = "/.well-known/jwks.json"


@dataclass(frozen=True)
class UserAccount:
    #: The role this account plays in the suites: "member", "admin", "other-tenant".
    name: str
    username: str
    password: str
    roles: tuple[str, ...] = ()
    tenant: str = ""


@dataclass(frozen=True)
class ServiceClient:
    client_id: str
    client_secret: str
    #: audience → scopes this client may ask for.
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Credentials:
    endpoint: TokenEndpoint = field(default_factory=TokenEndpoint)
    users: tuple[UserAccount, ...] = ()
    clients: tuple[ServiceClient, ...] = ()

    def user(self, name: str) -> UserAccount:
        for account in self.users:
            if account.name == name:
                return account
        known = ", ".join(a.name for a in self.users) or "none"
        raise ConfigError(f"no user account {name!r} configured (known: {known})")

    def client_for(self, audience: str, scopes: tuple[str, ...] = ()) -> ServiceClient | None:
        """A client allowed to get a token for `audience` carrying all `scopes`."""
        for client in self.clients:
            allowed = client.grants.get(audience)
            if allowed is not None and set(scopes) <= set(allowed):
                return client
        return None


@dataclass(frozen=True)
class Token:
    value: str
    kind: TokenKind
    #: Human label for reports: "user token (member, aud=backend)".
    label: str
    audience: str
    subject: str
    scopes: tuple[str, ...] = ()
    refresh_token: str | None = None

    @property
    def claims(self) -> dict[str, Any]:
        """The payload, unverified (for building attacks and reports, never for trusting)."""
        try:
            return dict(jwt.decode(self.value, options={"verify_signature": False}))
        except jwt.PyJWTError:
            return {}

    @property
    def header(self) -> dict[str, Any]:
        try:
            return dict(jwt.get_unverified_header(self.value))
        except jwt.PyJWTError:
            return {}


class TokenSource:
    """Fetches and caches genuine tokens of each kind from the target's token endpoint."""

    def __init__(
        self, target: Target, credentials: Credentials, http: TargetHttp, redactor: Redactor
    ) -> None:
        self.target = target
        self.credentials = credentials
        self.http = http
        self.redactor = redactor
        self._cache: dict[tuple[Any, ...], Token] = {}
        self._lock = threading.Lock()
        for account in credentials.users:
            redactor.add(account.password)
        for client in credentials.clients:
            redactor.add(client.client_secret)

    def forget(self) -> None:
        """Drop every cached token (e.g. after the issuer's signing key was rotated out)."""
        with self._lock:
            self._cache.clear()

    @property
    def token_url(self) -> str:
        endpoint = self.credentials.endpoint
        return self.target.service(endpoint.service).url(endpoint.path)

    def _post(self, form: dict[str, str], who: str) -> dict[str, Any]:
        response = self.http.request(
            "POST", self.token_url, data=form, headers={"Accept": "application/json"}
        )
        if response.status_code != 200:
            detail = ""
            try:
                body = response.json()
                detail = str(body.get("error") or body.get("detail") or "")
            except ValueError:
                pass
            raise ConfigError(
                f"the token endpoint {self.token_url} refused the credentials of {who}: "
                f"HTTP {response.status_code}{' ' + detail if detail else ''}"
            )
        try:
            body = response.json()
            token = body[self.credentials.endpoint.token_field]
        except (ValueError, KeyError, TypeError):
            raise ConfigError(
                f"the token endpoint {self.token_url} answered no '{self.credentials.endpoint.token_field}' for {who}"
            ) from None
        self.redactor.add(str(token), str(body.get(self.credentials.endpoint.refresh_field) or ""))
        return dict(body)

    def user(self, account: str = "member", audience: str | None = None, *, fresh: bool = False) -> Token:
        """A user token for a configured account; `fresh=True` skips the cache (e.g. to revoke it)."""
        key = ("user", account, audience)
        with self._lock:
            if not fresh and key in self._cache:
                return self._cache[key]
        user = self.credentials.user(account)
        endpoint = self.credentials.endpoint
        form = {
            "grant_type": endpoint.password_grant,
            endpoint.username_field: user.username,
            endpoint.password_field: user.password,
        }
        if audience:
            form[endpoint.audience_field] = audience
        body = self._post(form, f"user {account!r}")
        token = Token(
            value=str(body[endpoint.token_field]),
            kind="user",
            label=f"user token ({account}{', aud=' + audience if audience else ''})",
            audience=audience or "",
            subject=account,
            refresh_token=body.get(endpoint.refresh_field),
        )
        if not fresh:
            with self._lock:
                self._cache[key] = token
        return token

    def service(
        self,
        audience: str,
        scopes: tuple[str, ...] = (),
        *,
        client_id: str | None = None,
        fresh: bool = False,
    ) -> Token | None:
        """A service token for `audience` with `scopes`, from a configured client allowed to get it.

        `fresh=True` skips the cache (e.g. a token a suite may revoke).
        """
        if client_id is not None:
            client = next((c for c in self.credentials.clients if c.client_id == client_id), None)
            if client is None:
                raise ConfigError(f"no service client {client_id!r} configured")
        else:
            client = self.credentials.client_for(audience, scopes)
            if client is None:
                return None
        key = ("service", client.client_id, audience, tuple(sorted(scopes)))
        with self._lock:
            if not fresh and key in self._cache:
                return self._cache[key]
        endpoint = self.credentials.endpoint
        form = {
            "grant_type": endpoint.client_grant,
            endpoint.client_id_field: client.client_id,
            endpoint.client_secret_field: client.client_secret,
            endpoint.audience_field: audience,
        }
        if scopes:
            form[endpoint.scope_field] = " ".join(scopes)
        body = self._post(form, f"client {client.client_id!r}")
        scope_text = " ".join(scopes) or "default scopes"
        token = Token(
            value=str(body[endpoint.token_field]),
            kind="service",
            label=f"service token ({client.client_id}, aud={audience}, {scope_text})",
            audience=audience,
            subject=client.client_id,
            scopes=tuple(scopes) or tuple(str(body.get("scope", "")).split()),
        )
        if not fresh:
            with self._lock:
                self._cache[key] = token
        return token
