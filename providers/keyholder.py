"""Tokens only the issuer can sign — expired, not yet valid, another issuer or audience, a rotated-out key.

A suite cannot mint them without the issuer's key. Two sources, in order:

1. **the issuer's signing key**, when the configuration names it (`signing_key_env` of the target: an
   HS secret, or an RSA/EC private key in PEM) — `providers.tokens.signing`;
2. **the provider-state hook** of the issuer's service, when the target has one: the manifest's
   `key_holder.signed` state signs a token with chosen claims (`subject` — a username or client id —,
   `audience`, `claims` to override, `header` fields, `key: "removed"` for a key already rotated out).

A target with neither has no key holder: the checks that need one are reported skipped with `reason`,
which names both ways to enable them — never passed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt

from providers.credentials import SigningKey, Token
from providers.requests import Unavailable, set_up_state
from providers.suite import RunContext

#: Claims a minted token gets fresh values of, rather than the template's.
FRESH = ("iat", "nbf", "exp", "jti")

ENABLE = (
    "set the target's signing_key_env to the issuer's signing key, or give the issuer's service a "
    "provider-state hook with the manifest's key_holder.signed state"
)


class KeyHolder:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._minted: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def state(self) -> str | None:
        return self.ctx.platform.key_holder.signed

    @property
    def signing_key(self) -> SigningKey | None:
        return self.ctx.credentials.signing_key

    @property
    def reason(self) -> str | None:
        """Why validly signed forgeries cannot be had on this target (None when they can)."""
        issuer = self.ctx.credentials.issuer
        if issuer is None:
            return "the contracts name no issuer (platform.yaml 'tokens.issuer')"
        if self.signing_key is not None:
            return None
        service = self.ctx.target.services.get(issuer.service)
        if service is None:
            return f"the target has no {issuer.service}"
        if service.states_url is None or self.state is None:
            return f"only the issuer can sign this token: {ENABLE}"
        return None

    def mint(
        self,
        subject: str,
        audience: str,
        *,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        key: str | None = None,
        template: Token | None = None,
    ) -> str:
        """A token the issuer signed for `subject` and `audience`, with `claims` overriding its own.

        `template` is a genuine token of that subject and audience: with a signing key, the forgery
        carries its claims (but fresh `iat`, `nbf`, `exp`, `jti`) and its header's `kid` and `typ`.
        `key="removed"` asks for a key the issuer has rotated out of its JWKS (only a hook can).
        """
        reason = self.reason
        if reason is not None:
            raise Unavailable(reason)
        if self.signing_key is not None:
            return self._sign(self.signing_key, subject, audience, claims or {}, header or {}, key, template)
        assert self.ctx.credentials.issuer is not None and self.state is not None
        params: dict[str, Any] = {
            "subject": subject,
            "audience": audience,
            "claims": dict(claims or {}),
            "header": dict(header or {}),
        }
        if key is not None:
            params["key"] = key
        cache_key = repr(sorted(params.items()))
        with self._lock:
            if cache_key in self._minted:
                return self._minted[cache_key]
        states_url = self.ctx.target.service(self.ctx.credentials.issuer.service).states_url
        assert states_url is not None
        answer_key = self.ctx.platform.key_holder.token
        token = set_up_state(self.ctx, states_url, self.state, params).get(answer_key)
        if not isinstance(token, str) or not token:
            raise Unavailable(f"provider state {self.state!r} answered no {answer_key!r}")
        self.ctx.redactor.add(token)
        with self._lock:
            self._minted[cache_key] = token
        return token

    def _sign(
        self,
        signing: SigningKey,
        subject: str,
        audience: str,
        claims: Mapping[str, Any],
        header: Mapping[str, Any],
        key: str | None,
        template: Token | None,
    ) -> str:
        if key == "removed":
            raise Unavailable(
                "a key the issuer rotated out of its JWKS cannot be had from a signing key; only the "
                "issuer's provider-state hook (platform.yaml key_holder.signed) can sign with one"
            )
        now = int(time.time())
        base = {k: v for k, v in (template.claims if template else {}).items() if k not in FRESH}
        base.setdefault("sub", subject)
        base.setdefault("aud", audience)
        payload = {"iat": now, "nbf": now, "exp": now + 900, "jti": uuid.uuid4().hex, **base, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}  # None removes a claim
        model = template.header if template else {}
        headers: dict[str, Any] = {k: model[k] for k in ("kid", "typ") if k in model}
        if signing.kid:
            headers["kid"] = signing.kid
        headers.update(header)
        try:
            token = jwt.encode(
                payload, signing.key(), algorithm=signing.algorithm_for(model.get("alg")), headers=headers
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unavailable(
                f"the configured signing key cannot sign: {type(exc).__name__}: {exc}"
            ) from None
        self.ctx.redactor.add(token)
        return token
