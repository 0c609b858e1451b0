"""What a spec's fuzz run will do, decided in the gate's process: operations, credentials, skips.

Planning needs the run context (staging-safe rules, configured accounts, the token source), so it
happens where the context lives; its outcome is a `SpecJob` (plain data, which may run in another
process), the genuine credentials that answer the job's token requests, and a skipped result for every
operation or check the run will not exercise, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts import SpecFile
from providers.contract import Operation, operations_of
from providers.fuzz.auth import Credential, Unsatisfiable, credential_for
from providers.fuzz.job import SpecJob
from providers.fuzz.outcomes import ALL_CHECKS, EXPECTATIONS, SUITE
from providers.fuzz.settings import UNDECLARED_METHODS_CHECK, FuzzSettings
from providers.results import Result, Verdict
from providers.suite import RunContext
from providers.target import ServiceTarget


@dataclass
class Planned:
    job: SpecJob
    #: Operation label → its credential (protected operations only).
    credentials: dict[str, Credential]
    #: Results for what will not run, reported before the job's own.
    skipped: list[Result]

    def token(self, label: str) -> str:
        return self.credentials[label].token()


def implied_checks(settings: FuzzSettings) -> tuple[str, ...]:
    """The checks a fuzzed operation gets one result each of: an operation that is not fuzzed is as
    many skips, so that coverage counts the same checks whatever the target allows."""
    chosen = tuple(EXPECTATIONS) if "all" in settings.checks else settings.checks
    return tuple(check for check in chosen if check not in settings.exclude_checks)


def _skipped(ctx: RunContext, op: Operation, check: str, why: str, details: dict[str, Any]) -> Result:
    return Result(
        SUITE,
        op.service,
        op.label,
        check,
        expectation="the operation is fuzzed" if check == ALL_CHECKS else "the check runs",
        observed=ctx.redactor.text(why),
        verdict=Verdict.SKIPPED,
        details=dict(details),
    )


def plan(ctx: RunContext, index: int, spec: SpecFile, settings: FuzzSettings, seed: int) -> Planned:
    """The job fuzzing `spec` (the `index`-th spec of the run) with its credentials and skips."""
    details: dict[str, Any] = {"seed": seed, "spec": spec.name}
    schemes = spec.document.get("components", {}).get("securitySchemes", {}) or {}
    runnable: list[Operation] = []
    credentials: dict[str, Credential] = {}
    skipped: list[Result] = []
    for op in operations_of(spec):
        refused = ctx.why_not_send(op.method, op.path)
        if refused is not None:
            why = f"live target: {refused}"
            skipped += [_skipped(ctx, op, check, why, details) for check in implied_checks(settings)]
            continue
        credential = credential_for(ctx, op, schemes)
        if isinstance(credential, Unsatisfiable):
            why = f"no credential: {credential.reason}"
            skipped += [_skipped(ctx, op, check, why, details) for check in implied_checks(settings)]
            continue
        if credential is not None:
            credentials[op.label] = credential
        runnable.append(op)
    live = ctx.target.live
    if live:
        why = (
            "live target: would send methods the path does not declare, and any of them could write; "
            "judged only where nothing can be harmed (the embedded stubs: --target stubs)"
        )
        skipped += [_skipped(ctx, op, UNDECLARED_METHODS_CHECK, why, details) for op in runnable]
    service = ctx.target.service(spec.service)
    job = SpecJob(
        index=index,
        spec=spec,
        service=ServiceTarget(service.name, service.base_url),
        operations=tuple(op.label for op in runnable),
        placements={label: credential.placement for label, credential in credentials.items()},
        sendable=(
            frozenset(op.label for op in operations_of(spec) if ctx.may_send(op.method, op.path))
            if live
            else None
        ),
        live=live,
        settings=settings,
        seed=seed,
        max_examples=ctx.options.max_examples,
        limits=ctx.http.guard.limits,
        details=details,
    )
    return Planned(job, credentials, skipped)
