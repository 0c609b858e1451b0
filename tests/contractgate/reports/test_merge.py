"""`contractgate report merge DIR…`: the shards' reports give the verdict and the coverage of the whole run.

The shards here run the fake suites of `fake_sharded` (quick, and one of them breaks a contract or
loses its target in exactly one shard); the merge runs through the command line as CI runs it, and its
`gate.json` is compared with an unsharded run of the same suites. Reports that do not add up to one run
are refused with one line and exit 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from contractgate.gate import GatePlan, run_gate
from contractgate.terminal import TerminalRenderer
from providers.results import Result
from providers.shards import Shard
from providers.suite import RunOptions
from tests.contractgate import fake_sharded
from tests.contractgate.fake_sharded import OPERATIONS, TARGET, run_shards
from tests.contractgate.test_bad_input import Run, assert_refused, run


def merge(directories: list[Path], out: Path, *extra: str) -> Run:
    return run(["report", "merge", *map(str, directories), "--report-dir", str(out), *extra])


def report(directory: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((directory / "gate.json").read_text(encoding="utf-8"))
    return document


def judged(results: list[Result] | list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """Each check with its verdict, sorted: what a run found, whatever the order it found it in."""
    return sorted(
        (r["suite"], r["service"], r["operation"], r["check"], r["verdict"])
        if isinstance(r, dict)
        else (r.suite, r.service, r.operation, r.check, r.verdict.value)
        for r in results
    )


@pytest.fixture(autouse=True)
def _fake_suites(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sharded.registered(monkeypatch)


def test_the_merge_of_passing_shards_is_the_unsharded_run(tmp_path: Path) -> None:
    suites = ("operations", "channel")
    whole = run_gate(GatePlan(target=TARGET, suites=suites, options=RunOptions(seed=3)))
    merged = merge(run_shards(tmp_path, suites, 3, seed=3), tmp_path / "merged")
    assert merged.code == 0, merged.err
    assert "merged from 3 shards" in merged.out
    document = report(tmp_path / "merged")
    assert judged(document["results"]) == judged(whole.results)
    assert document["verdict"] == "pass" and document["exit_code"] == 0
    assert document["merged"] == 3 and document["shard"] is None and document["seed"] == 3
    # Every unit once, each with its owner's seconds; every report of the whole written.
    assert {(u["suite"], u["unit"]) for u in document["units"]} == {(u.suite, u.unit) for u in whole.units}
    assert sorted(p.name for p in (tmp_path / "merged").iterdir()) == [
        "gate.json",
        "index.html",
        "junit.xml",
        "summary.md",
    ]


def test_a_contract_broken_in_one_shard_fails_the_merged_verdict(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations", "flawed"), 3)
    alone = [report(d)["exit_code"] for d in directories]
    assert sorted(alone) == [0, 0, 1]  # the shard that owns the broken operation, and only it, fails
    merged = merge(directories, tmp_path / "merged")
    assert merged.code == 1, merged.err
    document = report(tmp_path / "merged")
    failed = [r for r in document["results"] if r["verdict"] == "fail"]
    assert [(r["suite"], r["operation"], r["check"]) for r in failed] == [("flawed", OPERATIONS[4], "schema")]
    assert document["verdict"] == "fail"


def test_a_shard_that_lost_its_target_makes_the_merge_unable_to_judge(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations", "down"), 3)
    stopped = [d for d in directories if report(d)["stopped"]]
    assert len(stopped) == 1
    label = f"{report(stopped[0])['shard']['index']}/3"
    merged = merge(directories, tmp_path / "merged")
    assert merged.code == 2
    assert f"shard {label}: down:" in merged.err and merged.err.count("\n") == 1
    assert report(tmp_path / "merged")["verdict"] == "error"


def test_the_merged_coverage_is_the_union_with_each_implied_check_once(tmp_path: Path) -> None:
    suites = ("operations", "channel")
    whole = run_gate(GatePlan(target=TARGET, suites=suites)).coverage
    merge(run_shards(tmp_path, suites, 3), tmp_path / "merged")
    coverage = report(tmp_path / "merged")["coverage"]
    assert (coverage["implied"], coverage["ran"]) == (whole.implied, whole.ran) == (16, 15)
    assert [(g["suite"], g["count"]) for g in coverage["skipped"]] == [("operations", 1)]


def test_min_coverage_is_judged_over_the_merge_not_over_one_shard(tmp_path: Path) -> None:
    # 14 of the 15 implied checks run (93.3%); the shard that owns the skipped one runs fewer of its own.
    directories = run_shards(tmp_path, ("operations",), 3, min_coverage=90)
    shards = [report(d) for d in directories]
    holder = next(s for s in shards if any(r["verdict"] == "skipped" for r in s["results"]))
    assert holder["coverage"]["percent"] < 90 and holder["exit_code"] == 0
    assert all(s["coverage"]["failure"] is None for s in shards)
    enough = merge(directories, tmp_path / "enough")
    assert enough.code == 0, enough.err
    strict = run_shards(tmp_path / "strict", ("operations",), 3, min_coverage=95)
    too_little = merge(strict, tmp_path / "too-little")
    assert too_little.code == 1
    failure = report(tmp_path / "too-little")["coverage"]["failure"]
    assert "93.3% is below the minimum of 95%" in failure and "operations: not judged here" in failure
    # The merge may ask for its own minimum, over the shards' recorded one.
    assert merge(directories, tmp_path / "asked", "--min-coverage", "95").code == 1
    assert merge(strict, tmp_path / "eased", "--min-coverage", "90%").code == 0
    assert_refused(merge(directories, tmp_path / "m", "--min-coverage", "120"), "--min-coverage")


def test_a_shard_says_its_minimum_coverage_waits_for_the_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = GatePlan(target=TARGET, suites=("operations",), options=RunOptions(min_coverage=99), shard=Shard(1, 2))
    TerminalRenderer(verbosity=0).summary(run_gate(plan))
    out = capsys.readouterr().out
    assert "min coverage 99% is judged over all the shards (report merge)" in out and "shard 1/2" in out


def test_a_shard_where_nothing_passed_leaves_that_rule_to_the_merge(tmp_path: Path) -> None:
    # One suite of one unit over three shards: two shards own nothing and pass their empty share.
    directories = run_shards(tmp_path, ("channel",), 3)
    assert sorted(report(d)["exit_code"] for d in directories) == [0, 0, 0]
    assert merge(directories, tmp_path / "merged").code == 0
    # Nothing of the whole run passed: no shard erred on its share, and the merge cannot judge.
    unseen = run_shards(tmp_path / "unseen", ("unseen",), 2)
    assert [report(d)["exit_code"] for d in unseen] == [0, 0]
    assert all(report(d)["results"] for d in unseen)
    assert merge(unseen, tmp_path / "unseen-merged").code == 2
    assert report(tmp_path / "unseen-merged")["verdict"] == "error"


# --- reports that do not add up to one run --------------------------------------------------------------


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations",), 2)
    nowhere = tmp_path / "nowhere"
    assert_refused(merge([directories[0], nowhere], tmp_path / "m"), str(nowhere / "gate.json"), "no such report")


def test_a_report_that_is_not_json_or_not_a_gate_report_is_named(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations",), 2)
    (directories[1] / "gate.json").write_text('{"verdict": "pa', encoding="utf-8")
    assert_refused(merge(directories, tmp_path / "m"), str(directories[1] / "gate.json"), "not JSON")
    (directories[1] / "gate.json").write_text('{"verdict": "pass"}', encoding="utf-8")
    assert_refused(merge(directories, tmp_path / "m"), str(directories[1] / "gate.json"), "not a gate report")


def test_a_merge_is_not_a_shard_but_a_whole_run_is_the_one_shard_of_one(tmp_path: Path) -> None:
    whole = run_shards(tmp_path / "whole", ("operations",), 1)[0]
    alone = merge([whole], tmp_path / "alone")
    assert alone.code == 0 and "merged from 1 shard ·" in alone.out  # a matrix of one job works too
    assert judged(report(tmp_path / "alone")["results"]) == judged(report(whole)["results"])
    directories = run_shards(tmp_path, ("operations",), 2)
    assert merge(directories, tmp_path / "merged").code == 0
    assert_refused(merge([tmp_path / "merged"], tmp_path / "m"), "not a shard's report", "a merge")


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations",), 3)
    assert_refused(merge([directories[0], directories[2]], tmp_path / "m"), "shard 2/3 missing")


def test_a_shard_given_twice_is_named(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations",), 2)
    copy = tmp_path / "copy"
    shutil.copytree(directories[0], copy)
    assert_refused(merge([directories[0], copy, directories[1]], tmp_path / "m"), "both shard 1/2")


def test_shards_of_different_runs_are_refused(tmp_path: Path) -> None:
    three = run_shards(tmp_path / "three", ("operations",), 3)
    two = run_shards(tmp_path / "two", ("operations",), 2)
    assert_refused(merge([two[0], three[1]], tmp_path / "m"), "merge the shards of one run (one N)")
    seeded = run_shards(tmp_path / "seeded", ("operations",), 2, seed=7)
    assert_refused(merge([two[0], seeded[1]], tmp_path / "m"), "not shards of one run", "seed")
    others = run_shards(tmp_path / "others", ("operations", "channel"), 2)
    assert_refused(merge([two[0], others[1]], tmp_path / "m"), "not shards of one run", "suites")
    examples = run_shards(tmp_path / "examples", ("operations",), 2, max_examples=5)
    assert_refused(merge([two[0], examples[1]], tmp_path / "m"), "not shards of one run", "max_examples")


def test_shards_that_planned_differently_are_refused(tmp_path: Path) -> None:
    directories = run_shards(tmp_path, ("operations",), 2)
    document = report(directories[1])
    for unit in document["units"]:
        unit["shard"] = 3 - unit["shard"]  # as if balanced by other measured costs
    (directories[1] / "gate.json").write_text(json.dumps(document), encoding="utf-8")
    assert_refused(merge(directories, tmp_path / "m"), "planned operations differently", "--shard-costs")


def test_merge_without_directories_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["report", "merge"])
    assert result.code == 2 and "DIR" in result.err and "Traceback" not in result.err
