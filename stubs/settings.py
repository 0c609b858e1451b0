"""Typed settings of the three stubs: what a deployment would put in environment or config files.

The defaults are the reference platform's; tests shorten lifetimes and intervals instead of waiting.
`clock` is injectable so that expiry, grace periods and throttling windows are testable without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

Clock = Callable[[], float]

#: Builds the HTTP client one stub uses to call another (base URL → client). The default opens real
#: connections; in-process runs hand in a factory that routes through `httpx.ASGITransport`.
ClientFactory = Callable[[str], httpx.AsyncClient]

DEFAULT_ISSUER = "https://auth.contractgate.test"


@dataclass(frozen=True)
class AuthSettings:
    issuer: str = DEFAULT_ISSUER
    access_token_ttl: int = 900
    refresh_token_ttl: int = 14 * 24 * 3600
    service_token_ttl: int = 900
    #: How long the previous signing key stays in the JWKS (and valid) after a rotation.
    key_grace_seconds: int = 3600
    #: Audiences a user may ask a password grant for; the first is the default.
    user_audiences: tuple[str, ...] = ("backend", "websocket")
    throttle_max_failures: int = 5
    throttle_window_seconds: int = 300
    throttle_lockout_seconds: int = 60
    #: v1 is deprecated: the date it was deprecated and the date it goes away (epoch seconds).
    v1_deprecated_at: int = 1767225600  # 2026-01-01T00:00:00Z
    v1_sunset_at: int = 1830297600  # 2028-01-01T00:00:00Z
    clock: Clock = field(default=time.time, compare=False)


@dataclass(frozen=True)
class PeerSettings:
    """How a resource service (backend, websocket) reaches and trusts the auth service."""

    auth_url: str
    issuer: str = DEFAULT_ISSUER
    #: The service's own client credentials, for the revocation feed and the backend's internal API.
    client_id: str = ""
    client_secret: str = ""
    #: Minimum seconds between two JWKS refetches triggered by an unknown `kid`.
    jwks_refetch_interval: float = 1.0
    #: Allowed clock skew when checking `exp`, `nbf` and `iat`.
    leeway_seconds: int = 30
    #: How long a request waits for the revocation feed's first snapshot (afterwards, a service that
    #: lost the feed refuses at once with 503: it cannot know what was revoked meanwhile).
    feed_wait: float = 3.0
    #: Keep-alive pings on the feed: a silent auth service is noticed within about twice this.
    feed_ping_interval: float = 2.0
    client_factory: ClientFactory | None = field(default=None, compare=False)
    clock: Clock = field(default=time.time, compare=False)


@dataclass(frozen=True)
class BackendSettings:
    peer: PeerSettings
    audience: str = "backend"
    #: Where clients stream run events (`ws://host:port`); answered in a run's `stream_url`.
    websocket_url: str = ""
    #: Seconds between the simulated events of an agent run.
    run_event_interval: float = 0.2
    #: Number of output events a simulated run produces before it completes.
    run_output_events: int = 3
    v1_deprecated_at: int = 1767225600
    v1_sunset_at: int = 1830297600


@dataclass(frozen=True)
class WebSocketSettings:
    peer: PeerSettings
    backend_url: str
    audience: str = "websocket"
    heartbeat_interval: float = 15.0
    max_frame_bytes: int = 64 * 1024
    #: How long a disconnected session's buffer is kept for `resume`.
    session_ttl: float = 120.0
    #: How many server messages a session keeps for `resume`.
    session_buffer: int = 1000
    #: How often the service polls the backend's internal API for new run events.
    run_poll_interval: float = 0.05
