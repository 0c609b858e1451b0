"""One spec's fuzz run: a picklable description (`SpecJob`) and the run itself (`execute`).

The parent plans (which operations, which credentials, what staging-safe mode allows) and describes the
run as a `SpecJob` of plain data; `execute` carries it out with what the process it runs in provides
(`Wiring`): the request guard, a way to get a genuine token for an operation, a redactor, a progress
sink and, in the parent only, the service's ASGI app. The same function runs a spec in the gate's own
process (in-process or over HTTP) and in a worker process (over HTTP, with the parent's guard and tokens
reached through `providers.fuzz.broker`), so a spec's results do not depend on where it ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.core.errors import LoaderError
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.core import EventStream
from schemathesis.engine.run import TESTING_PHASES
from schemathesis.schemas import BaseSchema

from contracts import SpecFile
from providers.contract import operations_of
from providers.errors import ContractError, TargetUnreachable
from providers.fuzz import settings as fuzz_settings
from providers.fuzz.auth import Placement, install
from providers.fuzz.boundaries import with_boundaries
from providers.fuzz.fatal import Fatal
from providers.fuzz.gateway import Gateway, Slots, path_matcher
from providers.fuzz.outcomes import SUITE, Outcomes
from providers.fuzz.seeded import no_local_constants
from providers.fuzz.settings import FuzzSettings
from providers.http import Limits
from providers.redact import Redactor
from providers.results import Result
from providers.suite import Emit, Progress
from providers.target import ServiceTarget

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SpecJob:
    """Everything one spec's run needs, as plain data: it may be carried out in another process."""

    #: Position of the spec in the run, which orders the merged results.
    index: int
    spec: SpecFile
    #: The service, without its ASGI app (a worker reaches it over HTTP).
    service: ServiceTarget
    #: Labels of the operations to fuzz, in spec order ("GET /things").
    operations: tuple[str, ...]
    #: Operation label → where its credential goes; absent for a public operation.
    placements: Mapping[str, Placement]
    #: Operations staging-safe mode allows to be sent ("POST /things"); None off a live target.
    sendable: frozenset[str] | None
    live: bool
    settings: FuzzSettings
    seed: int
    max_examples: int
    limits: Limits
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Wiring:
    """What the process a job runs in provides."""

    guard: Slots
    #: Operation label → the value of a genuine (fresh) token for it.
    token: Callable[[str], str]
    redactor: Redactor
    emit: Emit
    #: The service's ASGI app, to call it in-process; None sends everything over HTTP.
    app: Any | None = None


def _staging_rules(job: SpecJob) -> Callable[[str, str], str | None]:
    """Why a request may not leave the process on a live target (None when it may)."""
    sendable = job.sendable
    match = path_matcher((op.method, op.path) for op in operations_of(job.spec))

    def permits(method: str, path: str) -> str | None:
        if sendable is None or method.upper() in SAFE_METHODS:
            return None
        operation = match(method, path)
        if operation is None:
            return "no operation of the spec matches it"
        return None if operation in sendable else f"{operation} is not read-only"

    return permits


def _without(schema: BaseSchema, job: SpecJob) -> BaseSchema:
    """`schema` without the operations the plan skipped.

    An exclusion naming exactly the skipped (method, path) pairs, nothing wider: an inclusion would be an
    alternative to the include-all filter a config file's `[[operations]]` brings, and Schemathesis asks
    the exclusions about every request it would send, undeclared methods included (an `OPTIONS` or a
    `TRACE` on a declared path, as a nameless operation); a filter that excluded whatever it does not
    know would silently drop those probes, and with them the `unsupported_method` and
    `allow_header_conformance` checks.
    """
    kept = set(job.operations)
    skipped = {(op.method.upper(), op.path) for op in operations_of(job.spec) if op.label not in kept}
    if not skipped:
        return schema
    return schema.exclude(
        func=lambda candidate: (candidate.operation.method.upper(), candidate.operation.path) in skipped
    )


def execute(job: SpecJob, wiring: Wiring) -> list[Result]:
    """Fuzz the job's operations; their results (one per operation × check). Raises what stops a run."""
    spec, service = job.spec, job.service
    config = fuzz_settings.apply_gate_rules(
        fuzz_settings.load(job.settings),
        job.settings,
        seed=job.seed,
        max_examples=job.max_examples,
        timeout=job.limits.timeout,
        live=job.live,
    )
    try:
        # A copy (Schemathesis rewrites the document in place; the loaded spec is shared by every suite)
        # whose request schemas offer the boundary values every run must try.
        loaded = schemathesis.openapi.from_dict(with_boundaries(spec.document), config=config)
    except LoaderError as exc:
        raise ContractError(f"{spec.path}: Schemathesis cannot load it: {exc}") from None
    schema = _without(loaded, job)
    # Requests go to the gateway, which knows the target's real address; nothing else may be dialled.
    schema.config.base_url = None
    fatal = Fatal()
    gateway = Gateway(service, wiring.guard, fatal, app=wiring.app, permits=_staging_rules(job))
    schema.app = gateway
    install(schema, job.placements, wiring.token, fatal)

    details = dict(job.details)
    outcomes = Outcomes(
        spec=spec.name,
        service=spec.service,
        base_url=service.base_url.rstrip("/"),
        redactor=wiring.redactor,
        details=details,
    )
    emit, total = wiring.emit, len(job.operations)
    mode = "in-process" if wiring.app is not None else "HTTP"
    emit(Progress(SUITE, f"{spec.name}: {total} operations, {mode}, seed {job.seed}"))
    started = time.monotonic()
    with no_local_constants():
        _drive(job, wiring, from_schema(schema).execute(), outcomes, fatal, gateway)
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
    emit(Progress(SUITE, f"{spec.name}: {outcomes.cases} cases in {elapsed:.1f}s"))
    return list(outcomes.results(list(job.operations)))


def _drive(
    job: SpecJob, wiring: Wiring, stream: EventStream, outcomes: Outcomes, fatal: Fatal, gateway: Gateway
) -> None:
    """Consume the engine's events: results, progress, and a stop when the run must end."""
    spec, emit, total = job.spec, wiring.emit, len(job.operations)
    try:
        done = 0
        for event in stream:
            outcomes.on_event(event)
            if fatal.error is not None:
                stream.stop()
            if isinstance(event, events.PhaseStarted) and event.phase.name in TESTING_PHASES:
                done = 0
                emit(Progress(SUITE, f"{spec.name}: {event.phase.name.value} phase"))
            elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
                done += 1
                emit(Progress(SUITE, f"{spec.name}: {event.label}", done, total))
            elif isinstance(event, events.EngineFinished) and fatal.error is None:
                if event.stop_reason == StopReason.SERVER_UNAVAILABLE:
                    fatal.record(TargetUnreachable(job.service.base_url, "stopped answering during fuzzing"))
    finally:
        gateway.close()
