"""A platform of the real stubs whose token checks can be broken one flaw at a time, on a switch.

Building a platform per flaw would cost seconds each; instead one `FlawedPlatform` serves the three
stubs with every place a token is judged replaced by a switchable twin — the `BearerBackend` (how the
header is read), the `AccessTokenValidator` (how the token is checked), the principal it yields (what
the token is allowed) and, on the backend, the store's ownership lookups — all reading one `Flaws`
switchboard. With no flaw on, each twin defers to the stub's own code unchanged, so the same platform
is also a correct target. `with platform.flaws.on("alg-none:None:unsigned"):` makes every service
vulnerable to exactly that mistake, the way a real library or service gets it wrong:

| flaw | the mistake |
|---|---|
| any-scheme | any scheme, or none, before the token is accepted |
| empty-as-default-user / no-header-as-default-user | an empty (or missing) Authorization header falls back to a default user |
| lenient-whitespace | `Bearer\\s+token`: runs of spaces or tabs after the scheme |
| first-token | the first token of a header with several, or the first of several headers |
| unparseable-as-default-user | a token that does not parse goes to an "opaque token" path that trusts it |
| alg-none:<case>:<unsigned/signed> | that exact spelling of `alg: none` is trusted (signature absent / ignored) |
| hs-key-confusion | HS256 verified with the issuer's public key as the HMAC secret |
| trust-known-header-payload | verifications cached by header.payload: any signature on a seen one passes |
| trust-known-signature:<claim> | cached by signature: a seen signature passes with only <claim> changed |
| skip-expiry / skip-nbf / skip-issuer / skip-audience | that claim check is skipped |
| platform-audiences | any audience of the platform is accepted, not only the service's own |
| unknown-kid-unverified | a kid that is not in the JWKS skips verification |
| kid-path | the kid is a key file path (../../dev/null: an empty HMAC key) |
| kid-sql | the kid is pasted into a SQL query for the HMAC key (a real sqlite injection) |
| follow-jku / follow-x5u / embedded-jwk | the key comes from where the token says |
| ignore-revocation | revoked tokens are not looked up |
| accept-refresh | refresh tokens (typ rt+jwt) are accepted as access tokens |
| keep-removed-keys | keys rotated out of the JWKS are still trusted |
| no-size-limit | tokens of any size are parsed |
| skip-scope / skip-role / service-as-user | authorization: every scope, the admin role, service tokens act as users |
| tenant-403 / tenant-leak | another tenant's resource is a 403 / is served |
| reuse-keeps-family / no-throttle / enumerable / introspect-ignores-revocation | the auth service's own behaviour |
| refuse-all | not a vulnerability: a misconfigured service that refuses even genuine tokens |
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection

from contractgate.embedded import gate_options, target_of
from providers.target import Target
from stubs.auth import create_app as auth_app
from stubs.auth.service import AuthService, InvalidGrant
from stubs.backend import create_app as backend_app
from stubs.demo import user_by_email
from stubs.peers import PeerUnavailable
from stubs.platform import Platform
from stubs.problems import Problem
from stubs.security import Anonymous, Authenticated, BearerBackend, bearer_token
from stubs.settings import AuthSettings, BackendSettings, WebSocketSettings
from stubs.tokens import (
    ACCESS_TOKEN_TYPE,
    MAX_TOKEN_BYTES,
    REFRESH_TOKEN_TYPE,
    AccessTokenValidator,
    Principal,
    TokenRejected,
    check_times,
    read_unverified_header,
)
from stubs.websocket import create_app as websocket_app

PLATFORM_AUDIENCES = ("auth", "backend", "websocket")
ALL_SCOPES = ("auth:introspect", "runs:read", "runs:write")


class Flaws:
    """Which flaw is switched on, read by every twin on every request."""

    def __init__(self) -> None:
        self.active: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def has(self, name: str) -> bool:
        return name in self.active

    def with_prefix(self, prefix: str) -> list[str]:
        return [f[len(prefix) :] for f in self.active if f.startswith(prefix)]

    @contextmanager
    def on(self, *names: str) -> Iterator[None]:
        with self._lock:
            self.active = frozenset(names)
        try:
            yield
        finally:
            with self._lock:
                self.active = frozenset()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str, str] | None:
    try:
        head, payload, signature = token.split(".")
        return json.loads(_b64(head)), json.loads(_b64(payload)), f"{head}.{payload}", signature
    except ValueError:
        return None


def _hmac_ok(signing_input: str, signature: str, secret: bytes) -> bool:
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(mac).rstrip(b"=").decode(), signature)


class FlawedValidator:
    """The stub's `AccessTokenValidator` with a flaw switched in where one is on."""

    def __init__(self, real: AccessTokenValidator, flaws: Flaws, removed_keys: Any) -> None:
        self.real = real
        self.flaws = flaws
        self.removed_keys = removed_keys  # () -> list of rotated-out public keys by kid
        self.keys = real._keys
        self.issuer = real._issuer
        self.audiences = list(real._audiences)
        self.clock = real._clock
        self.leeway = real._leeway
        self.is_revoked = real._is_revoked
        self.by_header_payload: set[str] = set()
        self.by_signature: dict[str, dict[str, Any]] = {}
        self.sql = sqlite3.connect(":memory:", check_same_thread=False)
        self.sql.execute("CREATE TABLE keys (kid TEXT, secret TEXT)")
        self.sql.execute("INSERT INTO keys VALUES ('genuine', 'never-used')")

    async def validate(self, token: str) -> Principal:
        flaws = self.flaws
        if not flaws.active:
            principal = await self.real.validate(token)
            self._remember(token)
            return principal
        if flaws.has("refuse-all"):
            raise TokenRejected("this service refuses every token (misconfigured)")
        parts = _segments(token)
        if parts is not None and len(token) <= MAX_TOKEN_BYTES:
            header, claims, signing_input, signature = parts
            special = await self._special(header, claims, signing_input, signature)
            if special is not None:
                return await self._accept(token, special)
        principal = await self._standard(token)
        self._remember(token)
        return principal

    def _remember(self, token: str) -> None:
        parts = _segments(token)
        if parts is not None:
            _, claims, signing_input, signature = parts
            self.by_header_payload.add(signing_input)
            self.by_signature[signature] = claims

    async def _special(
        self, header: dict[str, Any], claims: dict[str, Any], signing_input: str, signature: str
    ) -> dict[str, Any] | None:
        """The claims a flawed shortcut trusts, or None when no switched-on flaw applies."""
        flaws = self.flaws
        alg, kid = header.get("alg"), header.get("kid")
        for spec in flaws.with_prefix("alg-none:"):
            case, kind = spec.split(":")
            if alg == case and (signature == "") == (kind == "unsigned"):
                return claims
        if flaws.has("hs-key-confusion") and alg == "HS256" and isinstance(kid, str):
            key = await self.keys.get(kid)
            if key is not None:
                pem = key.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                if _hmac_ok(signing_input, signature, pem):
                    return claims
        if flaws.has("trust-known-header-payload") and signing_input in self.by_header_payload:
            return claims
        for claim in flaws.with_prefix("trust-known-signature:"):
            known = self.by_signature.get(signature)
            if known is not None and alg == "RS256":
                others = {k: v for k, v in claims.items() if k != claim}
                if others == {k: v for k, v in known.items() if k != claim}:
                    return claims
        if flaws.has("kid-path") and alg == "HS256" and isinstance(kid, str) and "/" in kid:
            if os.path.normpath(os.path.join("/etc/contractgate/keys", kid)) == os.devnull:
                if _hmac_ok(signing_input, signature, b""):
                    return claims
        if flaws.has("kid-sql") and alg == "HS256" and isinstance(kid, str):
            try:
                row = self.sql.execute(f"SELECT secret FROM keys WHERE kid = '{kid}'").fetchone()  # noqa: S608 (the flaw)
            except sqlite3.Error:
                row = None
            if row is not None and _hmac_ok(signing_input, signature, str(row[0]).encode()):
                return claims
        if flaws.has("follow-jku") and isinstance(header.get("jku"), str):
            async with httpx.AsyncClient(trust_env=False) as client:
                keys = (await client.get(header["jku"])).json().get("keys", [])
            for entry in keys:
                if entry.get("kid") == kid and self._rs256_ok(signing_input, signature, jwt.PyJWK(entry).key):
                    return claims
        if flaws.has("follow-x5u") and isinstance(header.get("x5u"), str):
            async with httpx.AsyncClient(trust_env=False) as client:
                pem = (await client.get(header["x5u"])).content
            if self._rs256_ok(signing_input, signature, x509.load_pem_x509_certificate(pem).public_key()):
                return claims
        if flaws.has("embedded-jwk") and isinstance(header.get("jwk"), dict):
            if self._rs256_ok(signing_input, signature, jwt.PyJWK(header["jwk"]).key):
                return claims
        if (
            flaws.has("unknown-kid-unverified")
            and isinstance(kid, str)
            and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", kid)
        ):
            if alg == "RS256" and await self.keys.get(kid) is None:
                return claims
        return None

    @staticmethod
    def _rs256_ok(signing_input: str, signature: str, key: Any) -> bool:
        try:
            jwt.api_jws.PyJWS().decode(f"{signing_input}.{signature}", key, algorithms=["RS256"])
        except jwt.PyJWTError:
            return False
        return True

    async def _accept(self, token: str, claims: dict[str, Any]) -> Principal:
        """The claims of a token a shortcut trusted, with the other checks as usual."""
        if claims.get("iss") != self.issuer and not self.flaws.has("skip-issuer"):
            raise TokenRejected("wrong issuer")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else list(aud or [])
        if not set(audiences) & set(self._audiences()):
            raise TokenRejected("wrong audience")
        check_times(claims, self.clock(), self.leeway)
        if self.is_revoked is not None and not self.flaws.has("ignore-revocation"):
            if await self.is_revoked(token, claims):
                raise TokenRejected("token revoked")
        return Principal.from_claims(claims)

    def _audiences(self) -> list[str]:
        if self.flaws.has("skip-audience"):
            return []
        return (
            [*self.audiences, *PLATFORM_AUDIENCES] if self.flaws.has("platform-audiences") else self.audiences
        )

    async def _standard(self, token: str) -> Principal:
        """The stub validator's own order of checks, each skippable by its flaw."""
        flaws = self.flaws
        if len(token) > MAX_TOKEN_BYTES and not flaws.has("no-size-limit"):
            raise TokenRejected("token too large")
        header = read_unverified_header(token)
        if header.get("alg") != "RS256":
            raise TokenRejected("unsupported algorithm")
        refresh = header.get("typ") == REFRESH_TOKEN_TYPE and flaws.has("accept-refresh")
        if header.get("typ") != ACCESS_TOKEN_TYPE and not refresh:
            raise TokenRejected("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", kid):
            raise TokenRejected("invalid key id")
        key = await self.keys.get(kid)
        if key is None and flaws.has("keep-removed-keys"):
            key = self.removed_keys().get(kid)
        if key is None:
            raise TokenRejected("unknown key id")
        audiences = self._audiences() + ([self.issuer] if refresh else [])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=audiences or None,
                issuer=None if flaws.has("skip-issuer") else self.issuer,
                options={
                    "verify_aud": bool(audiences),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti"],
                },
            )
        except jwt.InvalidSignatureError:
            raise TokenRejected("bad signature") from None
        except jwt.InvalidAudienceError:
            raise TokenRejected("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise TokenRejected("wrong issuer") from None
        except jwt.PyJWTError:
            raise TokenRejected("malformed token") from None
        now = self.clock()
        if not flaws.has("skip-expiry") and now >= float(claims["exp"]) + self.leeway:
            raise TokenRejected("token expired")
        if not flaws.has("skip-nbf") and now + self.leeway < float(claims["nbf"]):
            raise TokenRejected("token not yet valid")
        if self.is_revoked is not None and not flaws.has("ignore-revocation"):
            if await self.is_revoked(token, claims):
                raise TokenRejected("token revoked")
        return Principal.from_claims(claims)


def _default_user(audience: str) -> Principal:
    alice = user_by_email("alice@example.com")
    assert alice is not None
    return Principal(
        subject=alice.id,
        kind="user",
        audiences=(audience,),
        scopes=frozenset({"openid"}),
        jti="default-user",
        expires_at=time.time() + 900,
        tenant_id=alice.tenant_id,
        roles=frozenset(alice.roles),
    )


class FlawedBearer(BearerBackend):
    """How the header is read, and what the principal may do, with the switched-on flaw."""

    def __init__(
        self, validator: FlawedValidator, flaws: Flaws, audience: str, *, authorizes: bool = True
    ) -> None:
        super().__init__(validator)  # type: ignore[arg-type]
        self.flaws = flaws
        self.audience = audience
        #: Whether the authorization flaws apply here (not on the auth service, whose introspection the
        #: others depend on: their flaw is theirs alone).
        self.authorizes = authorizes

    def _token(self, conn: HTTPConnection) -> str | None:
        flaws = self.flaws
        headers = conn.headers.getlist("authorization")
        if headers and flaws.has("first-token"):
            words = [w for w in re.split(r"[\s,]+", headers[0]) if w and w.lower() != "bearer"]
            if len(words) > 1 or len(headers) > 1:
                return words[0]
        if headers and len(headers) == 1:
            value = headers[0]
            if flaws.has("any-scheme"):
                match = re.fullmatch(r"(?:\S+ )?([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)", value)
                if match:
                    return match.group(1)
            if flaws.has("lenient-whitespace"):
                match = re.fullmatch(r"Bearer\s+([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)", value)
                if match:
                    return match.group(1)
        return bearer_token(conn)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        flaws = self.flaws
        if not flaws.active:
            return await super().authenticate(conn)
        headers = conn.headers.getlist("authorization")
        if (
            flaws.has("no-header-as-default-user")
            and not headers
            and "sec-websocket-protocol" not in conn.headers
        ):
            return self._as(_default_user(self.audience))
        if flaws.has("empty-as-default-user") and headers and headers[0].strip() in ("", "Bearer"):
            return self._as(_default_user(self.audience))
        try:
            token = self._token(conn)
            if token is None:
                return AuthCredentials(), Anonymous(None)
            if flaws.has("unparseable-as-default-user") and _segments(token) is None:
                return self._as(_default_user(self.audience))
            principal = await self.validator.validate(token)
        except TokenRejected as exc:
            return AuthCredentials(), Anonymous(exc.reason)
        except PeerUnavailable:
            return AuthCredentials(), Anonymous("token could not be checked", unavailable=True)
        return self._as(self._authorized(principal) if self.authorizes else principal)

    def _authorized(self, principal: Principal) -> Principal:
        flaws = self.flaws
        if flaws.has("skip-scope") and principal.kind == "service":
            principal = replace(principal, scopes=principal.scopes | set(ALL_SCOPES))
        if flaws.has("skip-role") and principal.kind == "user":
            principal = replace(principal, roles=principal.roles | {"admin"})
        if flaws.has("service-as-user") and principal.kind == "service":
            principal = replace(principal, kind="user", tenant_id="platform-services")
        return principal

    @staticmethod
    def _as(principal: Principal) -> tuple[AuthCredentials, BaseUser]:
        return AuthCredentials(sorted(principal.scopes)), Authenticated(principal)


def _swap_bearer(
    app: Starlette, flaws: Flaws, audience: str, removed: Any, *, authorizes: bool = True
) -> FlawedBearer:
    """Replace the AuthenticationMiddleware's backend before the app's middleware stack is built."""
    for index, middleware in enumerate(app.user_middleware):
        if middleware.cls is AuthenticationMiddleware:
            real: BearerBackend = middleware.kwargs["backend"]
            bearer = FlawedBearer(
                FlawedValidator(real.validator, flaws, removed), flaws, audience, authorizes=authorizes
            )
            app.user_middleware[index] = Middleware(AuthenticationMiddleware, backend=bearer)
            return bearer
    raise AssertionError("the app has no AuthenticationMiddleware")


class FlawedPlatform:
    """The three stubs with switchable flaws; `target` is the gate's view of them."""

    def __init__(self) -> None:
        self.flaws = Flaws()
        self.auth_service: AuthService | None = None
        options = gate_options()
        options.auth_factory = self._auth
        options.backend_factory = self._backend
        options.websocket_factory = self._websocket
        self.platform = Platform(options)

    def removed_keys(self) -> dict[str, Any]:
        assert self.auth_service is not None
        return {k.kid: k.private_key.public_key() for k in self.auth_service.keys.removed}

    def _auth(self, settings: AuthSettings) -> Starlette:
        app = auth_app(settings)
        service: AuthService = app.state.service
        self.auth_service = service
        bearer = _swap_bearer(
            app, self.flaws, settings.user_audiences[0], self.removed_keys, authorizes=False
        )
        service.validator = bearer.validator  # type: ignore[assignment]  (introspection and revocation too)
        self._auth_behaviour(service)
        return app

    def _auth_behaviour(self, service: AuthService) -> None:
        flaws = self.flaws
        revoke_session, failed, password_grant = (
            service.revoke_session,
            service.throttle.failed,
            service.password_grant,
        )
        introspect = service.introspect

        def revoke(session: Any) -> None:
            if not flaws.has("reuse-keeps-family"):
                revoke_session(session)

        def fail(username: str) -> None:
            if not flaws.has("no-throttle"):
                failed(username)

        def grant(username: str, password: str, *args: Any) -> Any:
            if flaws.has("enumerable") and user_by_email(username) is None:
                raise InvalidGrant("no such account")
            return password_grant(username, password, *args)

        async def introspection(token: str) -> dict[str, Any]:
            if flaws.has("introspect-ignores-revocation"):
                with self.flaws_also("ignore-revocation"):
                    return await introspect(token)
            return await introspect(token)

        service.revoke_session = revoke  # type: ignore[method-assign]
        service.throttle.failed = fail  # type: ignore[method-assign]
        service.password_grant = grant  # type: ignore[method-assign]
        service.introspect = introspection  # type: ignore[method-assign]

    @contextmanager
    def flaws_also(self, name: str) -> Iterator[None]:
        before = self.flaws.active
        self.flaws.active = before | {name}
        try:
            yield
        finally:
            self.flaws.active = before

    def _backend(self, settings: BackendSettings) -> Starlette:
        app = backend_app(settings)
        _swap_bearer(app, self.flaws, settings.audience, self.removed_keys)
        store, flaws = app.state.store, self.flaws
        thread_of, run_of = store.thread_of, store.run_of

        def owned(found: Any, anyone: Any, owner: Any) -> Any:
            if found is not None or anyone is None:
                return found
            if flaws.has("tenant-leak"):
                return anyone
            if flaws.has("tenant-403"):
                raise Problem(403, "this resource belongs to someone else")
            return None

        store.thread_of = lambda owner, ident: owned(
            thread_of(owner, ident), store._threads.get(ident), owner
        )
        store.run_of = lambda owner, ident: owned(run_of(owner, ident), store.run(ident), owner)
        return app

    def _websocket(self, settings: WebSocketSettings) -> Starlette:
        app = websocket_app(settings)
        service = app.state.service
        validator = FlawedValidator(service.validator, self.flaws, self.removed_keys)
        service.validator = validator
        service.bearer = FlawedBearer(validator, self.flaws, settings.audience)
        return app

    @property
    def target(self) -> Target:
        return target_of(self.platform)

    def start(self) -> FlawedPlatform:
        self.platform.start()
        return self

    def stop(self) -> None:
        self.platform.stop()
