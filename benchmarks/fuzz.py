"""The fuzz suite's speed, measured side by side in one run (figures and ratios, no assertions).

1. One process against worker processes: the fuzz suite over the four reference specs on the embedded
   stubs, same seed and example count — in one process in-process (ASGI), in one process over HTTP,
   and spread over N worker processes over HTTP, each several times, interleaved: cases, seconds, cases
   per second and CPU seconds (median run), and whether every run gave the same results.
2. The fuzz suite against the Schemathesis CLI run separately: `contractgate stubs serve` in a
   subprocess; the CLI once per spec and token kind, one run after another (as a user without
   contractgate would), then the fuzz suite against the same served stubs with N workers.

The machine's cores are shared with whatever else runs on it: compare ratios taken in the same run.
Usage:

    python benchmarks/fuzz.py [--examples 25] [--seed 1] [--jobs N] [--repeat 3] [--skip SECTION …]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKER_CPU = re.compile(r"([\d.]+)s of CPU in a worker process")
sys.path.insert(0, str(ROOT))

from benchmarks.run import ENV, cli_runs_of, schemathesis_command, served_stubs  # noqa: E402
from contracts import openapi_specs  # noqa: E402
from providers.fuzz.parallel import cpu_count  # noqa: E402
from providers.results import Result  # noqa: E402
from providers.target import Target, url_target  # noqa: E402


@dataclass
class Run:
    results: list[Result]
    seconds: float
    #: CPU seconds: this process (generation when in one process, the servers of the embedded stubs,
    #: the broker) and the worker processes (as they report it).
    cpu_here: float
    cpu_workers: float

    @property
    def cases(self) -> int:
        per_spec = {
            str(r.details["spec"]): int(r.details["cases"]) for r in self.results if "cases" in r.details
        }
        return sum(per_spec.values())


def fuzz(target: Target, examples: int, seed: int, suite: dict[str, Any]) -> Run:
    """The gate's fuzz suite over every reference spec, timed."""
    from contractgate.credentials import demo_credentials
    from providers import fuzz as suite_module
    from providers.credentials import TokenSource
    from providers.http import Limits, RequestGuard, TargetHttp
    from providers.redact import Redactor
    from providers.suite import Progress, RunContext, RunOptions

    worker_cpu: list[float] = []

    def emit(progress: Progress) -> None:
        found = WORKER_CPU.search(progress.message)
        if found:
            worker_cpu.append(float(found.group(1)))

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
        emit=emit,
    )
    started, cpu = time.perf_counter(), time.process_time()
    try:
        results = list(suite_module.run(ctx))
    finally:
        http.close()
    return Run(results, time.perf_counter() - started, time.process_time() - cpu, sum(worker_cpu))


def verdicts(results: list[Result]) -> list[tuple[str, str, str, str]]:
    return [(str(r.details.get("spec")), r.operation, r.check, str(r.verdict)) for r in results]


def line(label: str, runs: list[Run]) -> str:
    """The median run of several (by wall time)."""
    run = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    cpu = run.cpu_here + run.cpu_workers
    return (
        f"{label:<34} {run.cases:5d} cases in {run.seconds:5.1f} s = {run.cases / run.seconds:4.0f} cases/s;"
        f" CPU {cpu:5.1f} s ({run.cpu_here:.1f} here + {run.cpu_workers:.1f} in workers)"
    )


def median_seconds(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def section_processes(args: argparse.Namespace) -> list[str]:
    from contractgate.embedded import embedded_stubs

    configurations = {
        "1 process, in-process (ASGI):": {"jobs": 1, "in_process": True},
        "1 process, over HTTP:": {"jobs": 1, "in_process": False},
        f"{args.jobs} worker processes, over HTTP:": {"jobs": args.jobs},
    }
    runs: dict[str, list[Run]] = {label: [] for label in configurations}
    for _ in range(args.repeat):  # interleaved, so that a change in the machine's load hits all alike
        for label, suite in configurations.items():
            with embedded_stubs() as (_, target):
                runs[label].append(fuzz(target, args.examples, args.seed, suite))
    in_process, http, spread = (runs[label] for label in configurations)
    same = all(
        verdicts(run.results) == verdicts(in_process[0].results) for group in runs.values() for run in group
    )
    return [
        f"## 1. One process against {args.jobs} worker processes (four specs, embedded stubs, same seed;"
        f" median of {args.repeat})",
        *(line(label, group) for label, group in runs.items()),
        f"wall time, 1 process in-process / {args.jobs} processes: {median_seconds(in_process) / median_seconds(spread):5.2f}x",
        f"wall time, 1 process over HTTP / {args.jobs} processes:  {median_seconds(http) / median_seconds(spread):5.2f}x",
        f"same results (spec, operation, check, verdict) in every run: {'yes' if same else 'NO'}"
        f" ({len(spread[0].results)} results)",
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
                command = schemathesis_command(
                    str(spec.path),
                    bearer,
                    examples=examples,
                    seed=seed,
                    url=urls[spec.service],
                    operation_ids=ids,
                )
                command += ["--report", "json", "--report-json-path", str(report)]
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
        gate = fuzz(target, args.examples, args.seed, {"jobs": args.jobs})
    failing = [f"{r.operation} {r.check}" for r in gate.results if r.verdict != "pass"]
    return [
        "## 2. The fuzz suite against the Schemathesis CLI run separately (`contractgate stubs serve`)",
        f"{'Schemathesis CLI, per spec and token:':<34} {cli_cases:5d} cases in {cli_seconds:5.1f} s"
        f" = {cli_cases / cli_seconds:4.0f} cases/s" + (f"  [{'; '.join(notes)}]" if notes else ""),
        line(f"fuzz suite, {args.jobs} worker processes:", [gate])
        + (f"  [not passing: {', '.join(failing[:5])}]" if failing else ""),
        f"wall time, CLI / fuzz suite: {cli_seconds / gate.seconds:5.2f}x",
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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration in section 1")
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
