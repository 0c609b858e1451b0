"""Genuine credentials, obtained from the target itself through its issuer's login and client grants.

Suites never mint tokens: they ask the target's issuer, exactly as a client would, so that the checks
mean something against any provider. How (the issuer's exchanges: path, encoding, fields, where the
token is in the answer) comes from the platform manifest (`providers.platform.Issuer`); which accounts
and clients exist, their secrets and what each may ask for, from the manifest and the configuration
(`Credentials`). Every secret and token handed out is registered with the run's `Redactor`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from providers.contract import TokenKind
from providers.errors import ConfigError
from providers.http import TargetHttp
from providers.platform import Exchange, Issuer, pointer
from providers.redact import Redactor
from providers.target import Target


@dataclass(frozen=True)
class UserAccount:
    #: The manifest's name for the account (`accounts` of platform.yaml).
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
class SigningKey:
    """The issuer's signing key, given by configuration (never literal: an environment variable).

    An HMAC secret, or an RSA / EC / Ed25519 private key in PEM. With it the tokens suite forges
    validly signed tokens that are wrong in one way (expired, another audience …) without any hook.
    """

    material: str
    #: JWS `alg`; default: the genuine tokens' own, else what the key is (RS256, ES256 …, HS256).
    algorithm: str | None = None
    #: The `kid` to put in the header; default: the genuine tokens' own.
    kid: str | None = None

    def key(self) -> Any:
        if "-----BEGIN" not in self.material:
            return self.material.encode()
        try:
            return serialization.load_pem_private_key(self.material.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"the signing key is not a readable unencrypted PEM private key ({exc})"
            ) from None

    def algorithm_for(self, hint: str | None = None) -> str:
        """The algorithm to sign with: the configured one, the genuine tokens' (when the key fits it),
        else what the key is."""
        if self.algorithm:
            return self.algorithm
        key = self.key()
        natural = _natural_algorithm(key)
        if hint and hint[:2] == natural[:2] and hint.upper() != "NONE":
            return hint
        return natural

    def __repr__(self) -> str:  # never show the material
        return f"SigningKey(algorithm={self.algorithm!r}, kid={self.kid!r})"


def _natural_algorithm(key: Any) -> str:
    if isinstance(key, bytes):
        return "HS256"
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: "ES256", 384: "ES384", 521: "ES512"}.get(key.curve.key_size, "ES256")
    return "EdDSA"


@dataclass(frozen=True)
class Credentials:
    #: The target's issuer (None: the contracts say of none, so no genuine token can be had).
    issuer: Issuer | None = None
    users: tuple[UserAccount, ...] = ()
    clients: tuple[ServiceClient, ...] = ()
    #: The issuer's signing key, when the configuration names one.
    signing_key: SigningKey | None = None

    def require_issuer(self) -> Issuer:
        if self.issuer is None:
            raise ConfigError(
                "the contracts say nothing of how to obtain a token: add 'tokens' (issuer, login) to platform.yaml"
            )
        return self.issuer

    def user(self, name: str | None = None) -> UserAccount:
        """The account `name`; None: the primary one (the first; the manifest's `primary` is put first)."""
        if name is None and self.users:
            return self.users[0]
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
        if credentials.signing_key is not None:
            redactor.add(credentials.signing_key.material, *credentials.signing_key.material.splitlines())

    def forget(self) -> None:
        """Drop every cached token (e.g. after the issuer's signing key was rotated out)."""
        with self._lock:
            self._cache.clear()

    def url(self, path: str) -> str:
        """A URL on the issuer's service of the target."""
        return self.target.service(self.credentials.require_issuer().service).url(path)

    def exchange(self, exchange: Exchange, values: dict[str, str | None], who: str) -> dict[str, Any]:
        """Send one exchange to the issuer; its answer (tokens registered for redaction), or `ConfigError`
        naming whose credentials were refused (a refused credential is the configuration's problem)."""
        url = self.url(exchange.path)
        response = self.http.request(
            "POST", url, headers={"Accept": "application/json"}, **exchange.request(values)
        )
        if response.status_code not in (200, 201):
            detail = ""
            try:
                body = response.json()
                detail = str(body.get("error") or body.get("detail") or "")
            except (ValueError, AttributeError):
                pass
            raise ConfigError(
                f"the issuer at {url} refused the credentials of {who}: "
                f"HTTP {response.status_code}{' ' + detail if detail else ''}"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = pointer(body, exchange.token)
        if not isinstance(token, str) or not token:
            raise ConfigError(f"the issuer at {url} answered no token at {exchange.token} for {who}")
        refresh = pointer(body, exchange.refresh_token) if exchange.refresh_token else None
        self.redactor.add(token, refresh if isinstance(refresh, str) else None)
        return {"token": token, "refresh_token": refresh if isinstance(refresh, str) else None, "body": body}

    def user(self, account: str | None = None, audience: str | None = None, *, fresh: bool = False) -> Token:
        """A user token for a configured account (default: the first); `fresh=True` skips the cache."""
        account = self.credentials.user(account).name
        key = ("user", account, audience)
        with self._lock:
            if not fresh and key in self._cache:
                return self._cache[key]
        user = self.credentials.user(account)
        login = self.credentials.require_issuer().login
        if login is None:
            raise ConfigError(
                "the contracts say nothing of how a user logs in: add tokens.login to platform.yaml"
            )
        answer = self.exchange(
            login,
            {"username": user.username, "password": user.password, "audience": audience},
            f"user {account!r}",
        )
        token = Token(
            value=answer["token"],
            kind="user",
            label=f"user token ({account}{', aud=' + audience if audience else ''})",
            audience=audience or "",
            subject=account,
            refresh_token=answer["refresh_token"],
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
        grant = self.credentials.require_issuer().client
        if grant is None:
            raise ConfigError(
                "the contracts say nothing of how a service client gets a token: add tokens.client to platform.yaml"
            )
        answer = self.exchange(
            grant,
            {
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "audience": audience,
                "scopes": " ".join(scopes),
            },
            f"client {client.client_id!r}",
        )
        scope_text = " ".join(scopes) or "default scopes"
        granted = pointer(answer["body"], "/scope")
        token = Token(
            value=answer["token"],
            kind="service",
            label=f"service token ({client.client_id}, aud={audience}, {scope_text})",
            audience=audience,
            subject=client.client_id,
            scopes=tuple(scopes) or tuple(str(granted or "").split()),
        )
        if not fresh:
            with self._lock:
                self._cache[key] = token
        return token
