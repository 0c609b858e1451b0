"""The `cors` suite: the browser policy the contracts declare, held against every operation of the target.

For each operation of the target's specs it sends what a browser would: a preflight (`OPTIONS` with
`Origin`, `Access-Control-Request-Method` and the request headers the operation needs — `Authorization`
for a bearer-protected one, `Content-Type` for a JSON body, its required header parameters) from an
origin the policy allows; the same from a look-alike origin; and the request itself, without a
credential or a body (its answer — often a 401 — must carry the CORS headers too, or the page cannot
read the error), once from the allowed origin and once from an arbitrary one. What the browser would
make of each answer comes from `providers.cors.fetch`. Results per operation:

| check | holds the target to |
|---|---|
| preflight | the declared grant, exactly: the origin named, the requested method and headers granted, no undeclared method or header, credentials and max age as declared; nothing granted outside the policy |
| disallowed-origin | a look-alike of an allowed origin is not granted (`:prefix`, `:subdomain`, `:scheme`, `:null`, `:pattern-suffix` once per service) |
| pattern-origin:PATTERN | an origin a declared pattern matches is granted (once per service and pattern) |
| actual-request | the answer names the origin, with credentials and exposed headers as declared |
| reflected-origin | an arbitrary origin is never granted (no reflection, no `*` beside a list) |
| wildcard-credentials | no answer pairs `Access-Control-Allow-Origin: *` with credentials |
| vary-origin | where the grant depends on the origin, every answer carries `Vary: Origin` |

The WebSocket handshake's origin checks are in `providers.cors.handshake`. Requests are read-only
(`OPTIONS`, and the operation itself only where `ctx.may_send` allows it on a live target); what cannot
be sent is a counted skip. `[suite.cors]` takes `operations` (labels or operation ids), `websocket`
(false: no handshakes), `channel` and `handshake_timeout`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from providers.checks import Basis, register
from providers.contract import Operation, operations_of
from providers.cors.fetch import ALWAYS_GRANTABLE, CorsAnswer, cors_failure, preflight_failure
from providers.cors.handshake import WS_CHECKS, websocket_results
from providers.cors.policy import (
    ARBITRARY_ORIGIN,
    BrowserPolicy,
    Origins,
    ServicePolicy,
    browser_policy,
    pattern_example,
)
from providers.examples import resolve
from providers.requests import Unavailable, placeholder_request, takes_bearer
from providers.results import Result, Verdict
from providers.sandbox import staging_safe_reason
from providers.settings import parse
from providers.suite import Progress, RunContext

SUITE = "cors"
_POLICY = "platform.yaml browser.services"
_FETCH_CREDENTIALS = "Fetch §3.2.5 (CORS protocol and credentials)"

CHECKS: dict[str, tuple[Basis, str, str]] = {
    "preflight": (
        Basis.CONTRACT,
        f"{_POLICY}: origins, paths, methods, request_headers, credentials, max_age; read as the Fetch "
        "standard's CORS-preflight fetch reads a preflight",
        "a preflight from an allowed origin is granted exactly as declared; nothing outside the policy is",
    ),
    "disallowed-origin": (
        Basis.CONTRACT,
        f"{_POLICY}: origins and origin_patterns list every origin that may be granted",
        "a look-alike of an allowed origin gets no Access-Control-Allow-Origin naming it (nor *)",
    ),
    "pattern-origin": (
        Basis.CONTRACT,
        f"{_POLICY}: origin_patterns (`*` is one DNS label)",
        "an origin a declared pattern matches is granted",
    ),
    "actual-request": (
        Basis.CONTRACT,
        f"{_POLICY}: origins, credentials, expose_headers; Fetch §3.2.3 (HTTP responses)",
        "an answer to an allowed origin names it, with credentials and exposed headers as declared",
    ),
    "reflected-origin": (
        Basis.CONTRACT,
        f"{_POLICY}: origins; reflecting any Origin turns the allowlist off",
        "an arbitrary origin is never granted",
    ),
    "wildcard-credentials": (
        Basis.STANDARD,
        f"{_FETCH_CREDENTIALS}: Access-Control-Allow-Origin `*` cannot be used with credentials",
        "no answer pairs Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true",
    ),
    "vary-origin": (
        Basis.STANDARD,
        "Fetch, CORS protocol and HTTP caches: an answer whose Access-Control-Allow-Origin depends on the "
        "request's Origin (not * or one static origin) is to carry Vary: Origin",
        "answers whose grant depends on the origin carry Vary: Origin, so no cache serves one origin's answer to another",
    ),
}
for _name, (_basis, _cites, _summary) in {**CHECKS, **WS_CHECKS}.items():
    register(SUITE, _name, _basis, _cites, _summary)

OPERATION_CHECKS = (
    "preflight",
    "disallowed-origin",
    "actual-request",
    "reflected-origin",
    "wildcard-credentials",
    "vary-origin",
)
#: Fetch: the media types a `Content-Type` may name without a preflight granting the header.
_SAFELISTED_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


@dataclass(frozen=True)
class Settings:
    """`[suite.cors]` options."""

    operations: tuple[str, ...] | None = None
    websocket: bool = True
    channel: str | None = None
    handshake_timeout: float = 5.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.cors]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, options, "suite.cors")

    def wants(self, op: Operation) -> bool:
        return self.operations is None or op.label in self.operations or op.operation_id in self.operations


def requested_headers(ctx: RunContext, op: Operation) -> tuple[str, ...]:
    """The request headers a page sends with the operation that a preflight must grant."""
    document = next(spec.document for spec in ctx.specs if spec.name == op.spec)
    headers: list[str] = []
    if any(takes_bearer(document, r) for r in op.requirements):
        headers.append("authorization")
    body = resolve(document, op.document.get("requestBody") or {})
    content = list((body.get("content") or {}) if isinstance(body, Mapping) else {})
    if content and not all(c.split(";")[0].strip().lower() in _SAFELISTED_TYPES for c in content):
        headers.append("content-type")
    for raw in op.document.get("parameters", []) or []:
        parameter = resolve(document, raw)
        name = str(parameter.get("name", "")).lower()
        if parameter.get("in") == "header" and parameter.get("required") and name not in headers:
            headers.append(name)
    return tuple(headers)


def exactness(answer: CorsAnswer, policy: ServicePolicy) -> list[str]:
    """How a granted preflight goes beyond (or falls short of) the declaration."""
    problems = []
    extra_methods = [m for m in answer.allow_methods if m.upper() not in policy.methods]
    if extra_methods and "*" not in policy.methods:
        problems.append(f"grants undeclared method(s) {', '.join(extra_methods)}")
    declared = {h.lower() for h in policy.request_headers} | ALWAYS_GRANTABLE
    extra_headers = [h for h in answer.allow_headers if h not in declared]
    if extra_headers and "*" not in declared:
        problems.append(f"grants undeclared header(s) {', '.join(extra_headers)}")
    if answer.credentialed != policy.credentials:
        problems.append(
            f"Access-Control-Allow-Credentials is {answer.allow_credentials or 'absent'}, declared {str(policy.credentials).lower()}"
        )
    if policy.max_age is not None and answer.max_age != str(policy.max_age):
        problems.append(f"Access-Control-Max-Age is {answer.max_age or 'absent'}, declared {policy.max_age}")
    return problems


@dataclass(frozen=True)
class Seen:
    """One answer the suite got for an operation: what was asked, the answer, how to replay it."""

    what: str
    answer: CorsAnswer
    reproduction: str


class _Run:
    def __init__(self, ctx: RunContext, settings: Settings, policy: BrowserPolicy) -> None:
        self.ctx = ctx
        self.settings = settings
        self.policy = policy

    def result(
        self,
        op: Operation,
        check: str,
        expectation: str,
        verdict: Verdict,
        observed: str,
        repro: str | None = None,
        **details: Any,
    ) -> Result:
        return Result(
            SUITE,
            op.service,
            op.label,
            check,
            expectation,
            self.ctx.redactor.text(observed),
            verdict,
            repro,
            details,
        )

    def send(self, method: str, url: str, headers: Sequence[tuple[str, str]]) -> tuple[CorsAnswer, str]:
        response = self.ctx.http.request(method, url, headers=list(headers))
        return CorsAnswer.of(response), self.ctx.redactor.curl(method, url, dict(headers), None)

    def preflight(
        self, url: str, origin: str, method: str, requested: Sequence[str]
    ) -> tuple[CorsAnswer, str]:
        headers = [("Origin", origin), ("Access-Control-Request-Method", method)]
        if requested:
            headers.append(("Access-Control-Request-Headers", ",".join(requested)))
        return self.send("OPTIONS", url, headers)

    def exposed(self, op: Operation) -> ServicePolicy | None:
        policy = self.policy.services.get(op.service)
        return (
            policy
            if policy is not None and policy.covers(op.path) and policy.origins.representative()
            else None
        )

    # -- one operation -------------------------------------------------------------------------

    def operation(self, op: Operation) -> Iterator[Result]:
        try:
            request = placeholder_request(self.ctx, op)
        except Unavailable as exc:
            for check in OPERATION_CHECKS:
                yield self.result(
                    op, check, CHECKS[check][2], Verdict.SKIPPED, f"no request can be built: {exc}"
                )
            return
        policy = self.exposed(op)
        declared = self.policy.services.get(op.service)
        origins = declared.origins if declared is not None else Origins()
        origin = (
            (policy.origins.representative() if policy else None)
            or self.policy.frontend_origin()
            or ARBITRARY_ORIGIN
        )
        requested = requested_headers(self.ctx, op)
        seen: list[Seen] = []

        answer, repro = self.preflight(request.url, origin, op.method, requested)
        seen.append(Seen("the preflight", answer, repro))
        yield self.judge_preflight(op, policy, origin, requested, answer, repro)

        probe = None if origins.any else origins.disallowed_probes(origin).get("suffix")
        if probe is not None:
            lookalike, repro = self.preflight(request.url, probe, op.method, requested)
            seen.append(Seen(f"the preflight from {probe}", lookalike, repro))
            yield self.refused(op, "disallowed-origin", probe, lookalike, repro)

        implied = self.implied(op, policy)
        if implied and not self.ctx.may_send(op.method, op.path):
            why = f"{staging_safe_reason(op.method, op.path)}; only its preflights were sent"
            for check in implied:
                yield self.result(op, check, CHECKS[check][2], Verdict.SKIPPED, why)
        elif implied:
            yield from self.actual(op, policy, origin, request.method, request.url, seen, implied)
        yield self.wildcard(op, seen)

    def implied(self, op: Operation, policy: ServicePolicy | None) -> list[str]:
        """The checks of the request itself the declaration implies for the operation."""
        declared = self.policy.services.get(op.service)
        checks = []
        if policy is not None and policy.allows_method(op.method):
            checks.append("actual-request")
        if declared is None or not declared.origins.any:
            checks.append("reflected-origin")
            if policy is not None and not policy.origins.static:
                checks.append("vary-origin")
        return checks

    def judge_preflight(
        self,
        op: Operation,
        policy: ServicePolicy | None,
        origin: str,
        requested: Sequence[str],
        answer: CorsAnswer,
        repro: str,
    ) -> Result:
        asked = f"{op.method}{' with ' + ', '.join(requested) if requested else ''}"
        if policy is None:
            expectation = f"no grant for {origin}: the browser policy does not cover {op.service} {op.path}"
            granted = answer.grants(origin)
            problems = [f"Access-Control-Allow-Origin: {answer.allow_origin}"] if granted else []
        elif policy.allows_method(op.method) and policy.allows_headers(tuple(requested)):
            expectation = f"a preflight from {origin} for {asked} is granted exactly as declared"
            failure = preflight_failure(answer, origin, op.method, requested, policy.credentials)
            problems = ([failure] if failure else []) + exactness(answer, policy)
        else:
            expectation = (
                f"a preflight from {origin} for {asked} is not granted: the policy does not declare it"
            )
            granted = preflight_failure(answer, origin, op.method, requested, credentials=False) is None
            problems = ["a browser would send the request"] if granted else []
        verdict = Verdict.FAIL if problems else Verdict.PASS
        observed = answer.describe() + (f" — {'; '.join(problems)}" if problems else "")
        return self.result(
            op, "preflight", expectation, verdict, observed, repro, origin=origin, requested=list(requested)
        )

    def refused(self, op: Operation, check: str, probe: str, answer: CorsAnswer, repro: str) -> Result:
        expectation = f"no Access-Control-Allow-Origin granting {probe} (neither the origin nor *)"
        verdict = Verdict.FAIL if answer.grants(probe) else Verdict.PASS
        return self.result(op, check, expectation, verdict, answer.describe(), repro, origin=probe)

    def actual(
        self,
        op: Operation,
        policy: ServicePolicy | None,
        origin: str,
        method: str,
        url: str,
        seen: list[Seen],
        implied: list[str],
    ) -> Iterator[Result]:
        allowed, repro = self.send(method, url, [("Origin", origin)])
        to_allowed = Seen(f"the answer to {origin}", allowed, repro)
        seen.append(to_allowed)
        if policy is not None and "actual-request" in implied:
            problems = []
            failure = cors_failure(allowed, origin, policy.credentials)
            if failure is not None:
                problems.append(failure)
            if allowed.allow_origin == "*" and not policy.origins.any:
                problems.append("* although the policy lists its origins")
            if allowed.credentialed != policy.credentials:
                problems.append(
                    f"Access-Control-Allow-Credentials is {allowed.allow_credentials or 'absent'}"
                )
            wildcard = "*" in allowed.expose_headers and not policy.credentials
            missing = [
                h for h in policy.expose_headers if h.lower() not in allowed.expose_headers and not wildcard
            ]
            if missing:
                problems.append(f"Access-Control-Expose-Headers lacks {', '.join(missing)}")
            yield self.result(
                op,
                "actual-request",
                f"the answer to {origin} grants it, credentials {str(policy.credentials).lower()}, exposing "
                f"{', '.join(policy.expose_headers) or 'nothing'}",
                Verdict.FAIL if problems else Verdict.PASS,
                allowed.describe() + (f" — {'; '.join(problems)}" if problems else ""),
                repro,
            )
        if "reflected-origin" not in implied:
            return
        arbitrary, repro = self.send(method, url, [("Origin", ARBITRARY_ORIGIN)])
        to_arbitrary = Seen(f"the answer to {ARBITRARY_ORIGIN}", arbitrary, repro)
        seen.append(to_arbitrary)
        yield self.refused(op, "reflected-origin", ARBITRARY_ORIGIN, arbitrary, repro)
        if "vary-origin" in implied:
            lacking = [s for s in (to_allowed, to_arbitrary) if not s.answer.varies_on_origin]
            observed = "; ".join(
                f"{s.what}: Vary {', '.join(s.answer.vary) or '(none)'}" for s in (to_allowed, to_arbitrary)
            )
            yield self.result(
                op,
                "vary-origin",
                "Vary: Origin on the answers to an allowed and to an arbitrary origin (the grant depends on it)",
                Verdict.FAIL if lacking else Verdict.PASS,
                (f"no Vary: Origin on {' and '.join(s.what for s in lacking)} — " if lacking else "")
                + observed,
                lacking[0].reproduction if lacking else to_allowed.reproduction,
            )

    def wildcard(self, op: Operation, seen: list[Seen]) -> Result:
        bad = [s.what for s in seen if s.answer.allow_origin == "*" and s.answer.credentialed]
        observed = (
            f"Access-Control-Allow-Origin: * with credentials on {', '.join(bad)}"
            if bad
            else f"{len(seen)} answers, none pairs * with credentials"
        )
        return self.result(
            op,
            "wildcard-credentials",
            CHECKS["wildcard-credentials"][2],
            Verdict.FAIL if bad else Verdict.PASS,
            observed,
        )

    # -- once per service ----------------------------------------------------------------------

    def service(self, service: str, operations: list[Operation]) -> Iterator[Result]:
        policy = self.policy.services.get(service)
        if policy is None:
            return
        candidates = [op for op in operations if policy.covers(op.path) and policy.allows_method(op.method)]
        candidates.sort(key=lambda op: op.method != "GET")
        origin = policy.origins.representative()
        if not candidates or origin is None:
            return
        variants = {
            k: v
            for k, v in policy.origins.disallowed_probes(origin).items()
            if k not in ("suffix", "arbitrary")
        }
        op = candidates[0]
        try:
            request = placeholder_request(self.ctx, op)
        except Unavailable:
            return  # the operation's own results say why
        requested = requested_headers(self.ctx, op)
        if not policy.origins.any:
            for variant, probe in variants.items():
                answer, repro = self.preflight(request.url, probe, op.method, requested)
                yield self.refused(op, f"disallowed-origin:{variant}", probe, answer, repro)
        for pattern in policy.origins.patterns:
            probe = pattern_example(pattern)
            answer, repro = self.preflight(request.url, probe, op.method, requested)
            failure = preflight_failure(answer, probe, op.method, requested, policy.credentials)
            yield self.result(
                op,
                f"pattern-origin:{pattern}",
                f"a preflight from {probe} (matching {pattern}) is granted",
                Verdict.FAIL if failure else Verdict.PASS,
                answer.describe() + (f" — {failure}" if failure else ""),
                repro,
                origin=probe,
            )


#: The unit of work (`RunContext.share`) of the WebSocket handshake's origin checks.
WS_UNIT = "ws"


def _unit(op: Operation) -> str:
    return f"{op.service} {op.label}"


def _service_unit(service: str) -> str:
    return f"{service} origin probes"


def run(ctx: RunContext) -> Iterator[Result]:
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    policy = browser_policy(ctx.platform)
    by_service: dict[str, list[Operation]] = {}
    for spec in ctx.specs_in_target():
        for op in operations_of(spec):
            if settings.wants(op):
                by_service.setdefault(op.service, []).append(op)
    state = _Run(ctx, settings, policy)
    websocket = settings.websocket and ctx.asyncapi is not None
    # Units of work: each operation, each service's own origin probes, and the WebSocket handshake.
    share = ctx.share(
        SUITE,
        [_unit(op) for ops in by_service.values() for op in ops]
        + [_service_unit(service) for service in by_service]
        + ([WS_UNIT] if websocket else []),
    )
    total = sum(len(ops) for ops in by_service.values())
    done = 0
    for service, operations in by_service.items():
        if not policy.declared:
            why = f"{ctx.platform.where} declares no browser policy (browser.services, browser.websocket)"
            for op in share.each(operations, _unit):
                for check in OPERATION_CHECKS:
                    yield state.result(op, check, CHECKS[check][2], Verdict.SKIPPED, why)
            continue
        if share.owns(_service_unit(service)):
            with share.timed(_service_unit(service)):
                yield from state.service(service, operations)
        for op in share.each(operations, _unit):
            ctx.emit(Progress(SUITE, op.label, done=done, total=total))
            done += 1
            yield from state.operation(op)
    if websocket and share.owns(WS_UNIT):
        with share.timed(WS_UNIT):
            yield from websocket_results(ctx, policy, settings.channel, settings.handshake_timeout)
