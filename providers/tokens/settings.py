"""`[suite.tokens]` settings: which attacks on which operations, and what the target offers to forge with.

Every name of the reference platform the suite uses is a default here (the provider states that mint
key-holder tokens and create resources, the claims worth tampering with), never a constant in the
checks: a team with other services overrides them in configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.keyholder import DEFAULT_KEY, DEFAULT_STATE
from providers.requests import DEFAULT_OWNER_PARAM, DEFAULT_RESOURCE_STATES
from providers.settings import parse


@dataclass(frozen=True)
class Settings:
    #: Run only these attacks: exact names, or a prefix before ":" ("alg-none" = all eight). None = all.
    attacks: tuple[str, ...] | None = None
    #: Attack only these operations ("GET /v2/threads", an operationId, or "ws /ws"). None = every one.
    operations: tuple[str, ...] | None = None
    #: Attack the WebSocket handshake too.
    websocket: bool = True
    #: Probe the auth service's own behaviour (refresh reuse, revocation, throttling, enumeration).
    auth_checks: bool = True
    #: On a live target the throttling and enumeration probes fail logins on purpose: only when allowed.
    auth_probes_on_live: bool = False
    #: The account whose genuine tokens attacks start from, when an operation needs no role.
    account: str = "member"
    #: The provider state (on the auth service) that signs a token with chosen claims — the key holder.
    signed_state: str = DEFAULT_STATE
    signed_state_key: str = DEFAULT_KEY
    #: Where the attacker's jku/x5u server can be reached by the target (live targets); default loopback.
    attacker_host: str = "127.0.0.1"
    attacker_url: str | None = None
    #: The size an oversized token is padded to (bytes).
    oversized_bytes: int = 12288
    #: How far beyond `exp` (or before `nbf`) key-holder tokens are: beyond any sane leeway.
    time_margin: int = 86400
    #: Claims the tampered-claim attacks change, keeping the issuer's signature.
    tampered_claims: tuple[str, ...] = ("sub", "roles", "tenant_id", "scope")
    #: A positive control refused right after the issuer's keys changed is retried once after this delay
    #: (resource servers rate-limit JWKS refetches).
    control_retry_delay: float = 1.5
    #: Path parameter → (provider state, answer key) that creates a resource of the owner.
    resource_states: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: dict(DEFAULT_RESOURCE_STATES)
    )
    owner_param: str = DEFAULT_OWNER_PARAM
    #: Failed logins sent before throttling must have engaged, and for which account: a made-up one by
    #: default (no real account is locked out); name a configured account where only real ones count.
    throttle_attempts: int = 12
    throttle_account: str | None = None
    #: The AsyncAPI channel to attack when the document has several.
    channel: str | None = None
    handshake_timeout: float = 5.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.tokens]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, options, "suite.tokens")

    def wants_operation(self, label: str, operation_id: str = "") -> bool:
        return self.operations is None or label in self.operations or operation_id in self.operations
