"""Fuzzing specs in worker processes, to use every core: test-case generation is CPU-bound.

Hypothesis generates a test case in Python, holding the GIL, so threads do not help; processes do.
Each spec is one job, run whole in one worker process (its phases share what they learn: response data,
links, the stateful phase), over HTTP to the service's base URL — an in-process ASGI app cannot cross a
process boundary, and the embedded stubs listen on loopback too. Workers get their guard slots and
tokens from the gate's process (`providers.fuzz.broker`), so the rate cap, the budget and the genuine
credentials stay the run's.

The specs of one service share its data (a deletion by one spec's fuzzing is seen by the other's), so
they run one after another in spec order, as they would in one process; specs of different services run
at the same time, the service with the most work left first. Results are yielded in spec order, each
spec's as `job.execute` returns them, and a spec's test cases follow from its contract and the seed
(`providers.fuzz.seeded`): the number of workers changes when a spec runs, not what it sends or how it
is judged. (A service whose answers depend on time — a lockout window, a token expiring — may answer
two runs differently, in one process or in several.) Workers start from a fork server, never as forks
of this multi-threaded process, and it imports Schemathesis once for all of them.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import queue
import signal
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from providers.errors import ContractgateError
from providers.fuzz.broker import Broker, BrokerLine, CountingSlots, from_wire, needs_slots, to_wire
from providers.fuzz.fatal import Fatal
from providers.fuzz.gateway import Slots
from providers.fuzz.job import SpecJob, Wiring, execute
from providers.fuzz.outcomes import SUITE
from providers.fuzz.plan import Planned
from providers.redact import Redactor
from providers.results import Result
from providers.suite import Emit, Progress

_POLL_SECONDS = 0.5
_STOP_GRACE_SECONDS = 10.0


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parallel_width(planned: Sequence[Planned], jobs: int) -> int:
    """How many worker processes are worth starting: one per service with work, at most `jobs`."""
    services = {p.job.spec.service for p in planned if p.job.operations}
    return min(jobs, len(services))


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _work(
    tasks: Queue[SpecJob | None],
    events: Queue[tuple[Any, ...]],
    stopping: Event,
    address: Any,
    authkey: bytes,
) -> None:
    """A worker process: run the jobs the parent hands out until it says stop."""
    # An interrupt is the gate's to handle: it ends the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    line: BrokerLine | None = None
    try:
        while (job := tasks.get()) is not None:
            line = line or BrokerLine(address, authkey, job.limits)
            events.put(_run(job, line, events, stopping))
    finally:
        if line is not None:
            line.close()


def _run(job: SpecJob, line: BrokerLine, events: Queue[tuple[Any, ...]], stopping: Event) -> tuple[Any, ...]:
    """One job in a worker: its results, or why it stopped, as an event for the parent, with the number of
    requests the parent's guard has yet to count."""
    redactor = Redactor()

    def token(label: str) -> str:
        value = line.token(f"{job.index} {label}")
        redactor.add(value)
        return value

    counting = None if needs_slots(job.limits) else CountingSlots(job.limits, stopping)
    slots: Slots = counting or line
    wiring = Wiring(slots, token, redactor, emit=lambda progress: events.put(("progress", progress)))
    started = time.process_time()
    try:
        outcome: tuple[Any, ...] = ("done", execute(job, wiring))
        cpu = time.process_time() - started
        events.put(("progress", Progress(SUITE, f"{job.spec.name}: {cpu:.1f}s of CPU in a worker process")))
    except ContractgateError as error:
        outcome = ("failed", *to_wire(error))
    except Exception:
        outcome = ("crashed", traceback.format_exc(limit=8))
    return (outcome[0], job.index, counting.sent if counting else 0, *outcome[1:])


class Schedule:
    """Which job goes next: per service in spec order, the service with the most work left first."""

    def __init__(self, jobs: Sequence[SpecJob]) -> None:
        self._chains: dict[str, deque[SpecJob]] = {}
        for job in jobs:
            self._chains.setdefault(job.spec.service, deque()).append(job)
        self._busy: set[str] = set()

    def take(self) -> SpecJob | None:
        ready = [chain for service, chain in self._chains.items() if chain and service not in self._busy]
        if not ready:
            return None
        chain = max(ready, key=lambda c: (sum(len(job.operations) + 1 for job in c), -c[0].index))
        job = chain.popleft()
        self._busy.add(job.spec.service)
        return job

    def done(self, job: SpecJob) -> None:
        self._busy.discard(job.spec.service)


