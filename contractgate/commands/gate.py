"""`contractgate gate`: run the suites against a target and give one verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contractgate.commands import Subcommands
from contractgate.credentials import demo_credentials, reference_env_credentials
from contractgate.gate import SUITES, GatePlan, run_gate, service_urls
from contractgate.reports import write_reports
from contractgate.terminal import TerminalRenderer
from providers.errors import ConfigError, ContractgateError
from providers.http import Limits
from providers.suite import RunOptions
from providers.target import url_target

#: Shorthand flags for the reference platform's services; `--service NAME=URL` covers any other.
SERVICE_FLAGS = {
    "auth_url": "auth-service",
    "backend_url": "backend-service",
    "websocket_url": "websocket-service",
}


def _suites(text: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in names if s not in SUITES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown suite {', '.join(unknown)} (known: {', '.join(SUITES)})")
    return names


def _service(text: str) -> tuple[str, str]:
    name, sep, url = text.partition("=")
    if not sep or not name or not url:
        raise argparse.ArgumentTypeError(f"expected NAME=URL, got {text!r}")
    return name, url


def run(args: argparse.Namespace) -> int:
    urls = service_urls({service: getattr(args, flag) for flag, service in SERVICE_FLAGS.items()})
    urls.update(dict(args.service or []))
    target = None
    credentials = None
    if urls:
        target = url_target("url", urls, live=not args.unsafe, states=args.provider_states)
        credentials = demo_credentials() if args.demo_credentials else reference_env_credentials()
    elif args.target not in (None, "stubs"):
        raise ConfigError(f"unknown target {args.target!r} (known: stubs)")
    plan = GatePlan(
        target=target,
        suites=args.suite or tuple(SUITES),
        options=RunOptions(seed=args.seed, max_examples=args.max_examples),
        credentials=credentials,
        limits=Limits(timeout=args.timeout),
    )
    renderer = TerminalRenderer(verbosity=1 + args.verbose - args.quiet)
    outcome = run_gate(plan, renderer)
    failed: ContractgateError | None = None
    if args.report_dir is not None:
        try:
            paths = write_reports(outcome, args.report_dir)
        except ContractgateError as exc:
            failed = exc
        else:
            print("reports: " + " ".join(str(path) for path in paths), flush=True)
    renderer.summary(outcome)  # the verdict stays the last line of the output
    if failed is not None:
        # Reports a pipeline relies on are missing: a pass cannot stand, a failure stays a failure.
        print(f"contractgate: error: {failed}", file=sys.stderr)
        return outcome.exit_code or failed.exit_code
    return outcome.exit_code


def register(commands: Subcommands) -> None:
    gate = commands.add_parser("gate", help="run the suites against a target and give one verdict")
    gate.add_argument("--target", help="'stubs' (default: the embedded stubs)")
    for flag, service in SERVICE_FLAGS.items():
        gate.add_argument(
            f"--{flag.replace('_', '-')}", metavar="URL", help=f"base URL of the running {service}"
        )
    gate.add_argument(
        "--service", action="append", type=_service, metavar="NAME=URL", help="any service by name"
    )
    gate.add_argument(
        "--suite", type=_suites, help=f"comma-separated suites (default: all of {', '.join(SUITES)})"
    )
    gate.add_argument("--seed", type=int, help="seed for generated data, to reproduce a run")
    gate.add_argument(
        "--max-examples", type=int, default=25, help="examples per operation and phase (default 25)"
    )
    gate.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    gate.add_argument(
        "--demo-credentials",
        action="store_true",
        help="use the stubs' demo accounts against the URLs (e.g. `contractgate stubs serve` in another shell)",
    )
    gate.add_argument(
        "--provider-states",
        action="store_true",
        help="the URLs expose the stubs' provider-state route (/_contractgate/provider-states)",
    )
    gate.add_argument("--unsafe", action="store_true", help="treat URL targets as disposable: allow writes")
    reports = gate.add_mutually_exclusive_group()
    reports.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="write gate.json, junit.xml, summary.md and index.html here (default: reports/); "
        "summary.md is also appended to $GITHUB_STEP_SUMMARY when set",
    )
    reports.add_argument(
        "--no-reports", dest="report_dir", action="store_const", const=None, help="write no report files"
    )
    noise = gate.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="count", default=0, help="only the verdict and failures")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="every result")
    gate.set_defaults(run=run)
