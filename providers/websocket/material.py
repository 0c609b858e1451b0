"""What the websocket suite needs from the target besides the socket: settings, tokens and runs.

Tokens are genuine, from the target's own token endpoint (`ctx.tokens`), for the audience the
handshake declares (`x-handshake.audiences`). A wrong-audience token is a genuine token of the same
kind for another audience the OpenAPI documents declare (`x-audiences` of their security schemes).
Expired and short-lived tokens cannot be had from a live auth service: they come from the auth
service's provider-state hook when the target has one (states "an expired access token exists" and
"a signed token" with `claims: {exp}`), and the checks that need them are skipped otherwise.

A run to subscribe to must belong to the suite's account. In order of preference: the configured
`run_id` (`[suite.websocket] run_id`, for live targets: any run of that account, finished or not,
since a subscription replays a run's events from the first); otherwise the WebSocket service's
provider-state hook (state "a run is in progress", which starts a run of the given user through the
backend's public API and answers its `run_id`); otherwise none, and the checks that need one are
skipped. The state names and answer keys are settings, defaulting to the reference stubs'.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from providers.errors import ContractError
from providers.settings import parse
from providers.suite import RunContext
from providers.websocket.contract import WsContract

MAX_CONNECTIONS = 50


class SetupFailed(Exception):
    """The suite could not prepare what a check needs (a provider state failed): the check errs."""


@dataclass(frozen=True)
class Settings:
    """`[suite.websocket]` settings; every wait of the suite is bounded by one of these."""

    #: The account (of `Credentials`) whose tokens the suite uses.
    account: str = "member"
    #: A run of that account to subscribe to (live targets); without it, a provider state makes one.
    run_id: str | None = None
    #: The AsyncAPI channel to test when the document has several.
    channel: str | None = None
    #: Run only these checks (names as in the results); None = all.
    checks: tuple[str, ...] | None = None
    open_timeout: float = 10.0
    #: How long to wait for a reply, a first message or a close.
    reply_timeout: float = 5.0
    #: How long a subscribed run may take to reach its final event.
    run_timeout: float = 30.0
    #: Outer bound of one check, whatever it waits for.
    check_timeout: float = 120.0
    #: Lifetime of the token of the expiry check (seconds), and how late its close may come.
    token_lifetime: float = 3.0
    expiry_grace: float = 2.0
    #: A heartbeat may come this fraction of the interval late, plus `heartbeat_slack` seconds.
    heartbeat_tolerance: float = 0.5
    heartbeat_slack: float = 0.25
    #: Skip the heartbeat check when observing two heartbeats would take longer than this.
    max_heartbeat_wait: float = 60.0
    #: Used when the first message announces no interval / frame limit.
    heartbeat_interval: float | None = None
    max_frame_bytes: int | None = None
    #: Concurrent connections of the concurrency check (capped at MAX_CONNECTIONS); None = 20, 5 live.
    connections: int | None = None
    #: Provider states (stub targets): names and the key of the answer that holds the value.
    run_state: str = "a run is in progress"
    run_state_key: str = "run_id"
    expired_state: str = "an expired access token exists"
    signed_state: str = "a signed token"
    state_token_key: str = "access_token"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.websocket]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, options, "suite.websocket")

    def concurrency(self, live: bool) -> int:
        wanted = self.connections if self.connections is not None else (5 if live else 20)
        return max(1, min(int(wanted), MAX_CONNECTIONS))


def garbage_token() -> str:
    """Shaped like a JWT, signed by nobody."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "RS256", "typ": "at+jwt", "kid": "contractgate"}).encode())
    claims = part(json.dumps({"sub": "contractgate-garbage"}).encode())
    return f"{header}.{claims}.{part(b'not-a-signature')}"


def expiry_of(token: str) -> float | None:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return float(exp) if isinstance(exp, int | float) else None


