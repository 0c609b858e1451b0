"""Specs fuzzed in worker processes: the same results as in one process, the run's guard and tokens."""

from __future__ import annotations

import copy
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from contracts import SpecFile
from providers import fuzz
from providers.errors import BudgetExceeded, TargetUnreachable
from providers.fuzz.broker import Broker, BrokerLine, Stopped, from_wire, to_wire
from providers.fuzz.fatal import Fatal
from providers.fuzz.job import SpecJob
from providers.fuzz.parallel import Schedule
from providers.fuzz.settings import FuzzSettings
from providers.http import Limits, RequestGuard
from providers.results import Result
from providers.suite import Progress
from providers.target import ServiceTarget, Target, url_target
from stubs.server import BackgroundServer, bind
from tests.providers.fuzz.planted import SPEC, create_app
from tests.providers.fuzz.support import context, run_gate, spec_file

SERVICES = ("planted-service", "second-service")


def two_specs(folder: Path) -> tuple[SpecFile, ...]:
    """The planted spec for two services (run at the same time in workers), with one operation fewer in
    the second so that the two differ."""
    second = copy.deepcopy(SPEC)
    second["info"]["x-service"] = SERVICES[1]
    del second["paths"]["/legacy/{legacy_id}"]
    return spec_file(SPEC, folder, "planted-v1"), spec_file(second, folder, "second-v1")


@pytest.fixture
def servers() -> Iterator[tuple[dict[str, str], Counter[str]]]:
    methods: Counter[str] = Counter()
    with ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                BackgroundServer(create_app(methods), bind(), name=name, log_level="critical")
            ).url
            for name in SERVICES
        }
        yield urls, methods


def run(
    target: Target, specs: tuple[SpecFile, ...], limits: Limits | None = None, **suite: Any
) -> tuple[list[Result], list[Progress]]:
    progress: list[Progress] = []
    results = run_gate(
        target, specs, seed=5, max_examples=8, suite=suite, limits=limits, emit=progress.append
    )
    return results, progress


def comparable(results: list[Result]) -> list[tuple[Any, ...]]:
    return [
        (
            r.details.get("spec"),
            r.operation,
            r.check,
            r.verdict,
            r.observed,
            r.reproduction,
            r.details.get("cases"),
        )
        for r in results
    ]


def test_worker_processes_give_the_results_of_one_process(
    servers: tuple[dict[str, str], Counter[str]], tmp_path: Path
) -> None:
    urls, _ = servers
    specs = two_specs(tmp_path)
    target = url_target("planted", urls, live=False)

    alone, alone_progress = run(target, specs, jobs=1)
    spread, spread_progress = run(target, specs, jobs=2)

    assert any("2 worker processes" in p.message for p in spread_progress)
    assert not any("worker processes" in p.message for p in alone_progress)
    assert comparable(spread) == comparable(alone)
    assert {r.verdict for r in spread} >= {"fail", "pass"}  # the planted errors were found in both


def test_the_run_counts_every_request_its_workers_sent(
    servers: tuple[dict[str, str], Counter[str]], tmp_path: Path
) -> None:
    urls, methods = servers
    ctx = context(
        url_target("planted", urls, live=False), two_specs(tmp_path), max_examples=3, suite={"jobs": 2}
    )
    try:
        list(fuzz.run(ctx))
    finally:
        ctx.http.close()
    assert ctx.http.guard.sent == sum(methods.values()) > 0


def test_the_request_budget_holds_across_worker_processes(
    servers: tuple[dict[str, str], Counter[str]], tmp_path: Path
) -> None:
    urls, methods = servers
    target = url_target("staging", urls, live=True)
    with pytest.raises(BudgetExceeded):
        run(target, two_specs(tmp_path), limits=Limits(timeout=5, budget=40), jobs=2)
    assert sum(methods.values()) == 40
    assert set(methods) <= {"GET", "HEAD", "OPTIONS"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_service_that_does_not_answer_stops_the_run_with_its_url(tmp_path: Path) -> None:
    urls = {name: f"http://127.0.0.1:{closed_port()}" for name in SERVICES}
    with pytest.raises(TargetUnreachable) as caught:
        run(url_target("down", urls, live=False), two_specs(tmp_path), jobs=2)
    assert caught.value.url in urls.values()


# --- the pieces ------------------------------------------------------------------------------------


def test_errors_cross_the_process_boundary_with_their_type_and_fields() -> None:
    back = from_wire(*to_wire(TargetUnreachable("http://x.test", "timeout")))
    assert isinstance(back, TargetUnreachable) and (back.url, back.reason) == ("http://x.test", "timeout")
    budget = from_wire(*to_wire(BudgetExceeded("spent")))
    assert isinstance(budget, BudgetExceeded) and str(budget) == "spent"


def test_the_broker_hands_out_guard_slots_and_tokens_until_the_run_stops() -> None:
    guard = RequestGuard(Limits(timeout=3, budget=2))
    fatal = Fatal()
    broker = Broker(guard, lambda key: f"token-for-{key}", fatal)
    line = BrokerLine(broker.address, broker.authkey, guard.limits)
    try:
        line.acquire("GET /a")
        assert line.token("0 GET /a") == "token-for-0 GET /a"
        line.acquire("GET /b")
        with pytest.raises(Stopped, match="budget"):
            line.acquire("GET /c")
        assert isinstance(fatal.error, BudgetExceeded)  # the parent holds the original error
        with pytest.raises(Stopped):
            line.token("0 GET /a")  # nothing more once the run is stopping
        assert guard.sent == 2
    finally:
        line.close()
        broker.close()


def job(index: int, service: str, operations: int) -> SpecJob:
    spec = SpecFile(f"spec{index}", Path(f"spec{index}.yaml"), service, "v1", {})
    return SpecJob(
        index=index,
        spec=spec,
        service=ServiceTarget(service, "http://127.0.0.1:1"),
        operations=tuple(f"GET /{n}" for n in range(operations)),
        placements={},
        sendable=None,
        live=False,
        settings=FuzzSettings(),
        seed=1,
        max_examples=1,
        limits=Limits(),
    )


def test_specs_of_one_service_run_one_at_a_time_in_spec_order_busiest_service_first() -> None:
    jobs = [job(0, "auth", 6), job(1, "auth", 6), job(2, "backend", 10), job(3, "backend", 14)]
    schedule = Schedule(jobs)
    first, second = schedule.take(), schedule.take()
    assert (first and first.index, second and second.index) == (2, 0)
    assert schedule.take() is None  # both services busy
    assert first is not None
    schedule.done(first)
    third = schedule.take()
    assert third is not None and third.index == 3  # backend's next, in spec order
    assert schedule.take() is None
