"""The header checks, one function each: an answer of an operation judged against the contract and the RFCs.

A check returns what it observed when the answer honours the rule, raises `Finding` when it does not
and `Skip` when the contract asks nothing of this answer (a Sunset nobody declared and nobody sent) —
a skip, never a pass.

| check                  | holds every answer of a … to
|------------------------|-----
| deprecation-header     | deprecated operation: `Deprecation` (RFC 9745) is a date `@<epoch>`, not in the future
| sunset-header          | deprecated operation: `Sunset` (RFC 8594), when declared or sent, is an IMF-fixdate in the
|                        | future and after the deprecation date
| successor-link         | deprecated operation: `Link` with `rel="successor-version"`, when declared or sent, leads to a
|                        | current operation of the same service (a template of a non-deprecated document)
| no-deprecation-headers | current operation: neither `Deprecation` nor `Sunset`

`Deprecation` is required of every deprecated operation's answer whether or not the response declares
it: it is what `deprecated: true` means on the wire. `Sunset` and `Link` are required where the
response declares them `required: true` and validated wherever they are sent. `skew` is the clock
difference tolerated between the gate and the target when comparing dates with "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from providers.checks import Basis, register
from providers.results import Finding, Skip
from providers.target import ServiceTarget
from providers.versioning.lifecycle import Lifecycle, Versioned, declared_headers
from providers.versioning.rfc import iso, parse_http_date, parse_links, parse_sf_date


@dataclass(frozen=True)
class Answer:
    """What one probe got back, with what the judgement needs."""

    versioned: Versioned
    response: httpx.Response
    request_url: str
    service: ServiceTarget
    lifecycle: Lifecycle
    now: float
    skew: float

    @property
    def status(self) -> int:
        return self.response.status_code

    def values(self, name: str) -> list[str]:
        return self.response.headers.get_list(name)

    def declared(self, name: str) -> bool | None:
        """None: not declared for this answer; else whether it is declared required."""
        headers, _ = declared_headers(self.versioned, self.status)
        return headers.get(name)

    def where(self) -> str:
        return f"the {self.status} answer"


CheckFunction = Callable[[Answer], str]


@dataclass(frozen=True)
class Check:
    name: str
    expectation: str
    run: CheckFunction


def _single(answer: Answer, name: str, check: str) -> str | None:
    values = answer.values(name)
    if not values:
        return None
    if len(values) > 1:
        raise Finding(f"{answer.where()} sent {len(values)}: {values}", expectation=f"one {name} header")
    return values[0]


def deprecation_header(answer: Answer) -> str:
    check = "deprecation-header"
    value = _single(answer, "Deprecation", check)
    if value is None:
        raise Finding(f"{answer.where()} has none", expectation="a Deprecation header")
    try:
        when = parse_sf_date(value)
    except ValueError as exc:
        raise Finding(
            f"Deprecation: {exc}", expectation="a structured-field date '@<epoch seconds>'"
        ) from None
    if when > answer.now + answer.skew:
        raise Finding(
            f"Deprecation: {value} ({iso(when)}) is in the future",
            expectation="a deprecation date in the past or present",
        )
    return f"{answer.where()}: Deprecation: {value} ({iso(when)})"


def sunset_header(answer: Answer) -> str:
    check = "sunset-header"
    value = _single(answer, "Sunset", check)
    declared = answer.declared("Sunset")
    if value is None:
        if declared:
            raise Finding(f"{answer.where()} has none", expectation="a Sunset header (declared required)")
        why = "declares it optional" if declared is False else "declares no Sunset"
        raise Skip(f"{answer.where()} sends no Sunset, and the contract {why}")
    try:
        sunset = parse_http_date(value)
    except ValueError as exc:
        raise Finding(f"Sunset: {exc}", expectation="an HTTP-date (IMF-fixdate)") from None
    if sunset <= answer.now - answer.skew:
        raise Finding(
            f"Sunset: {value} is in the past: the operation was due to be gone",
            expectation="a sunset date in the future",
        )
    deprecations = answer.values("Deprecation")
    deprecation = deprecations[0] if len(deprecations) == 1 else None
    if deprecation is not None:
        try:
            deprecated = parse_sf_date(deprecation)
        except ValueError:
            deprecated = None  # deprecation-header reports it
        if deprecated is not None and sunset <= deprecated:
            raise Finding(
                f"Sunset: {value} is not after Deprecation: {deprecation} ({iso(deprecated)})",
                expectation="a sunset date after the deprecation date",
            )
    days = (sunset - answer.now) / 86400
    return f"{answer.where()}: Sunset: {value} (in {days:.0f} days)"


def _service_path(answer: Answer, target: str) -> str:
    """The path, relative to the service's base URL, that a link target names; `Finding` otherwise."""
    resolved = urljoin(answer.request_url, target)
    parts, base = urlsplit(resolved), urlsplit(answer.service.base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
        base.path.rstrip("/") + "/"
    ):
        raise Finding(
            f"Link: <{target}> leads to {resolved}, outside the service",
            expectation=f"a successor served by {answer.service.name} ({answer.service.base_url})",
        )
    return parts.path[len(base.path.rstrip("/")) :]