def run_in_processes(
    planned: Sequence[Planned], width: int, *, guard: Slots, fatal: Fatal, emit: Emit, redactor: Redactor
) -> Iterator[Result]:
    """Every planned spec's results, in spec order, the jobs run by `width` worker processes."""
    by_index = {p.job.index: p for p in planned}

    def token(key: str) -> str:
        index, _, label = key.partition(" ")
        return by_index[int(index)].token(label)

    finished: dict[int, list[Result]] = {p.job.index: [] for p in planned if not p.job.operations}
    schedule = Schedule([p.job for p in planned if p.job.operations])
    context = _context()
    tasks: Queue[SpecJob | None] = context.Queue()
    events: Queue[tuple[Any, ...]] = context.Queue()
    stopping = context.Event()
    broker = Broker(guard, token, fatal)
    processes = [
        context.Process(  # type: ignore[attr-defined]
            target=_work,
            args=(tasks, events, stopping, broker.address, broker.authkey),
            name=f"fuzz-{n}",
            daemon=True,
        )
        for n in range(width)
    ]
    running: dict[int, SpecJob] = {}
    crash: str | None = None
    complete = False
    try:
        for process in processes:
            process.start()
        upcoming = [p.job.index for p in planned]
        while True:
            while fatal.error is None and len(running) < width and (job := schedule.take()):
                running[job.index] = job
                tasks.put(job)
            while upcoming and upcoming[0] in finished:
                index = upcoming.pop(0)
                yield from by_index[index].skipped
                yield from (_redacted(result, redactor) for result in finished.pop(index))
            if not running:
                break
            event = _next_event(events, processes, running)
            if fatal.error is not None:
                stopping.set()
            if event[0] == "progress":
                emit(event[1])
                continue
            kind, index, counted, *rest = event
            for _ in range(counted):  # requests a worker only counted (the guard has no rate or budget)
                guard.acquire("a request a fuzz worker sent")
            job = running.pop(index)
            schedule.done(job)
            if kind == "done":
                finished[index] = rest[0]
            elif kind == "failed":
                fatal.record(from_wire(*rest))  # the parent's own error, if any, came first
            else:
                crash = crash or f"fuzzing {job.spec.name} crashed in a worker process:\n{rest[0]}"
                fatal.record(ContractgateError("a fuzz worker process crashed"))  # stops the others
            if fatal.error is not None:
                stopping.set()
        complete = True
    finally:
        # Workers finish the job in hand only when the run ends as planned; otherwise (an interrupt, a
        # consumer that stopped reading) they are ended at once.
        _stop(processes, tasks, events, graceful=complete)
        broker.close()
    if crash is not None:
        raise RuntimeError(crash)
    if fatal.error is not None:
        raise fatal.error


def _next_event(
    events: Queue[tuple[Any, ...]], processes: Sequence[Any], running: dict[int, SpecJob]
) -> tuple[Any, ...]:
    while True:
        try:
            event: tuple[Any, ...] = events.get(timeout=_POLL_SECONDS)
            return event
        except queue.Empty:
            dead = [p for p in processes if p.exitcode is not None]
            if dead:
                specs = ", ".join(job.spec.name for job in running.values())
                raise ContractgateError(
                    f"a fuzz worker process ended (exit code {dead[0].exitcode}) while fuzzing {specs}"
                ) from None


def _redacted(result: Result, redactor: Redactor) -> Result:
    """The gate's redactor knows every secret of the run; a worker's only the tokens it was given."""
    return dataclasses.replace(
        result,
        observed=redactor.text(result.observed),
        reproduction=redactor.text(result.reproduction) if result.reproduction else result.reproduction,
    )


def _stop(processes: Sequence[Any], tasks: Queue[Any], events: Queue[Any], *, graceful: bool) -> None:
    for _ in processes:
        tasks.put(None)
    for process in processes:
        if graceful and process.pid is not None:
            process.join(timeout=_STOP_GRACE_SECONDS)
        if process.is_alive():
            process.terminate()
            process.join(timeout=_STOP_GRACE_SECONDS)
    for channel in (tasks, events):
        channel.cancel_join_thread()
        channel.close()
