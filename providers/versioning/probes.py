"""Probing operations for their deprecation headers: which requests, with which credentials, judged how.

Every operation of the target's specs is probed with requests its contract accepts, built by the
shared example-request builder (`providers.requests.RequestBuilder`: real resources of the account,
from the spec's links or provider states):

- a protected operation twice: *without a token* (the 401 is a cheap, safe error answer) and *with a
  genuine token* from `ctx.tokens` for its first satisfiable requirement (a fresh one for an operation
  that writes: a logout revokes the token it is given);
- a public operation once.

So both success and error answers are judged. A deprecated operation's answers go through
`checks.DEPRECATED_CHECKS`, a current operation's through `checks.CURRENT_CHECKS`; one `Result` per
check and probe, its operation naming the probe ("GET /v1/things (without a token)").

Positive control: a judgement needs a real answer of the operation. A target that does not answer
raises `TargetUnreachable` (the gate stops, exit 2); an answer that cannot be the operation's — a
server error the operation does not declare (a proxy's 502), or a 401 to a genuine token — makes the
probe's results errors, never passes. Operations the run may not send (writes on a live target that
its sandbox does not allow) and requests that cannot be built are skipped with the reason, which names
the setting. In a sandbox, write operations are probed with resources of their own, created through
the contract's links or the provider states the manifest declares (undone, or swept, when the run ends).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from providers.requests import (
    ExampleRequest,
    RequestBuilder,
    Unavailable,
    account_for,
    bearer,
    genuine_token,
    placeholder_request,
)
from providers.results import Finding, Result, Skip, Verdict
from providers.suite import RunContext
from providers.versioning.checks import CURRENT_CHECKS, DEPRECATED_CHECKS, Answer, Check
from providers.versioning.lifecycle import Lifecycle, Versioned, declared_response

SUITE = "versioning"


@dataclass
class Probe:
    versioned: Versioned
    #: "without a token", "with a user token (member, aud=backend)", "public".
    name: str
    request: ExampleRequest | None = None
    credential: Sequence[tuple[str, str]] = ()
    #: Sent with a genuine credential (a 401 then means the answer cannot be judged).
    genuine: bool = False
    #: Why this probe cannot be sent (a skip).
    skip: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def operation(self) -> str:
        return f"{self.versioned.label} ({self.name})"

    @property
    def checks(self) -> tuple[Check, ...]:
        return DEPRECATED_CHECKS if self.versioned.deprecated else CURRENT_CHECKS


def _credentialed(ctx: RunContext, builder: RequestBuilder, versioned: Versioned) -> Probe:
    op = versioned.operation
    reasons = []
    for requirement in op.requirements:
        owner = None
        if requirement.kind == "user":
            account = account_for(ctx, requirement, builder.default_owner)
            owner = account.name if account else None
        try:
            token = genuine_token(ctx, requirement, account=owner, fresh=not op.read_only)
            request = builder.build(op, owner=owner)
        except Unavailable as exc:
            reasons.append(str(exc))
            continue
        details = {"resources": dict(request.provenance)} if request.provenance else {}
        return Probe(
            versioned, f"with a {token.label}", request, bearer(token.value), genuine=True, details=details
        )
    return Probe(versioned, "with a genuine token", skip="; ".join(reasons) or "no requirement to satisfy")


def plan(ctx: RunContext, lifecycle: Lifecycle, builder: RequestBuilder) -> list[Probe]:
    """Every probe of every operation of the target's specs, requests built and tokens fetched."""
    probes: list[Probe] = []
    for versioned in lifecycle.operations:
        op = versioned.operation
        if not ctx.target.has(op.service):
            continue
        reason = ctx.why_not_send(op.method, op.path)
        if reason is not None:  # the probes it would have had, each a skip: coverage counts them all
            names = ("public",) if op.is_public else ("without a token", "with a genuine token")
            probes += [Probe(versioned, name, skip=reason) for name in names]
            continue
        if op.is_public:
            try:
                probes.append(Probe(versioned, "public", builder.build(op)))
            except Unavailable as exc:
                probes.append(Probe(versioned, "public", skip=f"no request can be built: {exc}"))
            continue
        credentialed = _credentialed(ctx, builder, versioned)
        anonymous = credentialed.request
        if anonymous is None:
            try:
                anonymous = placeholder_request(ctx, versioned.operation)
            except Unavailable as exc:
                probes.append(Probe(versioned, "without a token", skip=f"no request can be built: {exc}"))
        if anonymous is not None:
            resources = {"resources": dict(anonymous.provenance)} if anonymous.provenance else {}
            probes.append(Probe(versioned, "without a token", anonymous, details=resources))
        probes.append(credentialed)
    return probes


def _result(probe: Probe, check: Check, verdict: Verdict, observed: str, **extra: Any) -> Result:
    versioned = probe.versioned
    details = {
        "spec": versioned.spec.name,
        "api_version": versioned.spec.version,
        "deprecated": versioned.deprecated,
        "probe": probe.name,
        **probe.details,
        **extra.pop("details", {}),
    }
    return Result(
        suite=SUITE,
        service=versioned.spec.service,
        operation=probe.operation,
        check=check.name,
        expectation=check.expectation,
        observed=observed,
        verdict=verdict,
        details=details,
        **extra,
    )


def _control(probe: Probe, answer: Answer) -> str | None:
    """Why the answer cannot be judged as the operation's (positive control), or None."""
    status = answer.status
    declared = declared_response(probe.versioned, status) is not None
    if status >= 500 and not declared:
        return f"answered {status}, a server error the operation does not declare: not the operation's answer"
    if probe.genuine and status == 401:
        return "answered 401 to a genuine token: the target refused credentials its own token endpoint issued"
    return None


def judge(probe: Probe, answer: Answer, reproduction: str) -> Iterator[Result]:
    headers = {name: answer.values(name) for name in ("Deprecation", "Sunset", "Link") if answer.values(name)}
    details = {
        "status": answer.status,
        "status_declared": declared_response(probe.versioned, answer.status) is not None,
        "headers": headers,
    }
    problem = _control(probe, answer)
    for check in probe.checks:
        if problem is not None:
            yield _result(probe, check, Verdict.ERROR, problem, reproduction=reproduction, details=details)
            continue
        try:
            observed = check.run(answer)
        except Finding as finding:
            yield _result(
                probe,
                check,
                Verdict.FAIL,
                finding.observed,
                reproduction=reproduction,
                details={**details, "expected": finding.expectation},
            )
        except Skip as skip:
            yield _result(
                probe, check, Verdict.SKIPPED, str(skip), reproduction=reproduction, details=details
            )
        else:
            yield _result(probe, check, Verdict.PASS, observed, reproduction=reproduction, details=details)


def run_probes(
    ctx: RunContext, lifecycle: Lifecycle, probes: list[Probe], *, clock: Callable[[], float], skew: float
) -> Iterator[Result]:
    for probe in probes:
        if probe.skip is not None or probe.request is None:
            for check in probe.checks:
                yield _result(probe, check, Verdict.SKIPPED, f"not probed: {probe.skip}")
            continue
        request = probe.request
        reproduction = request.curl(ctx.redactor, probe.credential)
        # TargetUnreachable / BudgetExceeded propagate: the gate stops (exit 2), nothing is passed.
        response = request.send(ctx.http, probe.credential)
        service = ctx.target.service(probe.versioned.spec.service)
        answer = Answer(probe.versioned, response, request.url, service, lifecycle, clock(), skew)
        yield from judge(probe, answer, reproduction)
