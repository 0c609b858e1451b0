"""`contractgate checks`: the registry — every check of every suite, its basis, what it cites and needs.

Contract and standard checks fail the gate; policy checks are advisories unless the run is strict
(`strict_policy = true`). `--format json` is for tools; `--basis policy` narrows the list.
"""

from __future__ import annotations

import argparse
import json

from contractgate.commands import Subcommands
from providers.checks import SUITE_MODULES, Basis, Check, registry


def _line(check: Check) -> str:
    needs = f"  [needs: {', '.join(check.needs)}]" if check.needs else ""
    return f"{check.suite:<10} {check.name:<34} {check.basis.value:<9} {check.cites}{needs}"


def run(args: argparse.Namespace) -> int:
    checks = registry(args.suite)
    if args.basis:
        checks = [c for c in checks if c.basis.value in args.basis]
    if args.format == "json":
        rows = [
            {
                "suite": c.suite,
                "name": c.name,
                "basis": c.basis.value,
                "fails_gate": c.fails_gate,
                "cites": c.cites,
                "summary": c.summary,
                "needs": list(c.needs),
            }
            for c in checks
        ]
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'suite':<10} {'check':<34} {'basis':<9} cites")
    for check in checks:
        print(_line(check))
    tally = {basis.value: sum(c.basis is basis for c in checks) for basis in Basis}
    print(
        f"{len(checks)} checks: {tally['contract']} contract, {tally['standard']} standard (both fail the "
        f"gate), {tally['policy']} policy (advisories unless strict_policy)"
    )
    return 0


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("checks", help="list every check of every suite with its basis")
    parser.add_argument(
        "--suite", action="append", choices=list(SUITE_MODULES), help="only this suite's checks (repeatable)"
    )
    parser.add_argument(
        "--basis", action="append", choices=[b.value for b in Basis], help="only checks of this basis"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)
