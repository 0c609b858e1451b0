"""`write_reports`: the four files, atomically; the step summary appended; unwritable places are one error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import contractgate.reports as reports
from contractgate.reports import REPORT_FILES, render_reports, write_reports
from providers.errors import ConfigError
from tests.contractgate.reports.samples import GENERATED_AT, outcome


def test_writes_the_four_reports_and_returns_their_paths(tmp_path: Path) -> None:
    report_dir = tmp_path / "nested" / "reports"
    paths = write_reports(outcome(), report_dir, environ={}, generated_at=GENERATED_AT)
    assert paths == [report_dir / name for name in ("gate.json", "junit.xml", "summary.md", "index.html")]
    expected = render_reports(outcome(), generated_at=GENERATED_AT)
    for path in paths:
        assert path.read_text(encoding="utf-8") == expected[path.name]
    assert sorted(p.name for p in report_dir.iterdir()) == sorted(REPORT_FILES)  # no temporary files left


def test_reports_are_readable_by_others_like_any_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        paths = write_reports(outcome(), tmp_path, environ={})
    finally:
        os.umask(previous)
    assert {oct(p.stat().st_mode & 0o777) for p in paths} == {oct(0o644)}


def test_the_summary_is_appended_to_the_github_step_summary(tmp_path: Path) -> None:
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("# earlier step\n", encoding="utf-8")
    environ = {"GITHUB_STEP_SUMMARY": str(step_summary)}
    write_reports(outcome(), tmp_path / "a", environ=environ, generated_at=GENERATED_AT)
    write_reports(outcome(), tmp_path / "b", environ=environ, generated_at=GENERATED_AT)
    summary = (tmp_path / "a" / "summary.md").read_text(encoding="utf-8")
    assert step_summary.read_text(encoding="utf-8") == "# earlier step\n" + (summary + "\n") * 2


def test_no_step_summary_without_the_variable(tmp_path: Path) -> None:
    write_reports(outcome(), tmp_path / "r", environ={"GITHUB_STEP_SUMMARY": ""})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_renderer_that_fails_leaves_the_previous_reports_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_reports(outcome(), tmp_path, environ={}, generated_at=GENERATED_AT)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(data: object) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(REPORT_FILES, "index.html", broken)
    with pytest.raises(RuntimeError):
        write_reports(outcome(results=[]), tmp_path, environ={})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_crash_while_writing_never_leaves_half_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_reports(outcome(), tmp_path, environ={}, generated_at=GENERATED_AT)
    old_junit = (tmp_path / "junit.xml").read_bytes()
    real_replace = os.replace

    def replace(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "junit.xml":
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(reports.os, "replace", replace)
    with pytest.raises(ConfigError, match=r"cannot write reports to .*: No space left on device"):
        write_reports(outcome(results=[]), tmp_path, environ={})
    assert (tmp_path / "junit.xml").read_bytes() == old_junit
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(REPORT_FILES)


def test_an_unwritable_report_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot write reports to"):
        write_reports(outcome(), blocker / "reports", environ={})


def test_an_unwritable_step_summary_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot append to \$GITHUB_STEP_SUMMARY"):
        write_reports(outcome(), tmp_path / "r", environ={"GITHUB_STEP_SUMMARY": str(tmp_path)})
