"""`contractgate gate --report-dir/--no-reports`: reports after the run, one line naming them, exit code kept.

The gate itself is replaced by a synthetic outcome here; `test_gate_end_to_end.py` runs the real one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import contractgate.commands.gate as gate_command
from contractgate.cli import main
from contractgate.gate import GateOutcome
from tests.contractgate.reports.samples import outcome, passing

NAMES = ["gate.json", "junit.xml", "summary.md", "index.html"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _gate_returns(monkeypatch: pytest.MonkeyPatch, result: GateOutcome) -> None:
    def run_gate(plan: Any, listener: Any = None) -> GateOutcome:
        return result

    monkeypatch.setattr(gate_command, "run_gate", run_gate)


def test_reports_go_to_reports_by_default_and_are_named_on_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _gate_returns(monkeypatch, outcome())
    assert main(["gate", "-q"]) == 1  # the verdict's exit code, untouched
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(NAMES)
    out = capsys.readouterr().out.strip().splitlines()
    assert [line for line in out if line.startswith("reports:")] == [
        "reports: " + " ".join(f"reports/{name}" for name in NAMES)
    ]
    assert out[-1].startswith("FAIL")  # the verdict stays the last line


def test_report_dir_chooses_where(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _gate_returns(monkeypatch, passing())
    step_summary = tmp_path / "step.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    assert main(["gate", "--report-dir", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(NAMES)
    assert not (tmp_path / "reports").exists()
    assert step_summary.read_text(encoding="utf-8").startswith("## contractgate: PASS")
    assert f"reports: {tmp_path / 'out' / 'gate.json'}" in capsys.readouterr().out


def test_no_reports_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _gate_returns(monkeypatch, outcome())
    assert main(["gate", "--no-reports"]) == 1
    assert list(tmp_path.iterdir()) == []
    assert "reports:" not in capsys.readouterr().out


def test_report_dir_and_no_reports_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "--no-reports", "--report-dir", "x"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("make", "code"), [(passing, 2), (outcome, 1)], ids=["pass-becomes-2", "fail-stays-1"]
)
def test_reports_that_cannot_be_written_are_one_line_on_stderr(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Any,
    code: int,
) -> None:
    _gate_returns(monkeypatch, make())
    (tmp_path / "blocker").write_text("a file, not a directory")
    assert main(["gate", "--report-dir", "blocker/reports"]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("contractgate: error: cannot write reports to blocker/reports")
