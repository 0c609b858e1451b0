"""Sharding's cost and gain: the whole gate on the embedded stubs, unsharded and as N shards, side by side.

In one run, same seed and settings: `contractgate gate` unsharded; then `gate --shard K/N` for K = 1..N
started together (as N CI runners would, but here on this machine's cores), then `report merge` of
their reports; then, unless `--no-alone`, each shard again on its own (what one runner of a matrix
would take, the matrix's wall time being the slowest of them). Every gate is a subprocess that starts its
own stubs. Printed: wall time of each, ratios to the unsharded run, the checks of the merge against the
unsharded run's (they must be the same checks), the exit codes, and the load average (the machine may
be shared; the gate already spreads fuzzing over every core, so shards side by side on one machine
compete for the same cores).

    python benchmarks/shards.py [--shards 2] [--seed 1] [--max-examples N] [--no-alone]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "contractgate"]
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}


def gate_command(report_dir: Path, seed: int, examples: int | None, shard: str | None) -> list[str]:
    command = [*CLI, "gate", "-q", "--seed", str(seed), "--report-dir", str(report_dir)]
    if examples is not None:
        command += ["--max-examples", str(examples)]
    return command + (["--shard", shard] if shard else [])


def run_together(commands: list[list[str]]) -> tuple[float, list[float], list[int]]:
    """Start every command at once; (wall time of all, each one's wall time, each one's exit code)."""
    started = time.monotonic()
    processes = [
        subprocess.Popen(c, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    ended = [0.0] * len(processes)
    codes = [0] * len(processes)
    waiting = set(range(len(processes)))
    while waiting:
        for index in list(waiting):
            code = processes[index].poll()
            if code is not None:
                ended[index] = time.monotonic() - started
                codes[index] = code
                waiting.discard(index)
        time.sleep(0.05)
    for command, process in zip(commands, processes, strict=True):
        if process.returncode not in (0, 1) and process.stderr is not None:
            print(f"  ({' '.join(command[3:])}: {process.stderr.read().strip()[-300:]})")
    return time.monotonic() - started, ended, codes


def checks(report_dir: Path) -> Counter[tuple[str, str, str, str, str]]:
    document = json.loads((report_dir / "gate.json").read_text(encoding="utf-8"))
    return Counter(
        (r["suite"], r["service"], r["operation"], r["check"], r["verdict"]) for r in document["results"]
    )


def suite_seconds(report_dir: Path) -> dict[str, float | None]:
    document = json.loads((report_dir / "gate.json").read_text(encoding="utf-8"))
    return {s["name"]: s["seconds"] for s in document["suites"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--no-alone", action="store_true", help="skip each shard on its own")
    args = parser.parse_args()
    n = args.shards
    with tempfile.TemporaryDirectory(prefix="shards-bench-") as folder:
        base = Path(folder)
        print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
        whole, _, (whole_code,) = run_together([gate_command(base / "whole", args.seed, args.max_examples, None)])
        print(f"unsharded gate: {whole:.1f} s (exit {whole_code})")
        shard_dirs = [base / f"shard-{k}" for k in range(1, n + 1)]
        commands = [
            gate_command(d, args.seed, args.max_examples, f"{k}/{n}") for k, d in enumerate(shard_dirs, 1)
        ]
        together, each, codes = run_together(commands)
        print(
            f"{n} shards side by side: {together:.1f} s — {whole / together:.2f}× the unsharded speed "
            f"(each {', '.join(f'{s:.1f} s' for s in each)}; exits {codes})"
        )
        started = time.monotonic()
        merged = subprocess.run(
            [*CLI, "report", "merge", *map(str, shard_dirs), "--report-dir", str(base / "merged"), "-q"],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
        )
        merge_seconds = time.monotonic() - started
        same = checks(base / "merged") == checks(base / "whole")
        print(
            f"report merge: {merge_seconds:.1f} s (exit {merged.returncode}); "
            f"its checks and verdicts {'are' if same else 'are NOT'} the unsharded run's "
            f"({sum(checks(base / 'merged').values())} vs {sum(checks(base / 'whole').values())})"
        )
        if not args.no_alone:
            alone = [run_together([c])[0] for c in commands]
            slowest = max(alone)
            print(
                f"each shard alone (one runner each): {', '.join(f'{s:.1f} s' for s in alone)} — "
                f"a matrix's wall time {slowest:.1f} s, {whole / slowest:.2f}× the unsharded speed; "
                f"{sum(alone):.1f} s of runner time ({sum(alone) / whole:.2f}× the unsharded run's)"
            )
        which = "alone" if not args.no_alone else "side by side"
        print(f"suite seconds (gate.json), unsharded | each shard ({which}):")
        per = [suite_seconds(base / "whole"), *(suite_seconds(d) for d in shard_dirs)]
        for suite in per[0]:
            print(f"  {suite:<11} " + " | ".join(f"{p.get(suite) or 0:6.1f}" for p in per))
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return 0 if same and merged.returncode == whole_code else 1


if __name__ == "__main__":
    sys.exit(main())
