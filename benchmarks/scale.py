"""Cost as work grows: the gate on a generated platform of 1×, 2×, 4×, 8× the operations, side by side.

For each size a synthetic FastAPI service (`benchmarks/synthetic`: `6 × size` CRUD collections, 5
operations each, plus health, login and `me`; 33 operations at 1×, about the reference platform's 36)
is served by uvicorn on a free 127.0.0.1 port in a thread of this process. Then, in a temporary folder,
a team's path: `contractgate init URL/openapi.json`, the few lines a person adds (every write allowed
in this sandbox, the signing key, credentials in the environment, the folder a git repository so
versioning has a base), and `contractgate gate --target staging` in a subprocess, same seed, same suites,
same example count at every size.

The live target's staging-safe limits (20 requests/s, 5,000 requests) would make the gate's time the
rate cap's and stop it at about 2× the base size; the benchmark lifts them to measure the gate's own
cost, and prints what the defaults would have imposed. Figures per size: wall time of `init` and of
the gate, CPU seconds of the gate process and of the service (this process), each suite's seconds
(`gate.json`), checks run and skipped, requests, fuzz cases; then ratios against the 1× size and the
curve's exponent (time ∝ operations^k). The machine may be shared: the 1× size is measured again at the
end to show the drift, and the load average is printed.

    python benchmarks/scale.py [--sizes 1,2,4,8] [--max-examples 5] [--seed 1] [--jobs 1] [--no-repeat]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.synthetic import ACCOUNTS, Settings, serve  # noqa: E402
from contractgate.config import LIVE_LIMITS  # noqa: E402

BIN = Path(sys.executable).parent
BASE_KINDS = 6
SETTINGS = Settings(ACCOUNTS)
CREDENTIALS = {
    "CONTRACTGATE_USER_USERNAME": ACCOUNTS[0].email,
    "CONTRACTGATE_USER_PASSWORD": ACCOUNTS[0].password,
    "CONTRACTGATE_OTHER_USER_USERNAME": ACCOUNTS[1].email,
    "CONTRACTGATE_OTHER_USER_PASSWORD": ACCOUNTS[1].password,
    "STAGING_SIGNING_KEY": SETTINGS.secret,
}
ENV = {**os.environ, **CREDENTIALS, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}
#: Lifted so that the figures are the gate's, not the staging safety net's (see the module docstring).
UNCAPPED = "rate = 1000000\nburst = 1000\nbudget = 100000000\n"


@dataclass
class Point:
    size: int
    operations: int
    init_seconds: float
    wall: float
    gate_cpu: float
    server_cpu: float
    exit_code: int
    requests: int = 0
    cases: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    suites: dict[str, float] = field(default_factory=dict)
    blocking: list[str] = field(default_factory=list)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds of a subprocess (its CPU from the children's rusage)."""
    cpu, started = _child_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=7200)
    return time.perf_counter() - started, _child_cpu() - cpu, done


