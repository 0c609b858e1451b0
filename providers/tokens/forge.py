"""One small function per attack: from a genuine token's material, the credentials an attacker sends.

Like PyJWT's one validator per claim, each function does one thing and says what it sends; what a
target must answer is named in the catalogue (`catalogue.ATTACKS`). Every function returns one or
more `Forged` credentials (variants of the same attack: all must be refused). A forged *token* is
also offered the other ways the target takes tokens (the WebSocket subprotocol); a forged *header*
is sent as is. Functions raise `Unavailable` when the target lacks what the attack needs (no JWKS,
no key holder, no revocation endpoint): the suite reports that attack skipped, never passed.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from providers.requests import Unavailable
from providers.tokens import jose
from providers.tokens.material import Material


class Refusal(StrEnum):
    """The ways of saying no an attack may be answered with."""

    #: The declared 401 (a refused WebSocket handshake's `refused-status`, or its refusal close code).
    UNAUTHENTICATED = "unauthenticated"
    #: The declared 403: only where the forged credential is also a token that lacks a scope or role.
    FORBIDDEN = "forbidden"
    #: Refused before it reached the application because of its size (413, 431, a dropped handshake).
    TOO_LARGE = "too-large"


@dataclass(frozen=True)
class Forged:
    variant: str
    #: The credential headers exactly as sent (none, one, or the same header twice).
    headers: tuple[tuple[str, str], ...]
    #: The bearer token, when the attack is a token (then also offered as a WebSocket subprotocol).
    token: str | None = None
    #: Refusals accepted besides UNAUTHENTICATED, each with why.
    also: tuple[tuple[Refusal, str], ...] = ()
    #: The token points at the attacker's server: a fetch by the target is itself a failure.
    lure: bool = False


Forger = Callable[[Material], list[Forged]]
AUTHORIZATION = "Authorization"


def bearer(variant: str, token: str, **options: Any) -> Forged:
    return Forged(variant, ((AUTHORIZATION, f"Bearer {token}"),), token, **options)


def _register(m: Material, *tokens: str) -> None:
    m.forge.ctx.redactor.add(*tokens)


def garbage_jwt() -> str:
    """Three base64url segments of random bytes: JWT-shaped, meaningless."""
    return ".".join(jose.b64url(secrets.token_bytes(n)) for n in (24, 48, 64))


# ---- the header --------------------------------------------------------------------------------


def no_credentials(m: Material) -> list[Forged]:
    return [Forged("no Authorization header", ())]


def wrong_scheme(m: Material) -> list[Forged]:
    token = m.genuine.value
    return [
        Forged("the genuine token under scheme 'Token'", ((AUTHORIZATION, f"Token {token}"),)),
        Forged("the genuine token without a scheme", ((AUTHORIZATION, token),)),
        Forged("the genuine token under scheme 'Basic'", ((AUTHORIZATION, f"Basic {token}"),)),
    ]


def empty(m: Material) -> list[Forged]:
    return [
        Forged("an empty Authorization header", ((AUTHORIZATION, ""),)),
        Forged("the scheme without a token", ((AUTHORIZATION, "Bearer"),)),
    ]


def tab_separator(m: Material) -> list[Forged]:
    # RFC 6750 §2.1 allows one or more spaces after "Bearer": only a tab is malformed.
    return [Forged("a tab before the genuine token", ((AUTHORIZATION, f"Bearer\t{m.genuine.value}"),))]


def two_tokens(m: Material) -> list[Forged]:
    token, other = m.genuine.value, garbage_jwt()
    _register(m, other)
    return [
        Forged("the genuine token then garbage, one header", ((AUTHORIZATION, f"Bearer {token} {other}"),)),
        Forged("garbage then the genuine token, one header", ((AUTHORIZATION, f"Bearer {other} {token}"),)),
        Forged("two comma-separated credentials", ((AUTHORIZATION, f"Bearer {token}, Bearer {other}"),)),
        Forged(
            "two Authorization headers, the genuine one first",
            ((AUTHORIZATION, f"Bearer {token}"), (AUTHORIZATION, f"Bearer {other}")),
        ),
        Forged(
            "two Authorization headers, the genuine one last",
            ((AUTHORIZATION, f"Bearer {other}"), (AUTHORIZATION, f"Bearer {token}")),
        ),
    ]


def garbage(m: Material) -> list[Forged]:
    shaped = garbage_jwt()
    _register(m, shaped)
    return [
        bearer("a token that is not a JWT", "contractgate-not-a-token"),
        bearer("JWT-shaped garbage", shaped),
    ]


# ---- the algorithm -----------------------------------------------------------------------------


def alg_none(case: str, signed: bool) -> Forger:
    def forge(m: Material) -> list[Forged]:
        parts = m.parts
        header = jose.b64url_json({**parts.header, "alg": case})
        token = f"{header}.{parts.raw_payload}.{parts.signature if signed else ''}"
        _register(m, token)
        kept = "the original signature kept" if signed else "no signature"
        return [bearer(f"alg {case!r}, genuine claims, {kept}", token)]

    forge.__doc__ = f"`alg: {case}`, {'keeping' if signed else 'without'} the signature."
    return forge


def hs256_key_confusion(m: Material) -> list[Forged]:
    parts = m.parts
    key = m.forge.issuer_key(parts.header.get("kid"))
    header = {**parts.header, "alg": "HS256"}
    forged = []
    for encoding, secret in jose.public_pems(key).items():
        token = jose.hs256_over(f"{jose.b64url_json(header)}.{parts.raw_payload}", secret)
        _register(m, token)
        forged.append(bearer(f"HS256 keyed with the issuer's public key ({encoding})", token))
    return forged


# ---- the signature and the claims --------------------------------------------------------------


def bad_signature(m: Material) -> list[Forged]:
    token = jose.rs256_over(m.parts.signing_input, m.forge.attacker.private_key)
    _register(m, token)
    return [bearer("the genuine header and claims signed by another key", token)]


def tamper_value(m: Material, claim: str) -> Any:
    """A plausible value of the claim's own shape that the genuine token does not carry."""
    value = m.parts.claims.get(claim)
    changed = _escalated(m, claim, value)
    if changed == value:  # nothing left to escalate to: any change must still break the signature
        changed = f"{value}-tampered" if isinstance(value, str) else [*(value or []), "contractgate-tampered"]
    return changed


