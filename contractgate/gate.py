"""The gate: one run of the chosen suites against one target, and its verdict.

`run_gate` owns the lifecycle — start the embedded stubs when the target is `stubs`, check that a live
target answers at all, run the suites, stop everything — and reports through a `GateListener`, so the
CLI (or a test) decides how to show it. Suites run concurrently in threads (they mostly wait on the
network, and their waits overlap); their results and progress come back through one queue and reach the
listener from the calling thread only, in the order they happen. The outcome lists results in plan
order, so reports do not depend on scheduling. A `ContractgateError` raised by a suite (target down,
budget exhausted) stops the run: results so far are kept and the outcome says why it stopped.

A run may be one shard of N (`GatePlan.shard`, `--shard K/N`): the phases stay the same, and every suite
runs only the units of work the shard owns (`providers.shards`); the outcome records every suite's plan
and what each owned unit took, so that `report merge` can check and join the N shards into the whole.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from contractgate.coverage import Coverage, coverage_of
from contractgate.credentials import embedded_credentials
from contractgate.embedded import embedded_stubs
from contractgate.preflight import prepare
from contractgate.shards import contracts_digest
from contractgate.suites import SUITES, imported
from providers.checks import classify
from providers.cleanup import cleaned_up, stops
from providers.credentials import Credentials, TokenSource
from providers.errors import ConfigError, ContractgateError
from providers.http import Limits, RequestGuard, TargetHttp
from providers.ledger import Ledger
from providers.redact import Redactor
from providers.results import Result, Verdict, overall
from providers.settings import suggestion
from providers.shards import Shard, Units
from providers.suite import Progress, RunContext, RunOptions, SuiteFunction
from providers.target import Target

#: Suites that change what other suites rely on in the shared accounts run alone, after the others:
#: fuzz writes at random (Schemathesis reuses ids it has seen, so it deletes and cancels what others set
#: up), and pact provider states may reset an account ("the user has no threads").
EXCLUSIVE = frozenset({"pacts", "fuzz", "versioning"})
#: Suites that measure the target run alone, before any other suite loads it: latency budgets measured
#: while fuzzing runs would judge the gate's own load, not the service.
FIRST = frozenset({"readiness"})
#: Suites that judge what the others published (can-i-deploy after the pacts suite published its
#: verification results) run alone, last of all.
LAST = frozenset({"broker"})


def suite_function(name: str) -> SuiteFunction:
    if name not in SUITES:
        raise ConfigError(f"unknown suite {name!r}{suggestion(name, SUITES)}")
    function: SuiteFunction = imported(SUITES[name])
    return function


class GateListener(Protocol):
    def suite_started(self, suite: str) -> None: ...
    def progress(self, progress: Progress) -> None: ...
    def result(self, result: Result) -> None: ...
    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None: ...


class SilentListener:
    def suite_started(self, suite: str) -> None:
        pass

    def progress(self, progress: Progress) -> None:
        pass

    def result(self, result: Result) -> None:
        pass

    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None:
        pass


@dataclass
class GatePlan:
    #: A prepared target (URLs); None means the embedded stubs.
    target: Target | None = None
    suites: tuple[str, ...] = tuple(SUITES)
    options: RunOptions = field(default_factory=RunOptions)
    credentials: Credentials | None = None
    limits: Limits = field(default_factory=Limits)
    contracts_root: str | None = None
    #: Suites running at the same time (1 = one after another).
    jobs: int = 4
    #: This run's share of the work (`--shard K/N`): every suite runs only the units the shard owns.
    shard: Shard = field(default_factory=Shard)


@dataclass(frozen=True)
class UnitRecord:
    """One unit of work of a suite's plan: which shard owns it, and its seconds where it ran and was timed."""

    suite: str
    unit: str
    shard: int
    seconds: float | None = None


