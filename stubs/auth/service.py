"""The auth service's behaviour, independent of API version: grants, sessions, revocation, introspection.

v1 and v2 differ only in shapes and status codes; both call this. State (sessions, spent refresh
tokens, revoked `jti`s, throttling) is in memory per app. A *session* is one refresh-token family:
every refresh spends the presented token and issues the next; presenting a spent one means it was
stolen, so the whole family — its refresh tokens and the access tokens issued from it — is revoked.

Every revocation and every change of the signing keys is also published on `feed`
(`stubs.auth.feed`), which is how the resource services learn of them without asking per request.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt

from stubs.auth.feed import RevocationFeed
from stubs.auth.throttle import LoginThrottle
from stubs.demo import CLIENTS, USERS, DemoClient, DemoUser, user_by_email, user_by_id
from stubs.keys import KeyRing, SigningKey
from stubs.settings import AuthSettings
from stubs.tokens import (
    ACCESS_TOKEN_TYPE,
    ALGORITHM,
    REFRESH_TOKEN_TYPE,
    AccessTokenValidator,
    TokenRejected,
    check_times,
    decode_signed,
    read_unverified_header,
)

USER_SCOPES = ("openid", "profile", "email")
SERVICE_AUDIENCES = ("auth", "backend", "websocket")


class AuthError(Exception):
    """A refused grant; `error` is the RFC 6749 code, `detail` is safe to show."""

    error = "invalid_request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidGrant(AuthError):
    error = "invalid_grant"


class InvalidClient(AuthError):
    error = "invalid_client"


class InvalidScope(AuthError):
    error = "invalid_scope"


class InvalidTarget(AuthError):
    error = "invalid_target"


class Throttled(AuthError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed attempts; try again later")
        self.retry_after = retry_after


#: One answer for a wrong password and an unknown account, so the body reveals nothing.
BAD_CREDENTIALS = "invalid username or password"


@dataclass
class TokenSet:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None


@dataclass
class Session:
    sid: str
    user_id: str
    audience: str
    scope: str
    expires_at: float
    revoked: bool = False
    #: Once revoked: when the last access token issued from it has expired for sure.
    revoked_until: float = 0.0
    current_refresh: str | None = None
    access_jtis: set[str] = field(default_factory=set)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class LocalKeys:
    """The auth service's own `KeySource`: keys of its ring that are still valid."""

    def __init__(self, ring: KeyRing) -> None:
        self._ring = ring

    async def get(self, kid: str) -> Any | None:
        key = self._ring.find(kid)
        return key.public_key if key else None


