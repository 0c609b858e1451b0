"""The gate's reports: `gate.json`, `junit.xml`, `summary.md` and `index.html` under one directory.

Each format is a pure function of a `model.ReportData` (the outcome plus a generated-at time and the
contractgate version), in its own module. `write_reports` renders all four first and only then writes
them, each to a temporary file in the report directory renamed over the final name, so a crash or a
full disk never leaves half a report for CI to read. When `$GITHUB_STEP_SUMMARY` names a file (GitHub
Actions), the Markdown summary is appended to it as well.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from contractgate import __version__
from contractgate.gate import GateOutcome
from contractgate.reports import html, json_report, junit, markdown
from contractgate.reports.model import ReportData, build
from providers.errors import ConfigError

__all__ = ["REPORT_FILES", "ReportData", "build", "render_reports", "write_reports"]

#: File name → renderer, in the order the paths are returned and printed.
REPORT_FILES = {
    "gate.json": json_report.render,
    "junit.xml": junit.render,
    "summary.md": markdown.render,
    "index.html": html.render,
}

STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def render_reports(outcome: GateOutcome, *, generated_at: datetime | None = None) -> dict[str, str]:
    """File name → content of every report; `generated_at` defaults to now."""
    data = build(outcome, generated_at=generated_at or datetime.now().astimezone(), version=__version__)
    return {name: render(data) for name, render in REPORT_FILES.items()}


def _write_atomically(path: Path, content: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never write through a file (or link) someone else put there; 0o666 less the umask.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_reports(
    outcome: GateOutcome,
    report_dir: Path,
    *,
    environ: Mapping[str, str] = os.environ,
    generated_at: datetime | None = None,
) -> list[Path]:
    """Write the four reports under `report_dir` (created if missing); returns their paths.

    Raises `ConfigError` when the directory or the step summary cannot be written.
    """
    contents = render_reports(outcome, generated_at=generated_at)
    written: list[Path] = []
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        for name, content in contents.items():
            path = report_dir / name
            _write_atomically(path, content)
            written.append(path)
    except OSError as exc:
        raise ConfigError(f"cannot write reports to {report_dir}: {exc.strerror or exc}") from None
    step_summary = environ.get(STEP_SUMMARY)
    if step_summary:
        try:
            with open(step_summary, "a", encoding="utf-8", newline="\n") as stream:
                stream.write(contents["summary.md"] + "\n")
        except OSError as exc:
            raise ConfigError(
                f"cannot append to ${STEP_SUMMARY} ({step_summary}): {exc.strerror or exc}"
            ) from None
    return written
