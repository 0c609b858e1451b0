"""A target: the services under test, where they are, and how the gate may treat them.

One abstraction for the embedded stubs (in-process ASGI apps *and* loopback URLs, so fuzzing can go
in-process while pacts and WebSockets use real sockets) and for live environments (URLs only,
staging-safe by default). Service names are the ones the contracts use (`info.x-service`, pact
provider names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from providers.errors import ConfigError


@dataclass(frozen=True)
class ServiceTarget:
    name: str
    base_url: str
    #: The ASGI app, when the service runs in this process (embedded stubs).
    app: Any | None = None
    #: Where Pact provider states are set up; None when the target has no state hook.
    states_url: str | None = None

    @property
    def ws_url(self) -> str:
        parts = urlsplit(self.base_url)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


@dataclass(frozen=True)
class Target:
    name: str
    services: Mapping[str, ServiceTarget]
    #: A live environment: requests are capped (rate, budget, timeouts) and `safe` applies.
    live: bool = False
    #: On a live target, only read-only operations (and explicitly allowed writes) are sent.
    safe: bool = True
    #: Free-form facts for reports (e.g. which config file defined it).
    details: Mapping[str, Any] = field(default_factory=dict)

    def service(self, name: str) -> ServiceTarget:
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(sorted(self.services)) or "none"
            raise ConfigError(f"target {self.name!r} has no service {name!r} (it has: {known})") from None

    def has(self, name: str) -> bool:
        return name in self.services


def url_target(
    name: str, urls: Mapping[str, str], *, live: bool = True, safe: bool = True, states: str | None = None
) -> Target:
    """A target made of base URLs; `states` is the path of the provider-state hook its services expose."""
    services = {}
    for service, url in urls.items():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{service}: {url!r} is not an http(s) URL")
        base = url.rstrip("/")
        services[service] = ServiceTarget(service, base, states_url=base + states if states else None)
    return Target(name=name, services=services, live=live, safe=safe)
