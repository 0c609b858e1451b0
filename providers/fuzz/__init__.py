"""The `fuzz` suite: Schemathesis over every operation of every spec of the target, authenticated.

For each OpenAPI document whose service the target has, Schemathesis' engine runs every phase
(examples, coverage, fuzzing, stateful) with positive and negative data and every check, each operation
authenticated with a genuine credential that satisfies its security requirement. Results come back one
per operation × check, seeded so that `--seed` reproduces a run.

    settings    the project's schemathesis.toml and the gate's rules on top
    boundaries  the machine-type edges every run tries on every parameter and body property
    auth        which credential each operation gets, as a Schemathesis auth provider
    plan        what a spec's run will do (operations, credentials, skips), decided here
    job         one spec's run, as plain data and as the function that carries it out
    gateway     the ASGI app every request goes through (guard, in-process or HTTP, staging-safe)
    outcomes    engine events → results with redacted reproductions
    parallel    specs in worker processes, merged in spec order; broker: their line to this process
    fatal       the error that stops a run (target down, budget spent)

On a live target only operations `RunContext.may_send` allows are fuzzed (the others are reported
skipped), undeclared methods other than OPTIONS are not sent, and the gateway refuses anything else.
With `jobs` above 1 (default: the cores available) and specs of more than one service, specs run in
worker processes over HTTP; with `jobs = 1`, one after another in this process, in-process where the
service runs here.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from providers.fuzz import checks as _checks  # noqa: F401  (registers the suite's checks)
from providers.fuzz.fatal import Fatal
from providers.fuzz.job import Wiring, execute
from providers.fuzz.outcomes import SUITE
from providers.fuzz.parallel import cpu_count, parallel_width, run_in_processes
from providers.fuzz.plan import plan
from providers.fuzz.settings import FuzzSettings
from providers.results import Result
from providers.suite import Progress, RunContext

__all__ = ["run", "SUITE"]


def run(ctx: RunContext) -> Iterator[Result]:
    settings = FuzzSettings.from_suite(ctx.options.suites.get(SUITE, {}))
    seed = ctx.options.seed if ctx.options.seed is not None else random.SystemRandom().getrandbits(64)
    planned = [plan(ctx, index, spec, settings, seed) for index, spec in enumerate(ctx.specs_in_target())]
    width = parallel_width(planned, settings.jobs or cpu_count())
    if width > 1:
        ctx.emit(Progress(SUITE, f"{len(planned)} specs over HTTP, {width} worker processes"))
        yield from run_in_processes(
            planned, width, guard=ctx.http.guard, fatal=Fatal(), emit=ctx.emit, redactor=ctx.redactor
        )
        return
    for each in planned:
        yield from each.skipped
        if not each.job.operations:
            continue
        service = ctx.target.service(each.job.spec.service)
        app = service.app if settings.in_process else None
        yield from execute(each.job, Wiring(ctx.http.guard, each.token, ctx.redactor, ctx.emit, app=app))
