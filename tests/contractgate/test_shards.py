"""`gate --shard K/N`: the N shards of a run do exactly the run's checks between them, each once.

The fake suites (`fake_sharded`) show the mechanics quickly; the last test runs every real suite on the
embedded stubs, whole and as two shards, with few examples and one seed, compares the checks, and merges
the shards' reports into the verdicts and coverage of the unsharded run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from contractgate.gate import SUITES, GatePlan, run_gate
from contractgate.reports import write_reports
from providers.results import Result
from providers.shards import Shard
from providers.suite import RunOptions
from tests.contractgate import fake_sharded
from tests.contractgate.fake_sharded import TARGET, run_shards
from tests.contractgate.test_bad_input import assert_refused, run


def keys(results: Iterable[Result | dict[str, Any]]) -> Counter[tuple[str, str, str, str]]:
    """Each check a run produced (suite, service, operation, check), counted."""
    return Counter(
        (r["suite"], r["service"], r["operation"], r["check"])
        if isinstance(r, dict)
        else (r.suite, r.service, r.operation, r.check)
        for r in results
    )


def report(directory: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((directory / "gate.json").read_text(encoding="utf-8"))
    return document


def test_the_shards_of_a_run_do_its_checks_between_them_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sharded.registered(monkeypatch)
    suites = ("operations", "channel")
    whole = run_gate(GatePlan(target=TARGET, suites=suites))
    parts = [report(d) for d in run_shards(tmp_path, suites, 3)]
    union = sum((keys(p["results"]) for p in parts), Counter())
    assert union == keys(whole.results)
    assert all(p["results"] for p in parts)  # every shard had work: the split is not all-in-one
    # The channel is one unit: its check is in one shard, and the others say why they had none of it.
    holders = [p for p in parts if any(r["suite"] == "channel" for r in p["results"])]
    assert len(holders) == 1
    idle = [s for p in parts for s in p["suites"] if s["name"] == "channel" and not s["ran"]]
    assert len(idle) == 2 and all("none of its units is shard" in s["reason"] for s in idle)


def test_a_shard_reports_which_it_is_and_the_whole_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sharded.registered(monkeypatch)
    directory = run_shards(tmp_path, ("operations",), 2, seed=5)[1]
    document = report(directory)
    assert document["shard"] == {"index": 2, "total": 2} and document["merged"] == 0
    assert document["run"]["contracts"].startswith("sha256:") and document["seed"] == 5
    units = {u["unit"]: u for u in document["units"]}
    assert set(units) == {*fake_sharded.OPERATIONS, "summary"}  # the whole plan, not only its part
    mine = {u for u, record in units.items() if record["shard"] == 2}
    assert mine and mine != set(units)
    assert all((units[u]["seconds"] is not None) == (u in mine and u != "summary") for u in units)
    assert {r["operation"] for r in document["results"] if r["check"] == "status"} == mine - {"summary"}
    assert "· shard 2 of 2 ·" in (directory / "summary.md").read_text(encoding="utf-8")


def test_measured_costs_from_an_earlier_report_change_the_balance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sharded.registered(monkeypatch)
    heavy = fake_sharded.OPERATIONS[0]
    earlier = {("operations", heavy): 100.0} | {("operations", op): 1.0 for op in fake_sharded.OPERATIONS[1:]}
    for index in (1, 2):
        plan = GatePlan(target=TARGET, suites=("operations",), shard=Shard(index, 2, costs=earlier))
        checked = {r.operation for r in run_gate(plan).results if r.check == "status"}
        # The unit measured at 100 s has its shard to itself; the other shard does every other one.
        assert checked in ({heavy}, set(fake_sharded.OPERATIONS[1:]))


def test_shard_costs_are_read_from_a_gate_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from contractgate.shards import load_costs

    fake_sharded.registered(monkeypatch)
    whole = tmp_path / "whole"
    write_reports(run_gate(GatePlan(target=TARGET, suites=("operations",))), whole, environ={})
    costs = load_costs(whole / "gate.json")
    assert set(costs) == {("operations", op) for op in fake_sharded.OPERATIONS}
    assert all(seconds >= 0 for seconds in costs.values())


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0/3", "K must be from 1 to 3"),
        ("4/3", "K must be from 1 to 3"),
        ("1/0", "N must be at least 1"),
        ("2", "expected K/N"),
        ("a/b", "expected K/N"),
        ("1/2/3", "expected K/N"),
    ],
)
def test_a_shard_argument_outside_one_to_n_is_a_usage_error(value: str, says: str) -> None:
    assert_refused(run(["gate", "--shard", value]), "--shard", says)


def test_shard_costs_that_cannot_be_read_are_one_line_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    assert_refused(run(["gate", "--shard", "1/2", "--shard-costs", str(missing)]), str(missing))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert_refused(run(["gate", "--shard", "1/2", "--shard-costs", str(broken)]), str(broken), "not JSON")
    other = tmp_path / "other.json"
    other.write_text('{"results": []}', encoding="utf-8")
    assert_refused(run(["gate", "--shard", "1/2", "--shard-costs", str(other)]), str(other), "units")


#: Every real suite, kept short: one example per operation and phase, few latency samples, the
#: WebSocket checks that do not wait for timers.
STUB_OPTIONS: dict[str, Any] = {
    "seed": 11,
    "max_examples": 1,
    "suites": {
        "readiness": {"samples": 2, "warmup": 0},
        "websocket": {"checks": ["handshake-accepted", "handshake-missing-token", "message-schema", "seq-order"]},
    },
}


def test_the_merge_of_two_shards_is_exactly_the_unsharded_run_on_the_stubs(tmp_path: Path) -> None:
    def outcome(shard: Shard) -> Any:
        return run_gate(GatePlan(suites=tuple(SUITES), options=RunOptions(**STUB_OPTIONS), shard=shard))

    def judged(results: Iterable[Result | dict[str, Any]]) -> Counter[tuple[str, ...]]:
        """Each check with its verdict, counted."""
        return Counter(
            (r["suite"], r["service"], r["operation"], r["check"], r["verdict"])
            if isinstance(r, dict)
            else (r.suite, r.service, r.operation, r.check, r.verdict.value)
            for r in results
        )

    whole = outcome(Shard())
    parts = [outcome(Shard(index, 2)) for index in (1, 2)]
    assert whole.stopped is None and not [p.stopped for p in parts if p.stopped]
    union = sum((keys(p.results) for p in parts), Counter())
    assert union == keys(whole.results), (union - keys(whole.results), keys(whole.results) - union)
    # The split is real: every shard checked something of most suites, and none checked everything.
    for part in parts:
        assert 0 < len(part.results) < len(whole.results)
        assert len({r.suite for r in part.results}) >= 5
    # Every shard planned every suite alike, and each unit belongs to one shard.
    plans = [{(u.suite, u.unit): u.shard for u in p.units} for p in parts]
    assert plans[0] == plans[1]
    assert set(plans[0]) == {(u.suite, u.unit) for u in whole.units}
    assert {u.suite for u in whole.units} == set(SUITES)
    # The merge of their reports finds what the unsharded run found, verdict for verdict, and covers alike.
    directories = []
    for index, part in enumerate(parts, 1):
        directories.append(tmp_path / f"shard-{index}")
        write_reports(part, directories[-1], environ={})
    merged = run(["report", "merge", *map(str, directories), "--report-dir", str(tmp_path / "merged")])
    assert merged.code == whole.exit_code == 0, merged.err
    document = report(tmp_path / "merged")
    assert judged(document["results"]) == judged(whole.results)
    coverage = whole.coverage
    assert (document["coverage"]["implied"], document["coverage"]["ran"]) == (coverage.implied, coverage.ran)
    assert [(g["suite"], g["reason"], g["count"]) for g in document["coverage"]["skipped"]] == list(coverage.gaps)
