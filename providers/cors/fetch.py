"""How a browser reads a CORS answer, after the Fetch standard: the CORS check and the CORS-preflight fetch.

The `cors` suite does not ask whether a server "has CORS": it asks what a browser would do with its
answer. `CorsAnswer` is the part of an answer the CORS protocol reads (Fetch §3.2.3, HTTP responses);
`cors_failure` is the CORS check (the `Access-Control-Allow-Origin` value is `*` or the request's
origin, `*` never serving a request with credentials, which then also needs
`Access-Control-Allow-Credentials: true` — §3.2.5); `preflight_failure` adds what a CORS-preflight fetch
requires: an ok status (2xx), the method granted (listed, or CORS-safelisted, or `*` without
credentials) and every non-safelisted request header granted (`Authorization` is never covered by `*`).
Each returns why the browser would refuse, or None when it would go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

#: Fetch: the CORS-safelisted methods, which a preflight need not list.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Fetch: request headers a page may send without a preflight granting them (`content-type` only with
#: a form or text value, so a JSON body always asks for it).
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language"})
#: Headers a preflight may list beyond the declared ones: those a browser never needs granted.
ALWAYS_GRANTABLE = SAFELISTED_HEADERS | {"content-type"}


def _items(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


@dataclass(frozen=True)
class CorsAnswer:
    status: int
    allow_origin: str | None
    allow_credentials: str | None
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: str | None
    vary: tuple[str, ...]

    @classmethod
    def of(cls, response: httpx.Response) -> CorsAnswer:
        headers = response.headers
        return cls(
            status=response.status_code,
            allow_origin=headers.get("access-control-allow-origin"),
            allow_credentials=headers.get("access-control-allow-credentials"),
            allow_methods=_items(headers.get("access-control-allow-methods")),
            allow_headers=tuple(h.lower() for h in _items(headers.get("access-control-allow-headers"))),
            expose_headers=tuple(h.lower() for h in _items(headers.get("access-control-expose-headers"))),
            max_age=headers.get("access-control-max-age"),
            vary=tuple(v.lower() for v in _items(", ".join(headers.get_list("vary")))),
        )

    @property
    def credentialed(self) -> bool:
        return self.allow_credentials == "true"

    def grants(self, origin: str) -> bool:
        """Whether `Access-Control-Allow-Origin` lets a page of `origin` read it (its own origin or `*`)."""
        return self.allow_origin in (origin, "*")

    @property
    def varies_on_origin(self) -> bool:
        return "origin" in self.vary or "*" in self.vary

    def describe(self) -> str:
        """The CORS headers of the answer, for a report."""
        parts = [f"HTTP {self.status}", f"Access-Control-Allow-Origin: {self.allow_origin or '(none)'}"]
        if self.allow_credentials is not None:
            parts.append(f"Access-Control-Allow-Credentials: {self.allow_credentials}")
        if self.allow_methods:
            parts.append(f"Access-Control-Allow-Methods: {', '.join(self.allow_methods)}")
        if self.allow_headers:
            parts.append(f"Access-Control-Allow-Headers: {', '.join(self.allow_headers)}")
        if self.expose_headers:
            parts.append(f"Access-Control-Expose-Headers: {', '.join(self.expose_headers)}")
        if self.max_age is not None:
            parts.append(f"Access-Control-Max-Age: {self.max_age}")
        parts.append(f"Vary: {', '.join(self.vary) or '(none)'}")
        return "; ".join(parts)


def cors_failure(answer: CorsAnswer, origin: str, credentials: bool) -> str | None:
    """Fetch's CORS check: why a browser would not let a page of `origin` read the answer, or None."""
    value = answer.allow_origin
    if value is None:
        return "no Access-Control-Allow-Origin"
    if value == "*":
        return "Access-Control-Allow-Origin is * for a request with credentials" if credentials else None
    if value != origin:
        return f"Access-Control-Allow-Origin names {value}, not {origin}"
    if credentials and not answer.credentialed:
        return "no Access-Control-Allow-Credentials: true for a request with credentials"
    return None


def preflight_failure(
    answer: CorsAnswer, origin: str, method: str, headers: Iterable[str], credentials: bool
) -> str | None:
    """Fetch's CORS-preflight fetch: why a browser would not send `method` with `headers`, or None."""
    if not 200 <= answer.status < 300:
        return f"the preflight answered HTTP {answer.status}, not an ok status"
    failure = cors_failure(answer, origin, credentials)
    if failure is not None:
        return failure
    methods = set(answer.allow_methods)
    wildcard_methods = "*" in methods and not credentials
    if method not in methods and method not in SAFELISTED_METHODS and not wildcard_methods:
        return f"Access-Control-Allow-Methods does not grant {method}"
    granted = set(answer.allow_headers)
    wildcard_headers = "*" in granted and not credentials
    for header in (h.lower() for h in headers):
        if header in SAFELISTED_HEADERS or header in granted:
            continue
        if wildcard_headers and header != "authorization":
            continue
        return f"Access-Control-Allow-Headers does not grant {header}"
    return None