def _escalated(m: Material, claim: str, value: Any) -> Any:
    forge = m.forge
    names = forge.ctx.platform.issuer.claims if forge.ctx.platform.issuer else None
    if (names and claim == names.scopes) or (isinstance(value, str) and " " in value):
        current = str(value or "").split()
        return " ".join([*current, *(s for s in forge.scopes if s not in current)])
    if isinstance(value, list) or (names and claim == names.roles):
        current = [str(v) for v in value or []]
        return [*current, *(r for r in forge.roles if r not in current)]
    if (names and claim == names.tenant) or value in {a.tenant for a in forge.ctx.credentials.users if a.tenant}:
        return forge.tenant_of_others(m.identity)
    if isinstance(value, str):
        try:
            uuid.UUID(value)
            return str(uuid.uuid4())
        except ValueError:
            return value + "-tampered"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return "contractgate-tampered"


def tampered(claim: str) -> Forger:
    def forge(m: Material) -> list[Forged]:
        parts = m.parts
        claims = {**parts.claims, claim: tamper_value(m, claim)}
        token = f"{parts.raw_header}.{jose.b64url_json(claims)}.{parts.signature}"
        _register(m, token)
        shown = json.dumps(claims[claim])
        return [bearer(f"{claim} changed to {shown[:80]}, the issuer's signature kept", token)]

    forge.__doc__ = f"`{claim}` changed, the original signature kept."
    return forge


# ---- the key holder: validly signed, wrong in one way -------------------------------------------


def expired(m: Material) -> list[Forged]:
    if m.forge.key_holder_reason is not None:
        token, late = m.forge.waited_out(m.identity)
        return [bearer(f"a genuine token, sent {late:.0f} s after its exp", token)]
    end = m.now - m.settings.time_margin
    token = m.mint(claims={"iat": end - 900, "nbf": end - 900, "exp": end})
    return [bearer(f"signed by the issuer, expired {m.settings.time_margin} s ago", token)]


def not_yet_valid(m: Material) -> list[Forged]:
    start = m.now + m.settings.time_margin
    token = m.mint(claims={"iat": m.now, "nbf": start, "exp": start + 900})
    return [bearer(f"signed by the issuer, nbf {m.settings.time_margin} s ahead", token)]


