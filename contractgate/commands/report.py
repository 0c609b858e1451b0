"""`contractgate report merge DIR…`: one verdict and the four reports of a run made of shards.

Each DIR is the `--report-dir` of one `contractgate gate --shard K/N`; the merge (`reports.merge`) checks
that they are the N shards of one run and writes `gate.json`, `junit.xml`, `summary.md` and
`index.html` of the whole, then prints the verdict line like the gate and exits like it: 0 every
contract holds, 1 a contract failed (in any shard) or too little of the whole ran (`--min-coverage`, else
the shards' own), 2 it could not judge (a shard stopped, nothing passed, or the reports do not add up to
one run).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from contractgate.commands import Subcommands, one_line, percent
from contractgate.reports import write_reports
from contractgate.reports.merge import merge
from contractgate.terminal import TerminalRenderer

DEFAULT_DIR = Path("reports")


def run_merge(args: argparse.Namespace) -> int:
    outcome = merge(list(args.directories))
    if args.min_coverage is not None:
        outcome = dataclasses.replace(outcome, min_coverage=args.min_coverage)
    paths = write_reports(outcome, args.report_dir)
    print("reports: " + " ".join(str(path) for path in paths), flush=True)
    TerminalRenderer(verbosity=1 - args.quiet).summary(outcome)
    if outcome.stopped:
        print(f"contractgate: error: {one_line(outcome.stopped)}", file=sys.stderr)
    return outcome.exit_code


def register(commands: Subcommands) -> None:
    report = commands.add_parser("report", help="work with the gate's reports (merge the shards of a run)")
    sub = report.add_subparsers(dest="report_command", required=True, metavar="COMMAND")
    merge_parser = sub.add_parser(
        "merge",
        help="one verdict and the four reports of a run from its shards' report directories",
        description="Merge the report directories of `contractgate gate --shard K/N` (K = 1..N) into the "
        "reports of the whole run; exits like the gate.",
    )
    merge_parser.add_argument(
        "directories",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="each shard's --report-dir (or its gate.json)",
    )
    merge_parser.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_DIR,
        metavar="DIR",
        help="write the merged gate.json, junit.xml, summary.md and index.html here (default: reports/)",
    )
    merge_parser.add_argument(
        "--min-coverage",
        type=percent,
        metavar="PERCENT",
        help="fail (exit 1) when less than this share of the implied checks ran in all the shards "
        "(default: the shards' own --min-coverage / min_coverage)",
    )
    merge_parser.add_argument(
        "-q", "--quiet", action="count", default=0, help="only the verdict and failures"
    )
    merge_parser.set_defaults(run=run_merge)
