"""The gate's scheduling and verdicts, with fake suites against a target that needs no servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import contractgate.gate as gate
from contractgate.gate import GatePlan, run_gate
from providers.results import Result, Verdict
from providers.suite import Progress
from providers.target import ServiceTarget, Target
from tests.contractgate import fake_suites

NAMES = ("slow", "quick", "alone", "failing", "crashing", "unreachable", "skipping")


@pytest.fixture(autouse=True)
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gate, "SUITES", {n: f"tests.contractgate.fake_suites:{n}" for n in NAMES})
    monkeypatch.setattr(gate, "EXCLUSIVE", frozenset({"alone"}))
    fake_suites.LOG.clear()
    yield


TARGET = Target("t", {"svc": ServiceTarget("svc", "http://127.0.0.1:9")}, live=False)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def suite_started(self, suite: str) -> None:
        self.events.append(("start", suite))

    def progress(self, progress: Progress) -> None:
        self.events.append(("progress", progress.suite))

    def result(self, result: Result) -> None:
        self.events.append(("result", result.suite))

    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None:
        self.events.append(("end", suite))


def plan(*suites: str, jobs: int = 4) -> GatePlan:
    return GatePlan(target=TARGET, suites=suites, jobs=jobs)


def test_a_first_suite_runs_alone_before_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "FIRST", frozenset({"slow"}))
    outcome = run_gate(plan("alone", "quick", "slow"))
    log = fake_suites.LOG
    # slow (a measuring suite) ran alone and first; the shared ones only after it, then the exclusive one.
    assert log[:2] == [("slow", "start"), ("slow", "end")]
    assert log.index(("quick", "start")) > log.index(("slow", "end"))
    assert log.index(("alone", "start")) > log.index(("quick", "end"))
    assert [r.suite for r in outcome.results] == ["alone", "quick", "quick", "slow"]


def test_shared_suites_overlap_and_exclusive_ones_run_alone_afterwards() -> None:
    recorder = Recorder()
    outcome = run_gate(plan("alone", "slow", "quick"), recorder)
    log = fake_suites.LOG
    # quick started and ended while slow was running; alone only after both had ended.
    assert log.index(("quick", "end")) < log.index(("slow", "end"))
    assert log.index(("alone", "start")) > max(log.index(("slow", "end")), log.index(("quick", "end")))
    # Results come in plan order whatever the scheduling, and the listener heard everything.
    assert [r.suite for r in outcome.results] == ["alone", "slow", "quick", "quick"]
    assert ("progress", "slow") in recorder.events
    assert {e for e in recorder.events if e[0] == "end"} == {
        ("end", "alone"),
        ("end", "slow"),
        ("end", "quick"),
    }
    assert outcome.verdict is Verdict.PASS and outcome.exit_code == 0


def test_a_failure_fails_the_gate() -> None:
    outcome = run_gate(plan("quick", "failing"))
    assert outcome.verdict is Verdict.FAIL and outcome.exit_code == 1


def test_a_crashing_suite_is_an_error_result_and_the_others_still_run() -> None:
    outcome = run_gate(plan("crashing", "quick"))
    crash = [r for r in outcome.results if r.check == "suite-crashed"]
    assert len(crash) == 1 and "KeyError" in crash[0].observed and crash[0].verdict is Verdict.ERROR
    assert any(r.suite == "quick" for r in outcome.results)
    assert outcome.exit_code == 2


def test_an_unreachable_target_stops_the_run_with_the_url_and_exit_2() -> None:
    outcome = run_gate(plan("unreachable", "alone", jobs=1))
    assert outcome.stopped is not None and "http://127.0.0.1:9/x" in outcome.stopped
    assert outcome.verdict is Verdict.ERROR and outcome.exit_code == 2
    assert [r.suite for r in outcome.results] == ["unreachable"]  # the exclusive suite never started
    assert ("alone", "start") not in fake_suites.LOG


def test_nothing_but_skips_is_not_a_pass() -> None:
    outcome = run_gate(plan("skipping"))
    assert outcome.verdict is Verdict.ERROR and outcome.exit_code == 2


def test_one_job_runs_suites_one_after_another() -> None:
    run_gate(plan("slow", "quick", jobs=1))
    assert fake_suites.LOG == [("slow", "start"), ("slow", "end"), ("quick", "start"), ("quick", "end")]


def test_last_suites_run_after_the_exclusive_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "LAST", frozenset({"quick"}))
    run_gate(plan("quick", "alone", "slow"))
    starts = [name for name, event in fake_suites.LOG if event == "start"]
    assert starts == ["slow", "alone", "quick"]