class AuthService:
    def __init__(self, settings: AuthSettings, keys: KeyRing | None = None) -> None:
        self.settings = settings
        self.clock = settings.clock
        self.keys = keys or KeyRing(settings.clock, settings.key_grace_seconds)
        self.throttle = LoginThrottle(
            settings.clock,
            max_failures=settings.throttle_max_failures,
            window=settings.throttle_window_seconds,
            lockout=settings.throttle_lockout_seconds,
        )
        self.sessions: dict[str, Session] = {}
        self.revoked_access: dict[str, float] = {}  # jti -> exp
        self.feed = RevocationFeed(self._feed_snapshot)
        self.keys.on_change(lambda: self.feed.publish(keys=self.keys.horizons()))
        self._password_digests = {u.email: _digest(u.password) for u in USERS}
        self._secret_digests = {c.client_id: _digest(c.secret) for c in CLIENTS}
        self._dummy = _digest(uuid.uuid4().hex)
        self.validator = AccessTokenValidator(
            LocalKeys(self.keys),
            issuer=settings.issuer,
            audiences=sorted({*settings.user_audiences, *SERVICE_AUDIENCES}),
            clock=settings.clock,
            leeway=0,
            is_revoked=self._is_revoked,
        )

    # ---- signing ---------------------------------------------------------------------------

    def sign(self, claims: dict[str, Any], *, typ: str, key: SigningKey | None = None, **header: Any) -> str:
        key = key or self.keys.current
        headers = {"kid": key.kid, "typ": typ, **header}
        return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)

    def _base_claims(self, sub: str, aud: str, ttl: int) -> dict[str, Any]:
        now = int(self.clock())
        return {
            "iss": self.settings.issuer,
            "sub": sub,
            "aud": aud,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }

    def user_access_claims(self, user: DemoUser, audience: str, sid: str, scope: str) -> dict[str, Any]:
        claims = self._base_claims(user.id, audience, self.settings.access_token_ttl)
        claims.update(
            scope=scope, tenant_id=user.tenant_id, roles=list(user.roles), email=user.email, sid=sid
        )
        return claims

    def service_claims(self, client: DemoClient, audience: str, scopes: list[str]) -> dict[str, Any]:
        claims = self._base_claims(client.client_id, audience, self.settings.service_token_ttl)
        claims.update(scope=" ".join(scopes), client_id=client.client_id)
        return claims

    # ---- sessions --------------------------------------------------------------------------

    def open_session(self, user: DemoUser, audience: str, scope: str) -> TokenSet:
        sid = uuid.uuid4().hex
        session = Session(
            sid=sid,
            user_id=user.id,
            audience=audience,
            scope=scope,
            expires_at=self.clock() + self.settings.refresh_token_ttl,
        )
        self.sessions[sid] = session
        return self._issue(session, user)

    def _issue(self, session: Session, user: DemoUser) -> TokenSet:
        access_claims = self.user_access_claims(user, session.audience, session.sid, session.scope)
        session.access_jtis.add(access_claims["jti"])
        refresh_claims = self._base_claims(user.id, self.settings.issuer, self.settings.refresh_token_ttl)
        refresh_claims.update(sid=session.sid, token_use="refresh")
        session.current_refresh = refresh_claims["jti"]
        return TokenSet(
            access_token=self.sign(access_claims, typ=ACCESS_TOKEN_TYPE),
            expires_in=self.settings.access_token_ttl,
            scope=session.scope,
            refresh_token=self.sign(refresh_claims, typ=REFRESH_TOKEN_TYPE),
        )

    def revoke_session(self, session: Session) -> None:
        session.revoked = True
        session.current_refresh = None
        horizon = self.clock() + self.settings.access_token_ttl
        session.revoked_until = horizon
        for jti in session.access_jtis:
            self.revoked_access.setdefault(jti, horizon)
        self.feed.publish(
            sid={session.sid: horizon}, jti={jti: self.revoked_access[jti] for jti in session.access_jtis}
        )

    def revoke_access(self, jti: str, expires_at: float) -> None:
        """Deny one access token until its `exp`, here and (through the feed) everywhere."""
        self.revoked_access[jti] = expires_at
        self.feed.publish(jti={jti: expires_at})

    def _feed_snapshot(self) -> dict[str, Any]:
        now = self.clock()
        return {
            "jti": {jti: until for jti, until in self.revoked_access.items() if until > now},
            "sid": {
                s.sid: s.revoked_until for s in self.sessions.values() if s.revoked and s.revoked_until > now
            },
            "keys": self.keys.horizons(),
        }

    # ---- grants ----------------------------------------------------------------------------

    def _user_scope(self, requested: str | None) -> str:
        if not requested:
            return " ".join(USER_SCOPES)
        scopes = requested.split()
        unknown = [s for s in scopes if s not in USER_SCOPES]
        if unknown:
            raise InvalidScope(f"unknown scope {' '.join(unknown)}")
        return " ".join(dict.fromkeys(scopes))

    def password_grant(
        self, username: str, password: str, audience: str | None = None, scope: str | None = None
    ) -> TokenSet:
        wait = self.throttle.retry_after(username)
        if wait is not None:
            raise Throttled(wait)
        user = user_by_email(username)
        expected = self._password_digests.get(user.email) if user else None
        matches = hmac.compare_digest(_digest(password), expected or self._dummy)
        if user is None or not matches:
            self.throttle.failed(username)
            raise InvalidGrant(BAD_CREDENTIALS)
        self.throttle.succeeded(username)
        audience = audience or self.settings.user_audiences[0]
        if audience not in self.settings.user_audiences:
            raise InvalidTarget(f"user tokens are not issued for audience {audience!r}")
        return self.open_session(user, audience, self._user_scope(scope))

    def _refresh_claims(self, token: str) -> dict[str, Any]:
        try:
            header = read_unverified_header(token)
            key = self.keys.find(str(header.get("kid", "")))
            if header.get("typ") != REFRESH_TOKEN_TYPE or header.get("alg") != ALGORITHM or key is None:
                raise TokenRejected("not a refresh token")
            claims = decode_signed(
                token,
                key.private_key.public_key(),
                issuer=self.settings.issuer,
                audiences=[self.settings.issuer],
            )
            check_times(claims, self.clock(), 0)
        except TokenRejected:
            raise InvalidGrant("invalid refresh token") from None
        return claims

    def refresh_grant(self, refresh_token: str, scope: str | None = None) -> TokenSet:
        claims = self._refresh_claims(refresh_token)
        session = self.sessions.get(str(claims.get("sid")))
        if session is None or session.revoked:
            raise InvalidGrant("invalid refresh token")
        if claims["jti"] != session.current_refresh:
            # A spent refresh token came back: someone else holds the family. Revoke all of it.
            self.revoke_session(session)
            raise InvalidGrant("refresh token reused; the session is revoked")
        user = user_by_id(session.user_id)
        if user is None:
            raise InvalidGrant("invalid refresh token")
        if scope:
            narrowed = self._user_scope(scope).split()
            if not set(narrowed) <= set(session.scope.split()):
                raise InvalidScope("a refresh cannot widen the scope")
            session.scope = " ".join(narrowed)
        return self._issue(session, user)

    def authenticate_client(self, client_id: str | None, secret: str | None) -> DemoClient:
        client = next((c for c in CLIENTS if c.client_id == client_id), None)
        expected = self._secret_digests.get(client.client_id) if client else None
        if not hmac.compare_digest(_digest(secret or ""), expected or self._dummy) or client is None:
            raise InvalidClient("client authentication failed")
        return client

    def client_credentials(self, client: DemoClient, audience: str, scope: str | None) -> TokenSet:
        allowed = client.scopes_by_audience.get(audience)
        if allowed is None:
            raise InvalidTarget(f"client {client.client_id} may not ask for audience {audience!r}")
        scopes = list(dict.fromkeys(scope.split())) if scope else list(allowed)
        extra = [s for s in scopes if s not in allowed]
        if extra:
            raise InvalidScope(f"scope {' '.join(extra)} is not allowed for {audience}")
        claims = self.service_claims(client, audience, scopes)
        return TokenSet(
            access_token=self.sign(claims, typ=ACCESS_TOKEN_TYPE),
            expires_in=self.settings.service_token_ttl,
            scope=" ".join(scopes),
        )

    # ---- revocation and introspection ------------------------------------------------------

    async def _is_revoked(self, token: str, claims: dict[str, Any]) -> bool:
        return self.access_revoked(claims)

    def access_revoked(self, claims: dict[str, Any]) -> bool:
        if claims.get("jti") in self.revoked_access:
            return True
        session = self.sessions.get(str(claims.get("sid"))) if "sid" in claims else None
        return session is not None and session.revoked

    async def revoke(self, token: str) -> None:
        """RFC 7009: revoke whatever this token is; unknown or invalid tokens are silently ignored."""
        try:
            header = read_unverified_header(token)
        except TokenRejected:
            return
        if header.get("typ") == REFRESH_TOKEN_TYPE:
            try:
                claims = self._refresh_claims(token)
            except InvalidGrant:
                return
            session = self.sessions.get(str(claims.get("sid")))
            if session is not None:
                self.revoke_session(session)
            return
        try:
            principal = await self.validator.validate(token)
        except TokenRejected:
            return
        self.revoke_access(principal.jti, principal.expires_at)

    async def logout(self, access_claims: dict[str, Any], refresh_token: str | None) -> None:
        self.revoke_access(str(access_claims["jti"]), float(access_claims["exp"]))
        session = self.sessions.get(str(access_claims.get("sid")))
        if session is not None:
            self.revoke_session(session)
        if refresh_token:
            await self.revoke(refresh_token)

    async def introspect(self, token: str) -> dict[str, Any]:
        inactive: dict[str, Any] = {"active": False}
        try:
            header = read_unverified_header(token)
        except TokenRejected:
            return inactive
        if header.get("typ") == REFRESH_TOKEN_TYPE:
            try:
                claims = self._refresh_claims(token)
            except InvalidGrant:
                return inactive
            session = self.sessions.get(str(claims.get("sid")))
            if session is None or session.revoked or session.current_refresh != claims["jti"]:
                return inactive
            user = user_by_id(session.user_id)
            return self._introspection(claims, "refresh_token", user.email if user else None)
        try:
            principal = await self.validator.validate(token)
        except TokenRejected:
            return inactive
        return self._introspection(principal.claims, "access_token", principal.claims.get("email"))

    @staticmethod
    def _introspection(claims: dict[str, Any], token_type: str, username: str | None) -> dict[str, Any]:
        answer: dict[str, Any] = {"active": True, "token_type": token_type}
        for name in (
            "scope",
            "client_id",
            "sub",
            "aud",
            "iss",
            "exp",
            "iat",
            "nbf",
            "jti",
            "tenant_id",
            "roles",
        ):
            if name in claims:
                answer[name] = claims[name]
        if username:
            answer["username"] = username
        return answer
