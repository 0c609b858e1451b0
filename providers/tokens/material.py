"""What the attacks are made from: genuine tokens, the issuer's public keys, and the key holder.

Every forged token starts from a genuine one the suite obtained itself from the target's token
endpoint (`Identity` says whose and for which audience), so the attacks mean something against any
provider. Beyond the genuine token:

- the issuer's public key, from its JWKS (the manifest's `tokens.jwks`) — for HS/RS key confusion;
- the attacker's own key pair and, for `jku`/`x5u`, the server publishing it (`attacker`);
- the **key holder** (`providers.keyholder`): tokens only the issuer could sign (expired, not yet
  valid, wrong issuer, wrong audience, signed by a rotated-out key, oversized), from the issuer's
  signing key when configured or its provider-state hook; otherwise those attacks are skipped with the
  reason naming both — never passed;
- a revoked token (a fresh genuine token revoked at the issuer's revocation exchange), a refresh token
  (from the login), and a genuine token minted for another audience.

Everything minted or received is registered with the run's redactor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jwt

from providers.contract import Requirement, all_operations
from providers.credentials import Token
from providers.errors import ConfigError
from providers.keyholder import FRESH, KeyHolder
from providers.requests import Unavailable
from providers.suite import RunContext
from providers.tokens import jose
from providers.tokens.attacker import AttackerKeys, AttackerServer
from providers.tokens.settings import Settings


@dataclass(frozen=True)
class Identity:
    """Whose genuine token an attack starts from, and for which requirement."""

    requirement: Requirement
    audience: str
    #: The configured account (user tokens) or client id (service tokens).
    account: str
    scopes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.requirement.kind

    @property
    def label(self) -> str:
        if self.kind == "user":
            return f"user token ({self.account}, aud={self.audience})"
        return f"service token ({self.account}, aud={self.audience}{', ' + ' '.join(self.scopes) if self.scopes else ''})"


def identity_for(ctx: RunContext, requirement: Requirement, account: str | None) -> Identity:
    """The identity that satisfies `requirement`, or `Unavailable` naming what is missing."""
    if requirement.kind == "user":
        users = [a for a in ctx.credentials.users if set(requirement.roles) <= set(a.roles)]
        users.sort(key=lambda a: a.name != account)
        if not users:
            raise Unavailable(f"no configured user account has the role(s) {' '.join(requirement.roles)}")
        return Identity(requirement, requirement.audiences[0], users[0].name)
    for audience in requirement.audiences:
        client = ctx.credentials.client_for(audience, requirement.scopes)
        if client is not None:
            return Identity(requirement, audience, client.client_id, requirement.scopes)
    raise Unavailable(
        f"no configured service client may get a token for {' or '.join(requirement.audiences)}"
        + (f" with scope {' '.join(requirement.scopes)}" if requirement.scopes else "")
    )


class Forge:
    """Run-wide material shared by every attack: keys, the key holder, derived tokens (all cached)."""

    def __init__(self, ctx: RunContext, settings: Settings, server: AttackerServer | None = None) -> None:
        self.ctx = ctx
        self.settings = settings
        self.server = server
        self._keys = server.keys if server is not None else None
        self._lock = threading.Lock()
        self._jwks: dict[str, Any] | None = None
        self.key_holder = KeyHolder(ctx)
        self._revoked: dict[Identity, str] = {}
        self._other: dict[Identity, tuple[Token, tuple[str, ...]] | None] = {}
        self._rotated: dict[Identity, str] = {}
        self._waited: dict[Identity, tuple[str, float]] = {}
        #: Why the jku/x5u attacks have no attacker server (when `server` is None).
        self.no_server_reason = "the suite's attacker server is not running"
        operations = all_operations(ctx.specs)
        requirements = [r for op in operations for r in op.requirements]
        #: Names the contracts use, for tampering: every role and scope any requirement lists.
        self.roles = sorted({r for req in requirements if req.kind == "user" for r in req.roles}) or [
            "contractgate-elevated"
        ]
        self.scopes = sorted({s for req in requirements if req.kind == "service" for s in req.scopes})
        self.user_audiences = sorted({a for req in requirements if req.kind == "user" for a in req.audiences})

    # ---- genuine tokens ------------------------------------------------------------------------

    def genuine(self, identity: Identity, *, fresh: bool = False) -> Token:
        if identity.kind == "user":
            return self.ctx.tokens.user(identity.account, identity.audience, fresh=fresh)
        token = self.ctx.tokens.service(
            identity.audience, identity.scopes, client_id=identity.account, fresh=fresh
        )
        if token is None:  # pragma: no cover - a client_id is given, so the source raises instead
            raise Unavailable(f"no service token for {identity.label}")
        return token

    def username(self, identity: Identity) -> str:
        return (
            self.ctx.credentials.user(identity.account).username
            if identity.kind == "user"
            else identity.account
        )

    def tenant_of_others(self, identity: Identity) -> str:
        """A tenant the identity does not belong to: another configured account's, else a made-up one."""
        own = next((a.tenant for a in self.ctx.credentials.users if a.name == identity.account), "")
        others = [a.tenant for a in self.ctx.credentials.users if a.tenant and a.tenant != own]
        return others[0] if others else "contractgate-other-tenant"

    # ---- keys ---------------------------------------------------------------------------------

    @property
    def attacker(self) -> AttackerKeys:
        with self._lock:
            if self._keys is None:
                self._keys = AttackerKeys()
            return self._keys

    def issuer_key(self, kid: str | None) -> Any:
        """The issuer's public key for `kid`, from its JWKS; `Unavailable` if it publishes none."""
        issuer = self.ctx.credentials.issuer
        if issuer is None or not issuer.jwks:
            raise Unavailable("the issuer publishes no JWKS (platform.yaml tokens.jwks)")
        if self._jwks is None or kid not in self._jwks:
            url = self.ctx.tokens.url(issuer.jwks)
            response = self.ctx.http.request("GET", url, headers={"Accept": "application/json"})
            if response.status_code != 200:
                raise Unavailable(f"the JWKS at {url} answered HTTP {response.status_code}")
            keys: dict[str, Any] = {}
            try:
                entries = response.json().get("keys", [])
            except (ValueError, AttributeError):
                raise Unavailable(f"the JWKS at {url} is not a JSON key set") from None
            for entry in entries:
                try:
                    keys[str(entry.get("kid"))] = jwt.PyJWK(entry).key
                except (jwt.PyJWTError, AttributeError):
                    continue
            self._jwks = keys
        if kid in self._jwks:
            return self._jwks[kid]
        if len(self._jwks) == 1 and kid is None:
            return next(iter(self._jwks.values()))
        raise Unavailable(f"the issuer's JWKS has no key {kid!r}")

    # ---- the key holder -----------------------------------------------------------------------

    @property
    def key_holder_reason(self) -> str | None:
        return self.key_holder.reason

    def mint(
        self,
        identity: Identity,
        genuine: Token | None,
        *,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> str:
        """A token signed by the issuer: the genuine token's claims (if given) with `claims` changed.

        `key="removed"` asks for a key the issuer has rotated out of its JWKS.
        """
        parts = jose.split(genuine.value) if genuine is not None else None
        base = {k: v for k, v in (parts.claims if parts else {}).items() if k not in FRESH}
        return self.key_holder.mint(
            self.username(identity),
            identity.audience,
            claims={**base, **dict(claims or {})},
            header=header,
            key=key,
            template=genuine,
        )

    def waited_out(self, identity: Identity) -> tuple[str, float]:
        """A genuine token of `identity` that has expired by waiting, and how long past its `exp` it is.

        Waited once per identity, only when the token's remaining lifetime plus the leeway fits in
        `expiry_wait`; otherwise `Unavailable` names both ways to run the attack.
        """
        with self._lock:
            if identity in self._waited:
                return self._waited[identity]
        if self.settings.expiry_wait <= 0:
            raise Unavailable(
                f"{self.key_holder_reason}; or let the suite wait out a genuine token: set "
                "[suite.tokens] expiry_wait (seconds) above the tokens' lifetime"
            )
        token = self.genuine(identity, fresh=True)
        claims = token.claims
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float):
            raise Unavailable("the genuine token has no exp to wait for")
        # The target's clock, as far as its tokens tell: remaining = exp - iat at issue time.
        remaining = float(exp) - (float(iat) if isinstance(iat, int | float) else time.time())
        wait = max(0.0, remaining) + self.settings.expiry_leeway
        if wait > self.settings.expiry_wait:
            raise Unavailable(
                f"{self.key_holder_reason}; or let the suite wait out a genuine token (it would take "
                f"{wait:.0f} s): set [suite.tokens] expiry_wait to at least that"
            )
        time.sleep(wait)
        found = (token.value, self.settings.expiry_leeway)
        with self._lock:
            self._waited[identity] = found
        return found

    def rotated_out(self, identity: Identity) -> str:
        """A token of `identity` signed by a key the issuer has rotated out (see `prepare_rotation`)."""
        with self._lock:
            if identity in self._rotated:
                return self._rotated[identity]
        token = self.mint(identity, None, key="removed")
        with self._lock:
            self._rotated[identity] = token
        return token

    def prepare_rotation(self, identities: list[Identity]) -> None:
        """Mint the rotated-out tokens of every identity now, before any genuine token is used.

        A key holder may have to rotate the issuer's keys to have a rotated-out one (the reference
        stub does not: its key ring starts with a retired key), and a rotation invalidates every token
        signed before. So these are minted first, and the run's cached tokens dropped.
        """
        for identity in dict.fromkeys(identities):
            try:
                self.rotated_out(identity)
            except Unavailable:
                return
        self.ctx.tokens.forget()
        self._jwks = None

    # ---- derived genuine tokens ---------------------------------------------------------------

    def revoked(self, identity: Identity) -> str:
        """A fresh genuine token of `identity`, revoked at the revocation endpoint."""
        with self._lock:
            if identity in self._revoked:
                return self._revoked[identity]
        issuer = self.ctx.credentials.issuer
        if issuer is None or issuer.revocation is None:
            raise Unavailable("the issuer declares no revocation endpoint (platform.yaml tokens.revocation)")
        token = self.genuine(identity, fresh=True)
        url = self.ctx.tokens.url(issuer.revocation.path)
        response = self.ctx.http.request("POST", url, **issuer.revocation.request({"token": token.value}))
        if not 200 <= response.status_code < 300:
            raise Unavailable(f"the revocation endpoint {url} answered HTTP {response.status_code}")
        with self._lock:
            self._revoked[identity] = token.value
        return token.value

    def refresh_token(self, identity: Identity) -> str:
        account = identity.account if identity.kind == "user" else self.settings.account
        try:
            token = self.ctx.tokens.user(account, identity.audience if identity.kind == "user" else None)
        except ConfigError as exc:
            raise Unavailable(f"no user token to take a refresh token from: {exc}") from None
        if not token.refresh_token:
            raise Unavailable("the token endpoint answered no refresh token")
        return str(token.refresh_token)

    def other_audience(self, identity: Identity) -> tuple[Token, tuple[str, ...]]:
        """A genuine token of the same kind for an audience the requirement does not accept.

        Also answers what the token lacks besides its audience (scopes), so a 403 for that is accepted.
        """
        with self._lock:
            if identity in self._other:
                found = self._other[identity]
                if found is None:
                    raise Unavailable(self._no_other(identity))
                return found
        found = self._find_other(identity)
        with self._lock:
            self._other[identity] = found
        if found is None:
            raise Unavailable(self._no_other(identity))
        return found

    def _no_other(self, identity: Identity) -> str:
        accepted = " ".join(a or "the issuer's default one" for a in identity.requirement.audiences)
        return (
            f"no genuine {identity.kind} token can be had for an audience other than {accepted} (the "
            "contracts declare no other); with the issuer's signing key, wrong-audience:signed forges one"
        )

    def _find_other(self, identity: Identity) -> tuple[Token, tuple[str, ...]] | None:
        accepted = set(identity.requirement.audiences)
        if identity.kind == "user":
            for audience in self.user_audiences:
                if audience in accepted:
                    continue
                try:
                    return self.ctx.tokens.user(identity.account, audience), ()
                except ConfigError:
                    continue
            return None
        wanted = set(identity.requirement.scopes)
        candidates = sorted(
            (
                (len(wanted - set(scopes)), client.client_id, audience, tuple(scopes))
                for client in self.ctx.credentials.clients
                for audience, scopes in client.grants.items()
                if audience not in accepted
            ),
        )
        for missing, client_id, audience, scopes in candidates:
            ask = tuple(sorted(wanted)) if not missing else ()
            try:
                token = self.ctx.tokens.service(audience, ask, client_id=client_id)
            except ConfigError:
                continue
            if token is not None:
                return token, tuple(sorted(wanted - set(scopes)))
        return None


class Material:
    """One genuine token and what the attacks on it need."""

    def __init__(self, forge: Forge, identity: Identity, genuine: Token) -> None:
        self.forge = forge
        self.identity = identity
        self.genuine = genuine
        self.settings = forge.settings

    @cached_property
    def parts(self) -> jose.Parts:
        parts = jose.split(self.genuine.value)
        if parts is None:
            raise Unavailable("the genuine token is not a JWS (header.payload.signature)")
        return parts

    @property
    def now(self) -> int:
        """The target's clock, as the genuine token's `iat` says it."""
        iat = self.parts.claims.get("iat")
        return int(iat) if isinstance(iat, int | float) else int(time.time())

    def mint(self, **changes: Any) -> str:
        return self.forge.mint(self.identity, self.genuine, **changes)
