"""The fuzz suite against the Schemathesis CLI on a platform the gate was not built with (figures only).

taskboard (`tests/platforms/taskboard`) is served with one planted fault that only fuzzing finds (by
default `int64-path-500`: a path id past the 64-bit range answers 500). For each seed, side by side: the
Schemathesis CLI on the service's own `/openapi.json` with a user token (`--checks all`), and
`contractgate gate --suite fuzz` configured from `contractgate init` as the e2e test does. Printed: for
each seed whether each found the fault and its seconds, then how many seeds each found it in.

    python benchmarks/second_platform.py [--seeds 5] [--examples 25] [--fault int64-path-500]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import schemathesis_command, timed  # noqa: E402
from contractgate.cli import main  # noqa: E402
from tests.e2e.test_second_platform import ENVIRONMENT, configure, failing  # noqa: E402
from tests.platforms.taskboard import DEMO_ACCOUNTS, Settings, serve  # noqa: E402


def user_token(url: str) -> str:
    answer = httpx.post(
        f"{url}/api/session",
        data={
            "email": ENVIRONMENT["CONTRACTGATE_USER_USERNAME"],
            "password": ENVIRONMENT["CONTRACTGATE_USER_PASSWORD"],
        },
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def cli_finds(url: str, seed: int, examples: int) -> tuple[bool, float]:
    command = schemathesis_command(f"{url}/openapi.json", user_token(url), examples=examples, seed=seed)
    seconds, _, output = timed(command)
    return "Server error" in output, seconds


def gate_finds(url: str, seed: int, examples: int) -> tuple[bool, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        previous = Path.cwd()
        os.chdir(folder)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # init's and the gate's own output
                configure(url, folder)
            started = time.perf_counter()
            reports = folder / "reports"
            with contextlib.redirect_stdout(io.StringIO()):
                main(["gate", "--target", "staging", "--suite", "fuzz", "--seed", str(seed), "--max-examples",
                      str(examples), "--report-dir", str(reports), "-q"])  # fmt: skip
            elapsed = time.perf_counter() - started
            report = json.loads((reports / "gate.json").read_text(encoding="utf-8"))
        finally:
            os.chdir(previous)
    return ("fuzz", "not_a_server_error") in failing(report), elapsed


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--fault", default="int64-path-500")
    args = parser.parse_args()
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # the planted 500s' tracebacks
    os.environ.update(ENVIRONMENT)
    found = {"cli": 0, "gate": 0}
    print(f"fault {args.fault}, {args.examples} examples per operation")
    print(f"{'seed':>4}  {'CLI':>12}  {'gate fuzz':>12}")
    for seed in range(1, args.seeds + 1):
        row = []
        for name, run in (("cli", cli_finds), ("gate", gate_finds)):
            with serve(Settings(DEMO_ACCOUNTS, faults=frozenset({args.fault}))) as url:
                hit, seconds = run(url, seed, args.examples)
            found[name] += hit
            row.append(f"{'found' if hit else 'missed'} {seconds:5.1f}s")
        print(f"{seed:>4}  {row[0]:>12}  {row[1]:>12}", flush=True)
    print(f"found in: CLI {found['cli']}/{args.seeds} seeds, gate {found['gate']}/{args.seeds} seeds")


if __name__ == "__main__":
    main_()
