"""The browser policy a contracts folder declares (`browser` in platform.yaml), typed, and the probe origins.

    browser:
      services:
        SERVICE:
          origins: [https://app.example.com]      # exact origins; ["*"]: any (never with credentials)
          origin_patterns: ["https://*.preview.example.com"]   # `*` stands for one DNS label
          paths: [/v2/, /health]                  # path prefixes the policy covers (default: every path)
          methods: [GET, POST, DELETE]            # what a preflight may grant
          request_headers: [Authorization, Content-Type]
          expose_headers: [Location]              # answer headers a page may read
          credentials: true                       # Access-Control-Allow-Credentials
          max_age: 600                            # Access-Control-Max-Age (seconds), when declared
      websocket:                                  # the AsyncAPI channel's handshake
        origins: [https://app.example.com]
        origin_patterns: ["https://*.preview.example.com"]
        refused_status: 403                       # what a disallowed origin's handshake answers (default: any refusal)

A service the section does not name, and a path outside a policy's `paths`, serve no web page: no
origin may be granted there. Handshakes without an `Origin` header come from no browser and are not
judged. Probe origins are built from the declared ones: an arbitrary origin under `.invalid` (RFC 2606),
and look-alikes of an allowed origin (a suffix, a prefix, a subdomain, the other scheme, `null`) that
catch the usual matching mistakes (`startswith`, `endswith`, an unanchored regular expression).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from providers.errors import ContractError
from providers.platform import ManifestNode, Platform

#: An origin that no policy lists (RFC 2606 reserves `.invalid`).
ARBITRARY_ORIGIN = "https://contractgate-probe.invalid"
_PROBE_LABEL = "contractgate-probe"
_ORIGIN = re.compile(r"^https?://[^/?#\s]+$")


@dataclass(frozen=True)
class Origins:
    exact: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return "*" in self.exact

    @property
    def static(self) -> bool:
        """The answer cannot depend on the request's Origin: `*`, one fixed origin, or none at all."""
        return self.any or (len(self.exact) <= 1 and not self.patterns)

    def allows(self, origin: str) -> bool:
        if self.any or origin in self.exact:
            return True
        return any(re.fullmatch(_pattern_regex(p), origin) for p in self.patterns)

    def representative(self) -> str | None:
        """The origin the suite calls from: the first exact one, else one the first pattern matches."""
        exact = [o for o in self.exact if o != "*"]
        if exact:
            return exact[0]
        if self.patterns:
            return pattern_example(self.patterns[0])
        return ARBITRARY_ORIGIN if self.any else None

    def disallowed_probes(self, origin: str) -> dict[str, str]:
        """Look-alikes of `origin` (variant → origin) that the declaration does not allow."""
        scheme, _, host = origin.partition("://")
        other = "http" if scheme == "https" else "https"
        probes = {
            "suffix": f"{origin}.{_PROBE_LABEL}.invalid",
            "prefix": f"{scheme}://{_PROBE_LABEL}{host}",
            "subdomain": f"{scheme}://{_PROBE_LABEL}.{host}",
            "scheme": f"{other}://{host}",
            "null": "null",
            "arbitrary": ARBITRARY_ORIGIN,
        }
        for pattern in self.patterns:
            probes.setdefault("pattern-suffix", f"{pattern_example(pattern)}.{_PROBE_LABEL}.invalid")
        return {name: probe for name, probe in probes.items() if not self.allows(probe)}


def _pattern_regex(pattern: str) -> str:
    return re.escape(pattern).replace(r"\*", "[A-Za-z0-9-]+")


def pattern_example(pattern: str) -> str:
    return pattern.replace("*", _PROBE_LABEL)


@dataclass(frozen=True)
class ServicePolicy:
    service: str
    origins: Origins
    paths: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET",)
    request_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    credentials: bool = False
    max_age: int | None = None

    def covers(self, path: str) -> bool:
        return not self.paths or path.startswith(self.paths)

    def allows_method(self, method: str) -> bool:
        return "*" in self.methods or method.upper() in self.methods

    def allows_headers(self, headers: tuple[str, ...]) -> bool:
        declared = {h.lower() for h in self.request_headers}
        return "*" in declared or all(h.lower() in declared for h in headers)


@dataclass(frozen=True)
class WebSocketPolicy:
    origins: Origins
    refused_status: int | None = None


@dataclass(frozen=True)
class BrowserPolicy:
    #: Whether the contracts declare a browser policy at all (else every check is skipped with why).
    declared: bool = False
    services: Mapping[str, ServicePolicy] = field(default_factory=dict)
    websocket: WebSocketPolicy | None = None

    def frontend_origin(self) -> str | None:
        """An origin the contracts let call some service: what a page of the platform would send."""
        for policy in self.services.values():
            origin = policy.origins.representative()
            if origin is not None:
                return origin
        return self.websocket.origins.representative() if self.websocket else None


def _flag(node: ManifestNode, key: str, default: bool) -> bool:
    value = node.data.get(key, default)
    if not isinstance(value, bool):
        raise node.fail(key, "must be true or false")
    return value


def _number(node: ManifestNode, key: str) -> int | None:
    value = node.data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise node.fail(key, "must be a whole number of seconds, 0 or more")
    return value


def _origins(node: ManifestNode) -> Origins:
    exact, patterns = node.texts("origins"), node.texts("origin_patterns")
    for origin in exact:
        if origin != "*" and not _ORIGIN.match(origin):
            raise node.fail("origins", f"{origin!r} is not an origin (scheme://host[:port])")
    for pattern in patterns:
        if "*" not in pattern or not _ORIGIN.match(pattern_example(pattern)):
            raise node.fail("origin_patterns", f"{pattern!r} is not an origin with a `*` label")
    return Origins(exact, patterns)


def _service(name: str, node: ManifestNode) -> ServicePolicy:
    node.only(
        "origins",
        "origin_patterns",
        "paths",
        "methods",
        "request_headers",
        "expose_headers",
        "credentials",
        "max_age",
    )
    origins = _origins(node)
    credentials = _flag(node, "credentials", False)
    if origins.any and credentials:
        raise node.fail("credentials", "cannot be true with origins ['*'] (Fetch §3.2.5)")
    paths = node.texts("paths")
    if any(not p.startswith("/") for p in paths):
        raise node.fail("paths", "path prefixes start with /")
    return ServicePolicy(
        service=name,
        origins=origins,
        paths=paths,
        methods=tuple(m.upper() for m in node.texts("methods")) or ("GET",),
        request_headers=node.texts("request_headers"),
        expose_headers=node.texts("expose_headers"),
        credentials=credentials,
        max_age=_number(node, "max_age"),
    )


def browser_policy(platform: Platform) -> BrowserPolicy:
    """The `browser` section of the platform's manifest, typed; `ContractError` names file and key."""
    section = platform.section("browser")
    if not section:
        return BrowserPolicy()
    root = ManifestNode(section, platform.where, "browser")
    root.only("services", "websocket")
    services = {
        name: _service(name, node)
        for name, node in (
            root.node("services") or ManifestNode({}, platform.where, "browser.services")
        ).items()
    }
    websocket = None
    ws_node = root.node("websocket")
    if ws_node is not None:
        ws_node.only("origins", "origin_patterns", "refused_status")
        status = _number(ws_node, "refused_status")
        if status is not None and not 400 <= status <= 599:
            raise ws_node.fail("refused_status", "must be an HTTP error status")
        websocket = WebSocketPolicy(_origins(ws_node), status)
    if not services and websocket is None:
        raise ContractError(f"{platform.where}: browser: declare services and/or websocket")
    return BrowserPolicy(True, services, websocket)