@dataclass
class GateOutcome:
    target: str
    suites: tuple[str, ...]
    results: list[Result]
    seconds: float
    suite_seconds: dict[str, float] = field(default_factory=dict)
    #: Why the run stopped early (target down, budget exhausted), if it did.
    stopped: str | None = None
    #: Requests sent to the target through the guard (live targets: the budget's counter).
    requests: int = 0
    seed: int | None = None
    #: Policy findings fail the run too (`strict_policy`); otherwise they are advisories.
    strict: bool = False
    #: Provider states the run reached through the target's API, and what it could not undo.
    states_created: int = 0
    leftovers: list[str] = field(default_factory=list)
    #: The least share of the implied checks (percent) that must run; below it the gate fails.
    min_coverage: float | None = None
    #: Shard K of N this run was (1/1: the whole run), and every suite's units of work.
    shard: tuple[int, int] = (1, 1)
    units: list[UnitRecord] = field(default_factory=list)
    #: What every shard of one run must share: the contracts' digest and the examples per operation.
    contracts: str = ""
    max_examples: int | None = None
    #: A merge of shards' reports (`report merge`): how many; 0 for a run of the gate.
    merged: int = 0

    @property
    def idle_suites(self) -> list[str]:
        """Suites of which this shard owns no unit (they ran, and had nothing to do here)."""
        if self.shard[1] == 1:
            return []
        owned = {u.suite for u in self.units if u.shard == self.shard[0]}
        with_results = {r.suite for r in self.results}
        return [s for s in self.suites if s not in owned and s not in with_results]

    @property
    def partial(self) -> bool:
        """One shard of N: the rules about the whole run (coverage, something passed) wait for the merge."""
        return self.shard[1] > 1 and not self.merged

    @property
    def coverage(self) -> Coverage:
        return coverage_of(self.results)

    @property
    def coverage_failure(self) -> str | None:
        """Why too little ran (None when `min_coverage` is met or not asked for, or judged at the merge)."""
        if self.min_coverage is None or self.stopped or self.partial:
            return None
        coverage = self.coverage
        if coverage.percent >= self.min_coverage:
            return None
        return (
            f"coverage {coverage.percent:.1f}% is below the minimum of {self.min_coverage:g}%: "
            f"{coverage.largest()}"
        )

    @property
    def verdict(self) -> Verdict:
        if self.stopped:
            return Verdict.ERROR
        verdict = overall(self.results, self.strict)
        if verdict is Verdict.ERROR and self.partial and not any(r.verdict is Verdict.ERROR for r in self.results):
            # Nothing of this shard's share passed (all skipped, or it owned nothing): not an error of
            # the shard; `report merge` judges the whole run, where nothing passed is one.
            return Verdict.PASS
        if verdict is Verdict.PASS and self.coverage_failure is not None:
            return Verdict.FAIL
        return verdict

    @property
    def advisories(self) -> list[Result]:
        """Failed policy checks: shown in every report, failing the run only when strict."""
        return [r for r in self.results if r.advisory]

    @property
    def exit_code(self) -> int:
        return {Verdict.PASS: 0, Verdict.FAIL: 1}.get(self.verdict, 2)


def check_reachable(target: Target, http: TargetHttp) -> None:
    """Every service of a live target answers HTTP at all (any status); else exit 2 naming the URL."""
    for service in target.services.values():
        http.request("GET", service.base_url + "/")


@contextmanager
def _target(plan: GatePlan) -> Iterator[Target]:
    if plan.target is not None:
        yield plan.target
        return
    with embedded_stubs() as (_, target):
        yield target


def _crash(suite: str, exc: BaseException) -> Result:
    """A suite that raised something unexpected: an error result (a bug of ours), never a silent pass."""
    return Result(
        suite=suite,
        service="-",
        operation="-",
        check="suite-crashed",
        expectation="the suite runs to the end",
        observed=f"{type(exc).__name__}: {exc}",
        verdict=Verdict.ERROR,
        details={"traceback": "".join(traceback.format_exception(exc))[-4000:]},
    )


