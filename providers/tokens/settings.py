"""`[suite.tokens]` options: which attacks on which operations, and how far the suite may go.

What the platform is (its issuer, the claims worth tampering with, the provider states that sign
tokens or create resources) is the contracts' `platform.yaml`, not an option here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from providers.settings import parse


@dataclass(frozen=True)
class Settings:
    #: Run only these attacks: exact names, or a prefix before ":" ("alg-none" = all eight). None = all.
    attacks: tuple[str, ...] | None = None
    #: Attack only these operations ("GET /path/{id}", an operationId, or "ws /address"). None = every one.
    operations: tuple[str, ...] | None = None
    #: Attack the WebSocket handshake too.
    websocket: bool = True
    #: Probe the auth service's own behaviour (refresh reuse, revocation, throttling, enumeration).
    auth_checks: bool = True
    #: On a live target the throttling and enumeration probes fail logins on purpose: only when allowed.
    auth_probes_on_live: bool = False
    #: The account whose genuine tokens attacks start from, when an operation needs no role (default:
    #: the manifest's `primary`).
    account: str | None = None
    #: Where the attacker's jku/x5u server can be reached by the target (live targets); default loopback.
    attacker_host: str = "127.0.0.1"
    attacker_url: str | None = None
    #: The size an oversized token is padded to (bytes).
    oversized_bytes: int = 12288
    #: How far beyond `exp` (or before `nbf`) key-holder tokens are: beyond any sane leeway.
    time_margin: int = 86400
    #: Without a key holder, the `expired` attack waits out a genuine token whose remaining lifetime plus
    #: `expiry_leeway` is at most this many seconds (0: never wait).
    expiry_wait: float = 0.0
    #: How long past `exp` a waited-out token is sent: beyond the leeway a verifier may allow (RFC 7519
    #: §4.1.4 "some small leeway").
    expiry_leeway: float = 60.0
    #: Claims the tampered-claim attacks change, keeping the issuer's signature (default: the subject and
    #: the manifest's role, tenant and scope claims).
    tampered_claims: tuple[str, ...] | None = None
    #: A positive control refused right after the issuer's keys changed is retried once after this delay
    #: (resource servers rate-limit JWKS refetches).
    control_retry_delay: float = 1.5
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
