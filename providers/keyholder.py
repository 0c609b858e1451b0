"""Tokens only the issuer can sign — expired, not yet valid, another issuer or audience, a rotated-out key.

A suite cannot mint them: they need the issuer's private key. Against the stubs, the auth service's
provider-state hook signs them on request (state "a signed token" by default: `subject` — a username
or client id —, `audience`, `claims` to override, `header` fields, `key: "removed"` for a key already
rotated out of the JWKS). A target without the hook (a live environment) has no key holder: the checks
that need one are reported skipped with `reason`, never passed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from providers.requests import Unavailable, set_up_state
from providers.suite import RunContext

DEFAULT_STATE = "a signed token"
DEFAULT_KEY = "access_token"


class KeyHolder:
    def __init__(self, ctx: RunContext, *, state: str = DEFAULT_STATE, answer_key: str = DEFAULT_KEY) -> None:
        self.ctx = ctx
        self.state = state
        self.answer_key = answer_key
        self._minted: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def reason(self) -> str | None:
        """Why validly signed forgeries cannot be had on this target (None when they can)."""
        name = self.ctx.credentials.endpoint.service
        service = self.ctx.target.services.get(name)
        if service is None:
            return f"the target has no {name}"
        if service.states_url is None:
            return (
                "only the issuer can sign this token, and the target's auth service has no provider-state "
                "hook to ask it (a live target)"
            )
        return None

    def mint(
        self,
        subject: str,
        audience: str,
        *,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        key: str | None = None,
    ) -> str:
        """A token the issuer signed for `subject` and `audience`, with `claims` overriding its own."""
        reason = self.reason
        if reason is not None:
            raise Unavailable(reason)
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
        states_url = self.ctx.target.service(self.ctx.credentials.endpoint.service).states_url
        assert states_url is not None
        token = set_up_state(self.ctx, states_url, self.state, params).get(self.answer_key)
        if not isinstance(token, str) or not token:
            raise Unavailable(f"provider state {self.state!r} answered no {self.answer_key!r}")
        self.ctx.redactor.add(token)
        with self._lock:
            self._minted[cache_key] = token
        return token