class _Run:
    """One gate run's suites on a thread pool, their events funnelled to the listener's thread."""

    def __init__(self, functions: Mapping[str, SuiteFunction], jobs: int) -> None:
        self.functions = functions
        self.jobs = max(1, min(jobs, len(functions) or 1))
        self.events: queue.Queue[tuple[str, str, Any]] = queue.Queue()
        self.stop = threading.Event()

    def progress(self, progress: Progress) -> None:
        """`RunContext.emit`: called from suite threads, delivered on the listener's thread."""
        self.events.put(("progress", progress.suite, progress))

    def _work(self, ctx: RunContext, name: str, function: SuiteFunction) -> None:
        self.events.put(("start", name, None))
        started = time.monotonic()
        try:
            for result in function(ctx):
                self.events.put(("result", name, classify(result)))
                if self.stop.is_set():
                    break
        except ContractgateError as exc:
            self.stop.set()
            self.events.put(("stopped", name, ctx.redactor.text(str(exc))))
        except Exception as exc:  # a bug in a suite: an error result, and the other suites go on
            self.events.put(("result", name, _crash(name, exc)))
        finally:
            self.events.put(("end", name, time.monotonic() - started))

    def execute(
        self, ctx: RunContext, listener: GateListener
    ) -> tuple[dict[str, list[Result]], dict[str, float], str | None]:
        by_suite: dict[str, list[Result]] = {name: [] for name in self.functions}
        seconds: dict[str, float] = {}
        stopped: str | None = None
        # Phases run one after another: each FIRST suite alone, then the shared ones together, then
        # each EXCLUSIVE suite alone, then each LAST one.
        items = list(self.functions.items())
        phases = [[item] for item in items if item[0] in FIRST]
        phases.append([item for item in items if item[0] not in FIRST | EXCLUSIVE | LAST])
        phases += [[item] for item in items if item[0] in EXCLUSIVE]
        phases += [[item] for item in items if item[0] in LAST]
        phases = [phase for phase in phases if phase]
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="suite") as pool, stops(self.stop):
            submitted, finished = 0, 0
            while True:
                if finished == submitted:  # nothing is running: the next phase, if any
                    if not phases or self.stop.is_set():
                        break
                    for name, function in phases.pop(0):
                        pool.submit(self._work, ctx, name, function)
                        submitted += 1
                kind, name, payload = self.events.get()
                if kind == "start":
                    listener.suite_started(name)
                elif kind == "progress":
                    listener.progress(payload)
                elif kind == "result":
                    by_suite[name].append(payload)
                    listener.result(payload)
                elif kind == "stopped":
                    stopped = stopped or f"{name}: {payload}"
                elif kind == "end":
                    finished += 1
                    seconds[name] = payload
                    listener.suite_finished(name, by_suite[name], payload)
        return by_suite, seconds, stopped


def run_gate(plan: GatePlan, listener: GateListener | None = None) -> GateOutcome:
    """Run the plan; raises `ContractgateError` only for problems found before any suite ran."""
    listener = listener or SilentListener()
    functions = {name: suite_function(name) for name in plan.suites}
    # Settings and contracts are checked before the stubs start or a live target sees a request.
    specs, asyncapi, platform = prepare(plan.suites, plan.options.suites, plan.contracts_root)
    started = time.monotonic()
    with ExitStack() as stack:
        target = stack.enter_context(_target(plan))
        guard = RequestGuard(plan.limits)
        http = TargetHttp(guard)
        stack.callback(http.close)
        if target.live:
            check_reachable(target, http)
        redactor = Redactor()
        credentials = plan.credentials or embedded_credentials(platform)
        run = _Run(functions, plan.jobs)
        units = Units(plan.shard)
        ctx = RunContext(
            target=target,
            specs=specs,
            asyncapi=asyncapi,
            credentials=credentials,
            tokens=TokenSource(target, credentials, http, redactor),
            http=http,
            redactor=redactor,
            options=plan.options,
            emit=run.progress,
            platform=platform,
            units=units,
            ledger=Ledger(stopping=run.stop),
        )
        # Whatever the run created on the target is undone, also after a failure or an interrupt.
        stack.enter_context(cleaned_up(ctx))
        by_suite, suite_seconds, stopped = run.execute(ctx, listener)
    return GateOutcome(
        target=target.name,
        suites=tuple(functions),
        results=[result for name in functions for result in by_suite[name]],
        seconds=time.monotonic() - started,
        suite_seconds=suite_seconds,
        stopped=stopped,
        requests=guard.sent,
        seed=plan.options.seed,
        strict=plan.options.strict_policy,
        states_created=ctx.ledger.created,
        leftovers=list(ctx.ledger.leftovers),
        min_coverage=plan.options.min_coverage,
        shard=(plan.shard.index, plan.shard.total),
        units=[UnitRecord(*record) for record in units.records()],
        contracts=contracts_digest(plan.contracts_root),
        max_examples=plan.options.max_examples,
    )
