"""Repeatability of the gate, measured: the whole gate N times on the embedded stubs, each with a fresh seed.

The stubs are the reference platform, so every run should pass: a run with exit 1 is a *false failure*
(a bug in the gate or the stubs), a run with exit 2 or one that timed out is an *error* (the gate could
not judge). For each run that did not pass, the seed, the exact command that replays it and the checks
that failed (read from its `gate.json`) are printed, so that a flake is reproducible. The summary gives
runs, passes, false failures, errors and the time per run (min / median / max).

Runs are sequential (each gate already uses both cores) and start from the repository root, as a user
would. Usage:

    python benchmarks/repeatability.py [--runs 20] [--max-examples N] [--jobs N] [--timeout 900]
                                       [--keep DIR] [--seed-list S1,S2,…]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}


@dataclass
class Run:
    index: int
    seed: int
    exit_code: int | None  # None: timed out
    seconds: float
    command: list[str]
    failures: list[dict[str, object]] = field(default_factory=list)
    output_tail: str = ""

    @property
    def outcome(self) -> str:
        if self.exit_code == 0:
            return "pass"
        if self.exit_code == 1:
            return "false failure"
        return "error" if self.exit_code is not None else "timeout"


def gate_command(seed: int, report_dir: Path, args: argparse.Namespace) -> list[str]:
    command = [str(BIN / "contractgate"), "gate", "--seed", str(seed), "--report-dir", str(report_dir), "-q"]
    if args.max_examples is not None:
        command += ["--max-examples", str(args.max_examples)]
    if args.jobs is not None:
        command += ["--jobs", str(args.jobs)]
    return command


def failing_checks(report: Path) -> list[dict[str, object]]:
    """The results of gate.json that are not a pass or a counted skip (none without a gate.json: the
    gate stopped before writing one, and its output says why)."""
    if not report.exists():
        return []
    try:
        document = json.loads(report.read_text())
    except (OSError, ValueError) as exc:
        return [{"suite": "-", "check": "gate.json", "observed": f"unreadable: {exc}"}]
    bad = [r for r in document.get("results", []) if r.get("verdict") in ("fail", "error")]
    if document.get("stopped"):
        bad.insert(0, {"suite": "-", "check": "stopped", "observed": document["stopped"]})
    return bad


def one_run(index: int, seed: int, args: argparse.Namespace, scratch: Path) -> Run:
    report_dir = scratch / f"run-{index:02d}"
    command = gate_command(seed, report_dir, args)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=args.timeout
        )
        code: int | None = done.returncode
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        code = None
        output = f"timed out after {args.timeout} s\n" + _text(exc.stdout) + _text(exc.stderr)
    run = Run(index, seed, code, time.perf_counter() - started, command)
    if code != 0:
        run.failures = failing_checks(report_dir / "gate.json")
        run.output_tail = "\n".join(output.strip().splitlines()[-15:])
        if args.keep is not None:
            target = args.keep / f"run-{index:02d}-seed-{seed}"
            shutil.rmtree(target, ignore_errors=True)
            if report_dir.exists():
                shutil.copytree(report_dir, target)
            target.mkdir(parents=True, exist_ok=True)
            (target / "output.txt").write_text(output)
    shutil.rmtree(report_dir, ignore_errors=True)
    return run


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def describe(run: Run) -> list[str]:
    report_at = run.command.index("--report-dir")
    replay = " ".join(["contractgate"] + run.command[1:report_at] + run.command[report_at + 2 :])
    lines = [
        f"  run {run.index}: {run.outcome} (exit {run.exit_code}), seed {run.seed}",
        f"    replay: {replay}",
    ]
    for result in run.failures[:20]:
        observed = " ".join(str(result.get("observed", "")).split())[:220]
        where = " ".join(str(result.get(k, "")) for k in ("suite", "service", "operation") if result.get(k))
        lines.append(f"    [{result.get('verdict', '-')}] {where} :: {result.get('check', '')} — {observed}")
    if len(run.failures) > 20:
        lines.append(f"    … and {len(run.failures) - 20} more")
    if not run.failures:
        lines += ["    output (last lines):"] + [f"      {line}" for line in run.output_tail.splitlines()]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="gate runs (default 20)")
    parser.add_argument(
        "--max-examples", type=int, default=None, help="passed to the gate (default: its own)"
    )
    parser.add_argument("--jobs", type=int, default=None, help="passed to the gate (default: its own)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run counts as hung")
    parser.add_argument(
        "--keep", type=Path, default=None, help="copy the reports of runs that did not pass here"
    )
    parser.add_argument(
        "--seed-list", default=None, help="comma-separated seeds to replay instead of random ones"
    )
    args = parser.parse_args()
    if args.runs < 1:
        print("repeatability: --runs must be at least 1", file=sys.stderr)
        return 2
    if args.seed_list:
        try:
            seeds = [int(s) for s in args.seed_list.split(",") if s.strip()]
        except ValueError:
            print(
                f"repeatability: --seed-list is not a list of integers: {args.seed_list!r}", file=sys.stderr
            )
            return 2
    else:
        rng = random.SystemRandom()
        seeds = [rng.getrandbits(64) for _ in range(args.runs)]

    print(
        f"contractgate repeatability — {len(seeds)} gate runs on the embedded stubs, {os.cpu_count()} cores"
    )
    runs: list[Run] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="contractgate-repeat-") as scratch:
        for index, seed in enumerate(seeds, 1):
            run = one_run(index, seed, args, Path(scratch))
            runs.append(run)
            print(
                f"run {index:2d}/{len(seeds)}  seed {seed:<20d}  {run.outcome:<13s}  {run.seconds:6.1f} s",
                flush=True,
            )
            if run.exit_code != 0:
                print("\n".join(describe(run)), flush=True)
    total = time.perf_counter() - started

    times = [r.seconds for r in runs]
    by_outcome = {
        o: [r for r in runs if r.outcome == o] for o in ("pass", "false failure", "error", "timeout")
    }
    print("\n## Summary")
    print(f"runs:            {len(runs)}")
    print(f"passes:          {len(by_outcome['pass'])}")
    print(
        f"false failures:  {len(by_outcome['false failure'])}  (exit 1 against the reference stubs; target 0)"
    )
    print(f"errors:          {len(by_outcome['error'])}  (exit 2)")
    print(f"timeouts:        {len(by_outcome['timeout'])}  (over {args.timeout:g} s)")
    print(
        f"time per run:    min {min(times):.1f} s, median {statistics.median(times):.1f} s, max {max(times):.1f} s"
    )
    print(f"wall time:       {total:.0f} s")
    not_passed = [r for r in runs if r.exit_code != 0]
    if not_passed:
        print("seeds that did not pass: " + ",".join(str(r.seed) for r in not_passed))
        print("\n".join(line for r in not_passed for line in describe(r)))
    return 0 if not not_passed else 1


if __name__ == "__main__":
    sys.exit(main())