class Material:
    """Tokens and runs for the checks, fetched lazily (synchronous HTTP, run off the event loop)."""

    def __init__(self, ctx: RunContext, contract: WsContract, settings: Settings) -> None:
        self.ctx = ctx
        self.contract = contract
        self.settings = settings
        handshake = contract.handshake
        if not handshake.audiences:
            raise ContractError("AsyncAPI: x-handshake names no audience for the handshake token")
        self.audience = handshake.audiences[0]
        self.kind = handshake.token_kind

    @property
    def username(self) -> str:
        return self.ctx.credentials.user(self.settings.account).username

    def _token(self, audience: str) -> str | None:
        if self.kind == "user":
            return self.ctx.tokens.user(self.settings.account, audience).value
        token = self.ctx.tokens.service(audience)
        return token.value if token is not None else None

    async def token(self) -> str:
        """A genuine token the handshake must accept."""
        token = await asyncio.to_thread(self._token, self.audience)
        if token is None:
            raise SetupFailed(f"no configured client may get a {self.kind} token for {self.audience!r}")
        return token

    def label(self, audience: str | None = None) -> str:
        who = self.settings.account if self.kind == "user" else "service"
        return f"{self.kind} token ({who}, aud={audience or self.audience})"

    def other_audience(self) -> str | None:
        """An audience of the same token kind that the handshake does not accept."""
        for spec in self.ctx.specs:
            schemes = spec.document.get("components", {}).get("securitySchemes", {}) or {}
            for scheme in schemes.values():
                if not isinstance(scheme, dict) or scheme.get("x-token-kind") != self.kind:
                    continue
                for audience in scheme.get("x-audiences") or ():
                    if str(audience) not in self.contract.handshake.audiences:
                        return str(audience)
        return None

    async def wrong_audience_token(self) -> tuple[str, str] | None:
        audience = self.other_audience()
        if audience is None:
            return None
        token = await asyncio.to_thread(self._token, audience)
        return (token, audience) if token is not None else None

    # -- provider states --------------------------------------------------------------------------
    def _auth_states_url(self) -> str | None:
        name = self.ctx.credentials.endpoint.service
        return self.ctx.target.service(name).states_url if self.ctx.target.has(name) else None

    def _ws_states_url(self) -> str | None:
        return self.ctx.target.service(self.contract.service).states_url

    def _state(self, url: str, state: str, params: dict[str, Any], key: str) -> str:
        response = self.ctx.http.request(
            "POST", url, json={"state": state, "params": params, "action": "setup"}
        )
        if response.status_code != 200:
            raise SetupFailed(
                f"provider state {state!r} at {url} answered HTTP {response.status_code}: "
                f"{self.ctx.redactor.text(response.text[:300])}"
            )
        try:
            value = response.json()[key]
        except (ValueError, KeyError, TypeError):
            raise SetupFailed(f"provider state {state!r} at {url} answered no {key!r}") from None
        if key == self.settings.state_token_key:
            self.ctx.redactor.add(str(value))
        return str(value)

    async def expired_token(self) -> str | None:
        """A genuinely signed token whose `exp` is past, or None when the target has no state hook."""
        url = self._auth_states_url()
        if url is None or self.kind != "user":
            return None
        params = {"user": self.username, "audience": self.audience}
        return await asyncio.to_thread(
            self._state, url, self.settings.expired_state, params, self.settings.state_token_key
        )

    async def short_lived_token(self) -> tuple[str, float] | None:
        """A token expiring `token_lifetime` seconds from now (and its `exp`), or None (no hook)."""
        url = self._auth_states_url()
        if url is None or self.kind != "user":
            return None
        exp = math.ceil(time.time() + self.settings.token_lifetime)
        params = {"subject": self.username, "audience": self.audience, "claims": {"exp": exp}}
        token = await asyncio.to_thread(
            self._state, url, self.settings.signed_state, params, self.settings.state_token_key
        )
        return token, expiry_of(token) or float(exp)

    async def runs(self, count: int) -> list[str]:
        """Up to `count` distinct runs of the account (one when configured; none without a hook)."""
        if self.settings.run_id:
            return [self.settings.run_id]
        url = self._ws_states_url()
        if url is None:
            return []
        params = {"user": self.username}
        return [
            await asyncio.to_thread(
                self._state, url, self.settings.run_state, params, self.settings.run_state_key
            )
            for _ in range(count)
        ]
