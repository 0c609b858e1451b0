"""Access-token validation as every stub does it: the one place that decides whether a JWT is good.

The order of checks is deliberate: size and shape first (cheap, and nothing attacker-controlled is
trusted yet), then the header (`alg` pinned to RS256 and `typ` pinned to `at+jwt`, so neither
`alg: none`, HS/RS key confusion nor a refresh token gets through), then the `kid` looked up in the
issuer's JWKS only (`jku`, `x5u` and embedded `jwk` are never followed), then signature and claims
with the injected clock, then revocation. Each refusal says why, for `WWW-Authenticate`.

A token whose signature was verified once is remembered by its exact bytes (never by its header,
payload or signature alone, which would let another token pass as it): presented again, it costs no
RSA verification, but its key must still be valid, its times are checked against the clock and its
revocation is looked up, on every request.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import jwt

from stubs.settings import Clock

MAX_TOKEN_BYTES = 8192
ACCESS_TOKEN_TYPE = "at+jwt"
REFRESH_TOKEN_TYPE = "rt+jwt"
ALGORITHM = "RS256"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REQUIRED = ("iss", "sub", "aud", "exp", "iat", "nbf", "jti")


class TokenRejected(Exception):
    """The token is not acceptable; `reason` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """Who a valid access token speaks for."""

    subject: str
    kind: Literal["user", "service"]
    audiences: tuple[str, ...]
    scopes: frozenset[str]
    jti: str
    expires_at: float
    tenant_id: str | None = None
    roles: frozenset[str] = frozenset()
    client_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)
    #: The `kid` of the key that signed the token (a connection closes when that key is removed).
    key_id: str | None = None

    @classmethod
    def from_claims(cls, claims: dict[str, Any], key_id: str | None = None) -> Principal:
        aud = claims["aud"]
        audiences = (aud,) if isinstance(aud, str) else tuple(aud)
        is_user = "tenant_id" in claims
        return cls(
            subject=str(claims["sub"]),
            kind="user" if is_user else "service",
            audiences=audiences,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            jti=str(claims["jti"]),
            expires_at=float(claims["exp"]),
            tenant_id=claims.get("tenant_id"),
            roles=frozenset(claims.get("roles", ())),
            client_id=claims.get("client_id"),
            claims=claims,
            key_id=key_id,
        )


class KeySource(Protocol):
    """Where verification keys come from: the auth service's own ring, or its JWKS over HTTP."""

    async def get(self, kid: str) -> Any | None: ...


RevocationCheck = Callable[[str, dict[str, Any]], Awaitable[bool]]


def read_unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("malformed token") from None


def check_times(claims: dict[str, Any], now: float, leeway: float) -> None:
    """`exp`, `nbf`, `iat` against the injected clock (PyJWT only knows the wall clock)."""
    try:
        exp, nbf, iat = float(claims["exp"]), float(claims["nbf"]), float(claims["iat"])
    except (TypeError, ValueError):
        raise TokenRejected("malformed time claims") from None
    if now >= exp + leeway:
        raise TokenRejected("token expired")
    if now + leeway < nbf:
        raise TokenRejected("token not yet valid")
    if now + leeway < iat:
        raise TokenRejected("token issued in the future")


#: How many verified tokens a validator remembers (the oldest is forgotten first).
VERIFIED_CACHE_SIZE = 4096


class AccessTokenValidator:
    """Validates bearer access tokens for one service (its accepted audiences)."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audiences: Collection[str],
        clock: Clock,
        leeway: float = 30,
        is_revoked: RevocationCheck | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audiences = list(audiences)
        self._clock = clock
        self._leeway = leeway
        self._is_revoked = is_revoked
        self._verified: dict[str, Principal] = {}

    async def validate(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            return await self._recheck(token, known)
        principal = await self._verify(token)
        verified = self._verified
        if len(verified) >= VERIFIED_CACHE_SIZE:
            try:
                del verified[next(iter(verified))]
            except (RuntimeError, StopIteration, KeyError):  # another thread's caller got there first
                pass
        verified[token] = principal
        return principal

    async def _recheck(self, token: str, principal: Principal) -> Principal:
        """A token verified before: everything but the signature again (key, times, revocation)."""
        if principal.key_id is None or await self._keys.get(principal.key_id) is None:
            self._verified.pop(token, None)
            raise TokenRejected("unknown key id")
        try:
            check_times(principal.claims, self._clock(), self._leeway)
        except TokenRejected:
            self._verified.pop(token, None)
            raise
        if self._is_revoked is not None and await self._is_revoked(token, principal.claims):
            raise TokenRejected("token revoked")
        return principal

    async def _verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenRejected("token too large")
        header = read_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise TokenRejected("unsupported algorithm")
        if header.get("typ") != ACCESS_TOKEN_TYPE:
            raise TokenRejected("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.match(kid):
            raise TokenRejected("invalid key id")
        key = await self._keys.get(kid)
        if key is None:
            raise TokenRejected("unknown key id")
        claims = decode_signed(token, key, issuer=self._issuer, audiences=self._audiences)
        check_times(claims, self._clock(), self._leeway)
        if self._is_revoked is not None and await self._is_revoked(token, claims):
            raise TokenRejected("token revoked")
        return Principal.from_claims(claims, key_id=kid)


def decode_signed(token: str, key: Any, *, issuer: str, audiences: list[str]) -> dict[str, Any]:
    """Signature, `iss`, `aud` and the required claims; times are checked by `check_times`."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audiences,
            issuer=issuer,
            options={
                "require": list(_REQUIRED),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise TokenRejected("bad signature") from None
    except jwt.InvalidAudienceError:
        raise TokenRejected("wrong audience") from None
    except jwt.InvalidIssuerError:
        raise TokenRejected("wrong issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRejected(f"missing claim {exc.claim}") from None
    except jwt.PyJWTError:
        raise TokenRejected("malformed token") from None
    return claims
