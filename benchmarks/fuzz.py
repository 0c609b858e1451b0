"""The fuzz suite's speed, measured side by side in one run (figures and ratios, no assertions).

1. One process against worker processes: the fuzz suite over the four reference specs on the embedded
   stubs, same seed and example count — in one process in-process (ASGI), in one process over HTTP,
   and spread over N worker processes over HTTP. Cases, seconds and cases per second, side by side, and
   whether the N-process run gave the same results as the one-process runs.
2. The fuzz suite against the Schemathesis CLI run separately: `contractgate stubs serve` in a
   subprocess; the CLI once per spec and token kind, one run after another (as a user without
   contractgate would), then the fuzz suite against the same served stubs with N workers.

The machine's cores are shared with whatever else runs on it: compare ratios taken in the same run.
Usage:

    python benchmarks/fuzz.py [--examples 25] [--seed 1] [--jobs N] [--skip SECTION …]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import BIN, ENV, cli_runs_of, served_stubs  # noqa: E402
from contracts import openapi_specs  # noqa: E402
from providers.fuzz.parallel import cpu_count  # noqa: E402
from providers.results import Result  # noqa: E402
from providers.target import Target, url_target  # noqa: E402


def fuzz(target: Target, examples: int, seed: int, suite: dict[str, Any]) -> tuple[list[Result], float]:
    """The gate's fuzz suite over every reference spec; its results and wall seconds."""
    from contractgate.credentials import demo_credentials
    from providers import fuzz as suite_module
    from providers.credentials import TokenSource
    from providers.http import Limits, RequestGuard, TargetHttp
    from providers.redact import Redactor
    from providers.suite import RunContext, RunOptions

    http = TargetHttp(RequestGuard(Limits()))
    redactor = Redactor()
    credentials = demo_credentials()
    ctx = RunContext(
        target=target,
        specs=openapi_specs(),
        asyncapi=None,
        credentials=credentials,
        tokens=TokenSource(target, credentials, http, redactor),
        http=http,
        redactor=redactor,
        options=RunOptions(seed=seed, max_examples=examples, suites={"fuzz": suite}),
    )
    started = time.perf_counter()
    try:
        results = list(suite_module.run(ctx))
    finally:
        http.close()
    return results, time.perf_counter() - started


def cases(results: list[Result]) -> int:
    per_spec = {str(r.details["spec"]): int(r.details["cases"]) for r in results if "cases" in r.details}
    return sum(per_spec.values())


def verdicts(results: list[Result]) -> list[tuple[str, str, str, str]]:
    return [(str(r.details.get("spec")), r.operation, r.check, str(r.verdict)) for r in results]


def line(label: str, results: list[Result], seconds: float) -> str:
    n = cases(results)
    return f"{label:<38} {n:6d} cases in {seconds:6.1f} s = {n / seconds:6.0f} cases/s"


def section_processes(args: argparse.Namespace) -> list[str]:
    from contractgate.embedded import embedded_stubs

    with embedded_stubs() as (_, target):
        in_process, in_seconds = fuzz(target, args.examples, args.seed, {"jobs": 1, "in_process": True})
        http, http_seconds = fuzz(target, args.examples, args.seed, {"jobs": 1, "in_process": False})
        spread, spread_seconds = fuzz(target, args.examples, args.seed, {"jobs": args.jobs})
    same = verdicts(spread) == verdicts(in_process) == verdicts(http)
    return [
        f"## 1. One process against {args.jobs} worker processes (four specs, embedded stubs, same seed)",
        line("1 process, in-process (ASGI):", in_process, in_seconds),
        line("1 process, over HTTP:", http, http_seconds),
        line(f"{args.jobs} worker processes, over HTTP:", spread, spread_seconds),
        f"wall time, 1 process in-process / {args.jobs} processes: {in_seconds / spread_seconds:5.2f}x",
        f"wall time, 1 process over HTTP / {args.jobs} processes:  {http_seconds / spread_seconds:5.2f}x",
        f"same results (spec, operation, check, verdict) in all three: {'yes' if same else 'NO'}"
        f" ({len(spread)} results)",
    ]


def cli_runs(urls: dict[str, str], examples: int, seed: int) -> tuple[int, float, list[str]]:
    """The Schemathesis CLI per spec and token kind, one after another: cases, seconds, problems."""
    notes: list[str] = []
    total = 0
    started = time.perf_counter()
    for spec in openapi_specs():
        for kind, bearer, ids in cli_runs_of(spec, urls["auth-service"]):
            with tempfile.TemporaryDirectory() as folder:  # a fresh working directory: no example database
                report = Path(folder) / "report.json"
                command = [str(BIN / "schemathesis"), "run", str(spec.path), "--url", urls[spec.service]]
                command += ["--checks", "all", "--max-examples", str(examples), "--seed", str(seed)]
                command += ["-H", f"Authorization: Bearer {bearer}", "--report", "json"]
                command += ["--report-json-path", str(report)]
                for operation_id in ids:
                    command += ["--include-operation-id", operation_id]
                done = subprocess.run(
                    command, cwd=folder, env=ENV, capture_output=True, text=True, timeout=1800
                )
                if done.returncode != 0:
                    notes.append(f"{spec.name} {kind}: exit {done.returncode}")
                if report.is_file():
                    total += int(json.loads(report.read_text())["test_cases"]["generated"])
    return total, time.perf_counter() - started, notes


def section_cli(args: argparse.Namespace) -> list[str]:
    with served_stubs() as urls:
        cli_cases, cli_seconds, notes = cli_runs(urls, args.examples, args.seed)
        target = url_target("served", urls, live=False)
        gate, gate_seconds = fuzz(target, args.examples, args.seed, {"jobs": args.jobs})
    failing = [f"{r.operation} {r.check}" for r in gate if r.verdict != "pass"]
    return [
        "## 2. The fuzz suite against the Schemathesis CLI run separately (`contractgate stubs serve`)",
        f"{'Schemathesis CLI, per spec and token kind:':<38} {cli_cases:6d} cases in {cli_seconds:6.1f} s"
        f" = {cli_cases / cli_seconds:6.0f} cases/s" + (f"  [{'; '.join(notes)}]" if notes else ""),
        line(f"fuzz suite, {args.jobs} worker processes:", gate, gate_seconds)
        + (f"  [not passing: {', '.join(failing[:5])}]" if failing else ""),
        f"wall time, CLI / fuzz suite: {cli_seconds / gate_seconds:5.2f}x",
    ]


SECTIONS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "processes": section_processes,
    "cli": section_cli,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=cpu_count(), help="worker processes (default: cores)")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(SECTIONS))
    args = parser.parse_args()
    print(f"fuzz benchmarks — {cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    for name, section in SECTIONS.items():
        if name in args.skip:
            continue
        print()
        for text in section(args):
            print(text, flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