def configure(folder: Path, document: dict) -> None:
    """What a person adds to init's output: the sandbox's writes, the signing key, uncapped limits."""
    writes = sorted(f"{m.upper()} {p}" for p, ops in document["paths"].items() for m in ops if m != "get")
    config = folder / "contractgate.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("# allow_writes = []", f"allow_writes = {json.dumps(writes)}\n#", 1)
    text = text.replace("# signing_key_env", "signing_key_env", 1)
    config.write_text(text + "\n[targets.staging.limits]\n" + UNCAPPED, encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@127.0.0.1"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "contracts"]):
        subprocess.run(git + command, cwd=folder, check=True, capture_output=True)


def measure(size: int, args: argparse.Namespace) -> Point:
    with serve(BASE_KINDS * size, SETTINGS) as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        document = httpx.get(f"{url}/openapi.json", timeout=30).json()
        operations = sum(len(ops) for ops in document["paths"].values())
        init_seconds, _, done = _run([str(BIN / "contractgate"), "init", f"{url}/openapi.json"], folder)
        if done.returncode != 0:
            raise SystemExit(f"init failed at {size}x: {done.stderr.strip()}")
        configure(folder, document)
        command = [str(BIN / "contractgate"), "gate", "--target", "staging", "--report-dir", "reports", "-q"]
        command += [
            "--seed",
            str(args.seed),
            "--max-examples",
            str(args.max_examples),
            "--jobs",
            str(args.jobs),
        ]
        if args.suites:
            command += ["--suite", args.suites]
        server = time.process_time()
        wall, cpu, done = _run(command, folder)
        point = Point(
            size, operations, init_seconds, wall, cpu, time.process_time() - server, done.returncode
        )
        report_path = folder / "reports" / "gate.json"
        if not report_path.is_file():
            raise SystemExit(
                f"gate wrote no report at {size}x (exit {done.returncode}): {done.stderr.strip()}"
            )
        report = json.loads(report_path.read_text(encoding="utf-8"))
    point.requests, point.counts = report["requests"], report["counts"]
    point.suites = {s["name"]: s["seconds"] for s in report["suites"] if s["ran"] and s["seconds"] >= 0.05}
    # Every fuzz result of a spec carries the spec's totals: count them once per spec.
    cases = {
        r["details"].get("spec"): int(r["details"].get("cases", 0))
        for r in report["results"]
        if r["suite"] == "fuzz"
    }
    point.cases = sum(cases.values())
    point.blocking = [
        f"{r['suite']} {r['operation']} {r['check']}: {r['observed']}"
        for r in report["results"]
        if r["verdict"] in ("fail", "error") and r["basis"] != "policy"
    ]
    return point


def exponent(a: float, b: float, ops_a: int, ops_b: int) -> float:
    """k in time ∝ operations^k between two sizes."""
    return math.log(b / a) / math.log(ops_b / ops_a) if a > 0 and b > 0 and ops_b != ops_a else float("nan")


def table(points: list[Point]) -> list[str]:
    suites = [s for s in dict.fromkeys(s for p in points for s in p.suites)]
    head = ["size", "ops", "init s", "gate s", "gate CPU s", "server CPU s", *(f"{s} s" for s in suites)]
    head += ["checks", "skipped", "requests", "fuzz cases", "exit", "at staging limits"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in points:
        ran = p.counts.get("total", 0) - p.counts.get("skipped", 0)
        floor = p.requests / (LIVE_LIMITS.rate or 1)
        staging = (
            "over budget" if LIVE_LIMITS.budget and p.requests > LIVE_LIMITS.budget else f"≥ {floor:.0f} s"
        )
        row = [
            f"{p.size}×",
            str(p.operations),
            f"{p.init_seconds:.1f}",
            f"{p.wall:.1f}",
            f"{p.gate_cpu:.1f}",
            f"{p.server_cpu:.1f}",
            *(f"{p.suites.get(s, 0):.1f}" for s in suites),
            f"{ran:,}",
            f"{p.counts.get('skipped', 0):,}",
            f"{p.requests:,}",
            f"{p.cases:,}",
            str(p.exit_code),
            staging,
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def ratios(points: list[Point]) -> list[str]:
    base = points[0]
    head = [
        "size",
        "ops ×",
        "gate s/op",
        "gate time ×",
        "gate CPU ×",
        "requests ×",
        "k (wall)",
        "k (gate CPU)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in points:
        k_wall = exponent(base.wall, p.wall, base.operations, p.operations)
        k_cpu = exponent(base.gate_cpu, p.gate_cpu, base.operations, p.operations)
        lines.append(
            f"| {p.size}× | {p.operations / base.operations:.2f} | {p.wall / p.operations:.3f} | "
            f"{p.wall / base.wall:.2f} | {p.gate_cpu / base.gate_cpu:.2f} | {p.requests / base.requests:.2f} | "
            + ("–" if p is base else f"{k_wall:.2f}")
            + " | "
            + ("–" if p is base else f"{k_cpu:.2f}")
            + " |"
        )
    return lines


def fit(points: list[Point], value: str) -> tuple[float, float]:
    """Least squares of `value` = fixed + per_op × operations: (fixed seconds, seconds per operation)."""
    xs, ys = [p.operations for p in points], [float(getattr(p, value)) for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0
    return mean_y - slope * mean_x, slope


def verdict(points: list[Point]) -> str:
    first, last = points[0], max(points, key=lambda p: p.operations)
    k = exponent(first.gate_cpu, last.gate_cpu, first.operations, last.operations)
    steps = [
        (a.size, b.size, exponent(a.gate_cpu, b.gate_cpu, a.operations, b.operations))
        for a, b in zip(points, points[1:], strict=False)
    ]
    per_suite = {
        s: exponent(first.suites[s], last.suites[s], first.operations, last.operations)
        for s in first.suites
        if s in last.suites and first.suites[s] >= 0.2
    }
    steepest = max(per_suite, key=lambda s: per_suite[s]) if per_suite else None
    shape = (
        "linear"
        if 0.9 <= k <= 1.15
        else ("superlinear" if k > 1.15 else "linear plus a fixed cost (which flattens the small sizes)")
    )
    if steps and k <= 1.15 and steps[-1][2] > 1.15:
        shape += f" overall, superlinear from {steps[-1][0]}× to {steps[-1][1]}×"
    where = ", ".join(f"{a}×→{b}×: k={x:.2f}" for a, b, x in steps)
    suites = ", ".join(f"{s} k={x:.2f}" for s, x in sorted(per_suite.items(), key=lambda i: -i[1]))
    note = f"; steepest suite: {steepest}" if steepest and per_suite[steepest] > 1.15 else ""
    (wall_fixed, wall_op), (cpu_fixed, cpu_op) = fit(points, "wall"), fit(points, "gate_cpu")
    return (
        f"verdict: {shape} — gate CPU ∝ operations^{k:.2f} from {first.operations} to {last.operations} "
        f"operations ({where}); as a line: gate ≈ {wall_fixed:.1f} s + {wall_op:.3f} s/op, gate CPU ≈ "
        f"{cpu_fixed:.1f} s + {cpu_op:.3f} s/op; per suite (wall): {suites}{note}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="multiples of the base size (default 1,2,4,8)")
    parser.add_argument(
        "--max-examples", type=int, default=5, help="Schemathesis examples per operation and phase"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--jobs", type=int, default=1, help="suites at the same time (1: per-suite times add up)"
    )
    parser.add_argument(
        "--suites", default="", help="comma-separated suites (default: every suite of the gate)"
    )
    parser.add_argument(
        "--no-repeat", action="store_true", help="do not measure the first size again at the end"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"contractgate scale benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        f"settings: sizes {','.join(f'{s}x' for s in sizes)} of {BASE_KINDS} collections (5 ops each + 3), "
        f"max-examples {args.max_examples}, seed {args.seed}, jobs {args.jobs}, suites {args.suites or 'all'}, "
        f"limits lifted ({UNCAPPED.strip().replace(chr(10), ', ')}); load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        flush=True,
    )
    points = []
    for size in sizes:
        point = measure(size, args)
        points.append(point)
        print(
            f"  {size}×: {point.operations} ops, gate {point.wall:.1f} s (exit {point.exit_code})", flush=True
        )
        for line in point.blocking[:5]:
            print(f"    blocking: {line}", flush=True)
    print()
    print("\n".join(table(points)))
    print()
    print("\n".join(ratios(points)))
    print()
    print(verdict(points))
    if not args.no_repeat:
        again = measure(sizes[0], args)
        first = points[0]
        print(
            f"drift: {sizes[0]}× again at the end: gate {again.wall:.1f} s (was {first.wall:.1f} s, "
            f"{again.wall / first.wall:.2f}×), gate CPU {again.gate_cpu:.1f} s (was {first.gate_cpu:.1f} s, "
            f"{again.gate_cpu / first.gate_cpu:.2f}×); load average "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
        )
    failed = [p for p in points if p.exit_code != 0]
    if failed:
        print(
            f"WARNING: the gate did not pass at {', '.join(f'{p.size}x' for p in failed)}: figures of a failed run"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
