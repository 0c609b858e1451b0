"""The reference platform's browser boundary, as its contracts declare it: CORS and the WebSocket origin.

The `browser` section of `contracts/platform.yaml` says which origins may call each service from a web
page (exact origins and `*`-for-one-DNS-label patterns), on which paths, with which methods and request
headers, which answer headers a page may read, whether credentials are allowed and how long a
preflight may be cached; and which origins the WebSocket accepts handshakes from. The stubs implement
it with Starlette's own `CORSMiddleware`, limited to the declared path prefixes, and with an Origin
check at the WebSocket handshake (a handshake without `Origin` comes from no browser and is not
judged here). The section is read from the contracts themselves (parsed once per process), so the stubs
and the `cors` suite can never disagree about what was declared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts import manifest

__all__ = ["cors", "websocket_origin_allowed", "WEBSOCKET_REFUSED_STATUS"]

#: What the handshake of a disallowed origin answers (RFC 6455 §10.2: 403).
WEBSOCKET_REFUSED_STATUS = 403


def _section() -> Mapping[str, Any]:
    found = manifest()
    return (found[1].get("browser") or {}) if found else {}


def pattern_regex(patterns: Sequence[str]) -> str | None:
    """One regular expression matching any of the `*` patterns (`*` stands for one DNS label)."""
    if not patterns:
        return None
    return "|".join(re.escape(p).replace(r"\*", "[A-Za-z0-9-]+") for p in patterns)


class PathScopedCORS:
    """Starlette's `CORSMiddleware` on the declared path prefixes; other paths answer without CORS."""

    def __init__(self, app: ASGIApp, /, *, paths: Sequence[str], **options: Any) -> None:
        self.app = app
        self.paths = tuple(paths)
        self.cors = CORSMiddleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exposed = scope["type"] == "http" and (not self.paths or str(scope["path"]).startswith(self.paths))
        await (self.cors if exposed else self.app)(scope, receive, send)


def cors(service: str) -> list[Middleware]:
    """The middleware implementing `service`'s declared browser policy (none when it declares none)."""
    policy = (_section().get("services") or {}).get(service)
    if not policy:
        return []
    return [
        Middleware(
            PathScopedCORS,
            paths=list(policy.get("paths") or []),
            allow_origins=list(policy.get("origins") or []),
            allow_origin_regex=pattern_regex(policy.get("origin_patterns") or []),
            allow_methods=list(policy.get("methods") or ["GET"]),
            allow_headers=list(policy.get("request_headers") or []),
            expose_headers=list(policy.get("expose_headers") or []),
            allow_credentials=bool(policy.get("credentials", False)),
            max_age=int(policy.get("max_age", 600)),
        )
    ]


def websocket_origin_allowed(origin: str | None) -> bool:
    """Whether a handshake with this `Origin` header may go on (no header: not a browser, so yes)."""
    if origin is None:
        return True
    policy = _section().get("websocket") or {}
    origins = list(policy.get("origins") or [])
    regex = pattern_regex(policy.get("origin_patterns") or [])
    return "*" in origins or origin in origins or bool(regex and re.fullmatch(regex, origin))