def successor_link(answer: Answer) -> str:
    service = answer.versioned.spec.service
    try:
        links = parse_links(answer.values("Link"))
    except ValueError as exc:
        raise Finding(f"Link: {exc}", expectation="a Link header as RFC 8288 writes it") from None
    successors = [link for link in links if "successor-version" in link.rels]
    declared = answer.declared("Link")
    if not successors:
        sent = f"Link: {', '.join(answer.values('Link'))}" if links else "no Link"
        if declared:
            raise Finding(f"{answer.where()} has {sent}", expectation='a Link with rel="successor-version"')
        why = "declares it optional" if declared is False else "declares no Link"
        raise Skip(f"{answer.where()} has {sent}, and the contract {why}")
    found = []
    for link in successors:
        path = _service_path(answer, link.target)
        successor = answer.lifecycle.successor(service, path)
        if successor is None:
            current = ", ".join(s.name for s in answer.lifecycle.current_documents(service)) or "none"
            raise Finding(
                f"Link: <{link.target}> — {path} matches no current operation",
                expectation=f"a successor that is an operation of a current {service} document ({current})",
            )
        found.append(
            f"<{link.target}> → {', '.join(successor.operations)} "
            f"({successor.spec.name}, {successor.spec.version})"
        )
    return f"{answer.where()}: successor-version {'; '.join(found)}"


def no_deprecation_headers(answer: Answer) -> str:
    sent = [
        f"{name}: {', '.join(answer.values(name))}"
        for name in ("Deprecation", "Sunset")
        if answer.values(name)
    ]
    if sent:
        raise Finding(
            f"{answer.where()} sent {'; '.join(sent)}",
            expectation="no Deprecation or Sunset on a current operation",
        )
    return f"{answer.where()}: neither Deprecation nor Sunset"


DEPRECATED_CHECKS: tuple[Check, ...] = (
    Check(
        "deprecation-header",
        "Deprecation (RFC 9745): a date '@<epoch seconds>' in the past or present",
        deprecation_header,
    ),
    Check(
        "sunset-header",
        "Sunset (RFC 8594), where declared or sent: an HTTP-date in the future, after the deprecation date",
        sunset_header,
    ),
    Check(
        "successor-link",
        'Link rel="successor-version", where declared or sent: a current operation of the same service',
        successor_link,
    ),
)

CURRENT_CHECKS: tuple[Check, ...] = (
    Check(
        "no-deprecation-headers",
        "no Deprecation or Sunset header: the operation is current",
        no_deprecation_headers,
    ),
)

_BASES: dict[str, tuple[Basis, str]] = {
    "deprecation-header": (Basis.STANDARD, "RFC 9745 §2 (Deprecation); the operation's deprecated: true"),
    "sunset-header": (Basis.STANDARD, "RFC 8594 §3 (Sunset)"),
    "successor-link": (Basis.STANDARD, "RFC 5829 §3 (successor-version); RFC 8288 (Link)"),
    "no-deprecation-headers": (Basis.CONTRACT, "the operation is not deprecated in its document"),
}
for _check in (*DEPRECATED_CHECKS, *CURRENT_CHECKS):
    register("versioning", _check.name, *_BASES[_check.name], _check.expectation)
register(
    "versioning",
    "breaking-change",
    Basis.CONTRACT,
    "a published document of the same major version (compat's rules: `contractgate compat --rules`)",
    "no change breaks a client of the same major version",
)
register(
    "versioning",
    "old-consumer-pact",
    Basis.CONTRACT,
    "the old consumers' pacts",
    "the consumers of a deprecated version still verify against the current provider",
)
