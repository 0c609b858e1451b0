"""Running the gate's fuzz suite and the Schemathesis CLI over the same spec, and what each found."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from contractgate.credentials import demo_credentials
from contracts import SpecFile
from providers import fuzz
from providers.credentials import TokenSource
from providers.http import Limits, RequestGuard, TargetHttp
from providers.platform import of_folder
from providers.redact import Redactor
from providers.results import Result, Verdict
from providers.suite import Emit, RunContext, RunOptions
from providers.target import Target

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


def spec_file(document: dict[str, Any], folder: Path, name: str = "planted-v1") -> SpecFile:
    """`document` written as YAML under `folder` (the CLI reads a file), as the gate's `SpecFile`."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    info = document["info"]
    return SpecFile(name, path, info["x-service"], info["x-api-version"], document)


def context(
    target: Target,
    specs: Sequence[SpecFile],
    *,
    seed: int | None = 7,
    max_examples: int = 5,
    suite: dict[str, Any] | None = None,
    allow_writes: Iterable[str] = (),
    limits: Limits | None = None,
    emit: Emit | None = None,
) -> RunContext:
    """A run context over `specs` with the demo credentials; the caller closes `ctx.http`."""
    http = TargetHttp(RequestGuard(limits or Limits(timeout=10)))
    redactor = Redactor()
    credentials = demo_credentials()
    return RunContext(
        platform=of_folder(),
        target=target,
        specs=tuple(specs),
        asyncapi=None,
        credentials=credentials,
        tokens=TokenSource(target, credentials, http, redactor),
        http=http,
        redactor=redactor,
        options=RunOptions(
            seed=seed,
            max_examples=max_examples,
            suites={"fuzz": suite or {}},
            allow_writes=frozenset(allow_writes),
        ),
        emit=emit or (lambda progress: None),
    )


def run_gate(target: Target, spec: SpecFile | Sequence[SpecFile], **options: Any) -> list[Result]:
    """The fuzz suite's results over `spec` (one or several); `options` as `context` takes them."""
    ctx = context(target, [spec] if isinstance(spec, SpecFile) else spec, **options)
    try:
        return list(fuzz.run(ctx))
    finally:
        ctx.http.close()


def gate_found(results: Iterable[Result]) -> set[tuple[str, str]]:
    """(operation, check) of every failing result."""
    return {(r.operation, r.check) for r in results if r.verdict == Verdict.FAIL}


def run_cli(spec: SpecFile, url: str, *, seed: int, max_examples: int, workdir: Path) -> set[tuple[str, str]]:
    """The real Schemathesis CLI, as a user runs it on a fresh checkout: (path, failure title) it reports.

    `workdir` is the working directory and must be new: the CLI keeps an example database there that
    would replay earlier runs' failures.
    """
    workdir.mkdir(parents=True)
    report = workdir / "report.json"
    command = [SCHEMATHESIS, "run", str(spec.path), "--url", url, "--checks", "all", "--seed", str(seed)]
    command += ["--max-examples", str(max_examples), "--report", "json", "--report-json-path", str(report)]
    completed = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=120)
    assert report.is_file(), f"the CLI wrote no report:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
    document = json.loads(report.read_text())
    assert document["complete"], document
    return {
        (operation.split(" ", 1)[1], failure["title"])
        for failure in document["failures"]
        for operation in failure["operations"]
    }
