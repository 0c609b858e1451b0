"""What the websocket suite needs from the target besides the socket: settings, tokens and runs.

Tokens are genuine, from the target's own issuer (`ctx.tokens`), for the audience the handshake
declares (`x-handshake.audiences`). A wrong-audience token is a genuine token of the same kind for
another audience the OpenAPI documents declare (`x-audiences` of their security schemes). Expired and
short-lived tokens come from the key holder (`providers.keyholder`: the issuer's signing key, or its
provider-state hook), and the checks that need them are skipped otherwise, naming both.

A resource to subscribe to (the `subscribe` message's field, `x-message-fields.subscribe`) must belong
to the suite's account. In order of preference: the configured one (`[suite.websocket] resource_id`,
for live targets); otherwise the provider state the platform manifest names for that field
(`resources`), set up through the WebSocket service's hook; otherwise none, and the checks that need
one are skipped.
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

from providers.keyholder import KeyHolder
from providers.platform import Resource
from providers.requests import set_up_state
from providers.results import Skip
from providers.settings import parse
from providers.suite import RunContext
from providers.websocket.contract import WsContract

MAX_CONNECTIONS = 50


class SetupFailed(Exception):
    """The suite could not prepare what a check needs (a provider state failed): the check errs."""


@dataclass(frozen=True)
class Settings:
    """`[suite.websocket]` settings; every wait of the suite is bounded by one of these."""

    #: The account (of `Credentials`) whose tokens the suite uses (default: the manifest's `primary`).
    account: str | None = None
    #: A resource of that account to subscribe to (live targets); without it, a provider state makes one.
    resource_id: str | None = None
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
        self.audience = handshake.audiences[0]
        self.kind = handshake.token_kind

    @property
    def username(self) -> str:
        return self.ctx.credentials.user(self.settings.account).username

    @property
    def account(self) -> str:
        return self.ctx.credentials.user(self.settings.account).name

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
        who = (self.settings.account or "primary account") if self.kind == "user" else "service"
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

    # -- what only the key holder or a provider state gives ------------------------------------------
    def _mint(self, claims: dict[str, Any]) -> str | None:
        holder = KeyHolder(self.ctx)
        if holder.reason is not None or self.kind != "user":
            return None
        template = self.ctx.tokens.user(self.settings.account, self.audience)
        return holder.mint(self.username, self.audience, claims=claims, template=template)

    async def expired_token(self) -> str | None:
        """A validly signed token whose `exp` is past, or None without a key holder."""
        now = int(time.time())
        claims = {"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}
        try:
            return await asyncio.to_thread(self._mint, claims)
        except Skip as exc:
            raise SetupFailed(str(exc)) from None

    async def short_lived_token(self) -> tuple[str, float] | None:
        """A token expiring `token_lifetime` seconds from now (and its `exp`), or None without a key holder."""
        exp = math.ceil(time.time() + self.settings.token_lifetime)
        try:
            token = await asyncio.to_thread(self._mint, {"exp": exp})
        except Skip as exc:
            raise SetupFailed(str(exc)) from None
        return (token, expiry_of(token) or float(exp)) if token is not None else None

    def resource(self) -> Resource | None:
        """The manifest's resource the `subscribe` message names (its field's last pointer segment)."""
        field = self.contract.field("subscribe", "run")
        name = field.rsplit("/", 1)[-1] if field else None
        return self.ctx.platform.resources.get(name) if name else None

    def no_resource_reason(self) -> str:
        resource = self.resource()
        if resource is None:
            return (
                "no resource to subscribe to: set [suite.websocket] resource_id, or name the provider state "
                "creating one in platform.yaml resources"
            )
        return (
            f"no resource to subscribe to: set [suite.websocket] resource_id, or give {self.contract.service} "
            f"a provider-state hook with the state {resource.state!r}"
        )

    async def runs(self, count: int) -> list[str]:
        """Up to `count` distinct resources of the account (one when configured; none without a hook)."""
        if self.settings.resource_id:
            return [self.settings.resource_id]
        url = self.ctx.target.service(self.contract.service).states_url
        resource = self.resource()
        if url is None or resource is None:
            return []
        params = {self.ctx.platform.hook.account_param: self.username}

        def one() -> str:
            try:
                value = set_up_state(self.ctx, url, resource.state, params).get(resource.value)
            except Skip as exc:
                raise SetupFailed(str(exc)) from None
            if value is None:
                raise SetupFailed(f"provider state {resource.state!r} answered no {resource.value!r}")
            return str(value)

        return [await asyncio.to_thread(one) for _ in range(count)]
