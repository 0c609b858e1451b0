"""The `fuzz` suite: Schemathesis over every operation of every spec of the target, authenticated.

For each OpenAPI document whose service the target has, Schemathesis' engine runs every phase
(examples, coverage, fuzzing, stateful) with positive and negative data and every check, each operation
authenticated with a genuine credential that satisfies its security requirement. Results come back one
per operation × check, seeded so that `--seed` reproduces a run.

    settings   the project's schemathesis.toml and the gate's rules on top
    auth       which credential each operation gets, as a Schemathesis auth provider
    gateway    the ASGI app every request goes through (guard, in-process or HTTP, staging-safe)
    outcomes   engine events → results with redacted reproductions
    fatal      the error that stops a run (target down, budget spent)

On a live target only operations `RunContext.may_send` allows are fuzzed (the others are reported
skipped), checks that would send undeclared methods are off, and the gateway refuses anything else.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import schemathesis
from schemathesis.core.errors import LoaderError
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.run import TESTING_PHASES
from schemathesis.schemas import BaseSchema

from contracts import SpecFile
from providers.contract import Operation, operations_of
from providers.errors import ContractError, TargetUnreachable
from providers.fuzz import settings as fuzz_settings
from providers.fuzz.auth import Credential, Unsatisfiable, credential_for, install
from providers.fuzz.boundaries import with_boundaries
from providers.fuzz.fatal import Fatal
from providers.fuzz.gateway import Gateway, path_matcher
from providers.fuzz.outcomes import ALL_CHECKS, SUITE, Outcomes
from providers.fuzz.settings import UNDECLARED_METHODS_CHECK, FuzzSettings
from providers.results import Result, Verdict
from providers.suite import Progress, RunContext
from providers.target import ServiceTarget

__all__ = ["run", "SUITE"]


def run(ctx: RunContext) -> Iterator[Result]:
    settings = FuzzSettings.from_suite(ctx.options.suites.get(SUITE, {}))
    seed = ctx.options.seed if ctx.options.seed is not None else random.SystemRandom().getrandbits(64)
    for spec in ctx.specs_in_target():
        yield from _run_spec(ctx, spec, ctx.target.service(spec.service), settings, seed)


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


def _plan(
    ctx: RunContext, spec: SpecFile, details: dict[str, Any]
) -> tuple[list[Operation], dict[str, Credential], list[Result]]:
    """The operations to fuzz with their credentials, and skipped results for the others."""
    schemes = spec.document.get("components", {}).get("securitySchemes", {}) or {}
    runnable: list[Operation] = []
    credentials: dict[str, Credential] = {}
    skipped: list[Result] = []
    for op in operations_of(spec):
        if not ctx.may_send(op.method, op.path):
            why = "live target: not read-only and not in allow_writes, so not sent"
            skipped.append(_skipped(ctx, op, ALL_CHECKS, why, details))
            continue
        credential = credential_for(ctx, op, schemes)
        if isinstance(credential, Unsatisfiable):
            skipped.append(_skipped(ctx, op, ALL_CHECKS, f"no credential: {credential.reason}", details))
            continue
        if credential is not None:
            credentials[op.label] = credential
        runnable.append(op)
    if ctx.target.live:
        why = "live target: would send methods the path does not declare"
        skipped += [_skipped(ctx, op, UNDECLARED_METHODS_CHECK, why, details) for op in runnable]
    return runnable, credentials, skipped


def _staging_rules(ctx: RunContext, spec: SpecFile) -> Callable[[str, str], str | None]:
    match = path_matcher((op.method, op.path) for op in operations_of(spec))

    def permits(method: str, path: str) -> str | None:
        if not ctx.target.live or method.upper() in ("GET", "HEAD", "OPTIONS"):
            return None
        operation = match(method, path)
        if operation is None:
            return "no operation of the spec matches it"
        op_method, _, op_path = operation.partition(" ")
        return None if ctx.may_send(op_method, op_path) else f"{operation} is not read-only"

    return permits


def _without(schema: BaseSchema, spec: SpecFile, runnable: list[Operation]) -> BaseSchema:
    """`schema` without the operations the plan skipped.

    An exclusion naming exactly the skipped (method, path) pairs, nothing wider: an inclusion would be an
    alternative to the include-all filter a config file's `[[operations]]` brings, and Schemathesis asks
    the exclusions about every request it would send, undeclared methods included (an `OPTIONS` or a
    `TRACE` on a declared path, as a nameless operation); a filter that excluded whatever it does not
    know would silently drop those probes, and with them the `unsupported_method` and
    `allow_header_conformance` checks.
    """
    kept = {(op.method.upper(), op.path) for op in runnable}
    skipped = {(op.method.upper(), op.path) for op in operations_of(spec)} - kept
    if not skipped:
        return schema
    return schema.exclude(
        func=lambda candidate: (candidate.operation.method.upper(), candidate.operation.path) in skipped
    )


def _run_spec(
    ctx: RunContext, spec: SpecFile, service: ServiceTarget, settings: FuzzSettings, seed: int
) -> Iterator[Result]:
    details: dict[str, Any] = {"seed": seed, "spec": spec.name}
    runnable, credentials, skipped = _plan(ctx, spec, details)
    yield from skipped
    if not runnable:
        return
    in_process = settings.in_process and service.app is not None
    config = fuzz_settings.apply_gate_rules(
        fuzz_settings.load(settings),
        settings,
        seed=seed,
        max_examples=ctx.options.max_examples,
        timeout=ctx.http.guard.limits.timeout,
        live=ctx.target.live,
    )
    try:
        # A copy (Schemathesis rewrites the document in place; the loaded spec is shared by every suite)
        # whose request schemas offer the boundary values every run must try.
        loaded = schemathesis.openapi.from_dict(with_boundaries(spec.document), config=config)
    except LoaderError as exc:
        raise ContractError(f"{spec.path}: Schemathesis cannot load it: {exc}") from None
    schema = _without(loaded, spec, runnable)
    # Requests go to the gateway, which knows the target's real address; nothing else may be dialled.
    schema.config.base_url = None
    fatal = Fatal()
    gateway = Gateway(
        service, ctx.http.guard, fatal, in_process=in_process, permits=_staging_rules(ctx, spec)
    )
    schema.app = gateway
    install(schema, credentials, fatal)

    outcomes = Outcomes(
        spec=spec.name,
        service=spec.service,
        base_url=service.base_url.rstrip("/"),
        redactor=ctx.redactor,
        details=details,
    )
    mode = "in-process" if in_process else "HTTP"
    ctx.emit(Progress(SUITE, f"{spec.name}: {len(runnable)} operations, {mode}, seed {seed}"))
    started = time.monotonic()
    stream = from_schema(schema).execute()
    try:
        done = 0
        for event in stream:
            outcomes.on_event(event)
            if fatal.error is not None:
                stream.stop()
            if isinstance(event, events.PhaseStarted) and event.phase.name in TESTING_PHASES:
                done = 0
                ctx.emit(Progress(SUITE, f"{spec.name}: {event.phase.name.value} phase"))
            elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
                done += 1
                ctx.emit(Progress(SUITE, f"{spec.name}: {event.label}", done, len(runnable)))
            elif isinstance(event, events.EngineFinished) and fatal.error is None:
                if event.stop_reason == StopReason.SERVER_UNAVAILABLE:
                    fatal.record(TargetUnreachable(service.base_url, "stopped answering during fuzzing"))
    finally:
        gateway.close()
    if fatal.error is not None:
        raise fatal.error
    elapsed = time.monotonic() - started
    details.update(
        {
            "phases": dict(outcomes.phases),
            "cases": outcomes.cases,
            "requests": gateway.sent,
            "seconds": round(elapsed, 2),
        }
    )
    ctx.emit(Progress(SUITE, f"{spec.name}: {outcomes.cases} cases in {elapsed:.1f}s"))
    yield from outcomes.results([op.label for op in runnable])
