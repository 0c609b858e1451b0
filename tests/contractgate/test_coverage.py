"""Coverage: how much of what the contracts imply ran, the skips grouped by what would let them run."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.config import load
from contractgate.coverage import coverage_of, reason_of
from contractgate.gate import GateOutcome
from providers.errors import ConfigError
from providers.results import Result, Verdict


def result(verdict: Verdict, observed: str = "ok", suite: str = "tokens") -> Result:
    return Result(suite, "svc", "GET /x", "expired", "refused", observed, verdict)


def test_alike_reasons_group_together_and_the_largest_come_first() -> None:
    results = [
        result(Verdict.PASS),
        result(Verdict.FAIL),
        result(Verdict.SKIPPED, "no thread_id of the account 'member' can be had: GET /v2/x answered 404"),
        result(Verdict.SKIPPED, "no thread_id of the account 'admin' can be had: GET /v2/y answered 404"),
        result(Verdict.SKIPPED, "set [suite.tokens] expiry_wait", suite="crossauth"),
    ]
    coverage = coverage_of(results)
    assert (coverage.implied, coverage.ran, coverage.skipped) == (5, 2, 3)
    assert coverage.percent == pytest.approx(40.0)
    assert coverage.gaps[0][2] == 2 and coverage.gaps[0][0] == "tokens"
    assert coverage.line() == "2 of 5 checks ran (40.0%)"
    assert reason_of("port 8080 of '/a/b'") == "port … of …"
    assert reason_of("HSTS over https only (RFC 6797 §7.2), 3 ops") == "HSTS over https only (RFC 6797 §7.2), … ops"


def test_too_little_coverage_fails_the_gate_naming_the_largest_gaps() -> None:
    results = [result(Verdict.PASS)] * 3 + [result(Verdict.SKIPPED, "set signing_key_env")]
    passing = GateOutcome(target="t", suites=("tokens",), results=results, seconds=1.0)
    assert passing.verdict is Verdict.PASS and passing.coverage_failure is None
    strict = GateOutcome(target="t", suites=("tokens",), results=results, seconds=1.0, min_coverage=80)
    assert strict.verdict is Verdict.FAIL and strict.exit_code == 1
    assert strict.coverage_failure is not None and "75.0% is below the minimum of 80%" in strict.coverage_failure
    assert "signing_key_env" in strict.coverage_failure
    enough = GateOutcome(target="t", suites=("tokens",), results=results, seconds=1.0, min_coverage=75)
    assert enough.verdict is Verdict.PASS


def test_a_minimum_out_of_range_is_refused_on_the_command_line_and_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["gate", "--min-coverage", "101"])
    assert exited.value.code == 2 and "percentage from 0 to 100" in capsys.readouterr().err
    path = tmp_path / "contractgate.toml"
    path.write_text("min_coverage = 150\n")
    with pytest.raises(ConfigError, match="min_coverage: must be a percentage from 0 to 100"):
        load(path)
    path.write_text("min_coverage = 95\n")
    assert load(path).min_coverage == 95
