"""Each service's health operation, as the contracts declare it, and what it says of its dependencies.

`health` holds the declared operation to a 2xx answer whose status (the `status` JSON Pointer) is one
of the `healthy` values. `health-dependency:NAME` holds each dependency the declaration `expects` (or,
without `expects`, each one the answer reports) to be reported, with a healthy state — a service that
says it is up while its token issuer is down is not ready. The dependencies are judged from the answer
even when it is a 503: the answer of a degraded service says which dependency is down. A service of the
target whose health operation the contracts do not declare is a skip naming the key to add.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from providers.platform import pointer
from providers.readiness.calls import call_for
from providers.readiness.manifest import Health, Readiness
from providers.requests import RequestBuilder, Unavailable
from providers.results import Result, Verdict
from providers.suite import RunContext

SUITE = "readiness"


def _state(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def health_results(ctx: RunContext, declared: Readiness, builder: RequestBuilder) -> Iterator[Result]:
    for service in ctx.target.services:
        health = declared.health.get(service)
        if health is None:
            why = f"{ctx.platform.where} declares no health operation for {service} (readiness.health.{service})"
            yield Result(
                SUITE,
                service,
                "-",
                "health",
                "the service's health operation says it is ready",
                why,
                Verdict.SKIPPED,
            )
            continue
        yield from _one(ctx, health, builder)


def _one(ctx: RunContext, health: Health, builder: RequestBuilder) -> Iterator[Result]:
    expectation = f"HTTP 2xx with {health.status or 'a body'} one of {', '.join(health.healthy)}"
    where = f"{ctx.platform.where}: readiness.health.{health.service}"

    def result(
        check: str, expected: str, verdict: Verdict, observed: str, repro: str | None = None
    ) -> Result:
        return Result(
            SUITE, health.service, health.label, check, expected, ctx.redactor.text(observed), verdict, repro
        )

    try:
        call = call_for(ctx, builder, health.service, health.method, health.path, where=where)
    except Unavailable as exc:
        yield result("health", expectation, Verdict.SKIPPED, str(exc))
        for name in health.expects:
            yield result(f"health-dependency:{name}", f"{name} reported healthy", Verdict.SKIPPED, str(exc))
        return
    response = call.send(ctx)
    repro = call.curl(ctx)
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    state = pointer(body, health.status) if health.status else None
    ready = 200 <= response.status_code < 300 and (not health.status or state in health.healthy)
    said = f"HTTP {response.status_code}" + (f", {health.status} = {_state(state)}" if health.status else "")
    yield result("health", expectation, Verdict.PASS if ready else Verdict.FAIL, said, repro)
    if health.dependencies is None:
        return
    reported = pointer(body, health.dependencies)
    entries: Mapping[str, Any] = reported if isinstance(reported, Mapping) else {}
    for name in health.expects or tuple(entries):
        expected = f"{name} reported at {health.dependencies} as {' or '.join(health.healthy)}"
        if name not in entries:
            observed = f"{said}; {health.dependencies} does not report {name}"
            yield result(f"health-dependency:{name}", expected, Verdict.FAIL, observed, repro)
            continue
        entry = entries[name]
        value = pointer(entry, health.dependency_status) if health.dependency_status else entry
        verdict = Verdict.PASS if value in health.healthy else Verdict.FAIL
        detail = ""
        if verdict is Verdict.FAIL and isinstance(entry, Mapping) and entry.get("detail"):
            detail = f" ({entry['detail']})"
        yield result(
            f"health-dependency:{name}", expected, verdict, f"{name}: {_state(value)}{detail}", repro
        )