def wrong_issuer(m: Material) -> list[Forged]:
    token = m.mint(claims={"iss": "https://issuer.contractgate-attacker.invalid"})
    return [bearer("signed by the issuer's key, another iss", token)]


def wrong_audience_signed(m: Material) -> list[Forged]:
    token = m.mint(claims={"aud": "contractgate-other-service"})
    return [bearer("signed by the issuer, aud of a service that is not this one", token)]


def wrong_audience_genuine(m: Material) -> list[Forged]:
    token, lacks = m.forge.other_audience(m.identity)
    also = ((Refusal.FORBIDDEN, f"the token also lacks {' '.join(lacks)}"),) if lacks else ()
    return [bearer(f"a genuine {token.label}", token.value, also=also)]


def rotated_out_key(m: Material) -> list[Forged]:
    token = m.forge.rotated_out(m.identity)
    return [bearer("signed by a key the issuer rotated out of its JWKS", token)]


def oversized(m: Material) -> list[Forged]:
    target = m.settings.oversized_bytes
    padding = "A" * max(0, (target - len(m.genuine.value)) * 3 // 4 + 64)
    token = m.mint(claims={"contractgate_padding": padding})
    return [
        bearer(
            f"a validly signed token of {len(token)} bytes",
            token,
            also=((Refusal.TOO_LARGE, "a request this large may be refused before the application"),),
        )
    ]


# ---- the key id and where the key comes from ---------------------------------------------------


def unknown_kid(m: Material) -> list[Forged]:
    header = {**m.parts.header, "kid": "contractgate-" + uuid.uuid4().hex}
    token = jose.rs256(header, m.parts.claims, m.forge.attacker.private_key)
    _register(m, token)
    return [bearer("a kid the issuer never published, signed by the attacker", token)]


def injected_kid_path(m: Material) -> list[Forged]:
    header = {**m.parts.header, "alg": "HS256", "kid": "../../../../../../../../../../dev/null"}
    token = jose.hs256(header, m.parts.claims, b"")
    _register(m, token)
    return [bearer("kid ../…/dev/null, HS256 keyed with its (empty) content", token)]


SQL_SECRET = b"contractgate-sqli"


def injected_kid_sql(m: Material) -> list[Forged]:
    kid = "contractgate' UNION SELECT '" + SQL_SECRET.decode() + "' -- "
    header = {**m.parts.header, "alg": "HS256", "kid": kid}
    token = jose.hs256(header, m.parts.claims, SQL_SECRET)
    _register(m, token)
    return [bearer("kid with a UNION SELECT of the attacker's secret, HS256 keyed with it", token)]


def _server(m: Material) -> Any:
    server = m.forge.server
    if server is None:
        raise Unavailable(m.forge.no_server_reason)
    return server


def jku(m: Material) -> list[Forged]:
    server = _server(m)
    kid = str(m.parts.header.get("kid") or m.forge.attacker.kid)
    server.publish_kid(kid)
    header = {**m.parts.header, "kid": kid, "jku": server.jwks_url}
    token = jose.rs256(header, m.parts.claims, m.forge.attacker.private_key)
    _register(m, token)
    return [bearer(f"jku {server.jwks_url} (the attacker's JWKS), signed by the attacker", token, lure=True)]


def x5u(m: Material) -> list[Forged]:
    server = _server(m)
    header = {**m.parts.header, "x5u": server.cert_url}
    token = jose.rs256(header, m.parts.claims, m.forge.attacker.private_key)
    _register(m, token)
    return [
        bearer(
            f"x5u {server.cert_url} (the attacker's certificate), signed by the attacker", token, lure=True
        )
    ]


def embedded_jwk(m: Material) -> list[Forged]:
    kid = m.parts.header.get("kid")
    header = {**m.parts.header, "jwk": m.forge.attacker.jwk(str(kid) if kid else None)}
    token = jose.rs256(header, m.parts.claims, m.forge.attacker.private_key)
    _register(m, token)
    return [bearer("the attacker's public key embedded as jwk, signed by the attacker", token)]


# ---- genuine tokens that must not work here ----------------------------------------------------


def revoked(m: Material) -> list[Forged]:
    return [bearer("a genuine token, revoked at the revocation endpoint", m.forge.revoked(m.identity))]


def refresh_as_access(m: Material) -> list[Forged]:
    return [bearer("a genuine refresh token presented as an access token", m.forge.refresh_token(m.identity))]
