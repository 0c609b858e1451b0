"""`contractgate gate`: run the suites against a target and give one verdict."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from contractgate.commands import Subcommands, http_url, integer, one_line, percent, seconds
from contractgate.config import load as load_config
from contractgate.gate import SUITES, GatePlan, run_gate
from contractgate.reports import write_reports
from contractgate.shards import make_shard, shard_argument
from contractgate.targets import broker_suite_options, resolve
from contractgate.terminal import TerminalRenderer
from providers.errors import ContractgateError
from providers.settings import suggestion
from providers.suite import RunOptions


def _suites(text: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"name at least one suite (known: {', '.join(SUITES)})")
    for name in names:
        if name not in SUITES:
            raise argparse.ArgumentTypeError(f"unknown suite {name!r}{suggestion(name, SUITES)}")
    return names


def _service(text: str) -> tuple[str, str]:
    name, sep, url = text.partition("=")
    if not sep or not name or not url:
        raise argparse.ArgumentTypeError(f"expected NAME=URL, got {text!r}")
    return name, http_url(url)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    urls = dict(args.service or [])
    resolved = resolve(
        config,
        name=args.target,
        urls=urls,
        unsafe=args.unsafe,
        provider_states=args.provider_states,
        use_demo_credentials=args.demo_credentials,
        timeout=args.timeout,
    )
    suites = args.suite or config.suites or tuple(SUITES)
    suite_options = {name: dict(settings) for name, settings in config.suite_settings.items()}
    with ExitStack() as stack:
        if resolved.broker and resolved.target is not None:
            brokered = stack.enter_context(broker_suite_options(resolved.broker, resolved.target.services))
            for name, options in brokered.items():
                suite_options[name] = {**suite_options.get(name, {}), **options}
        plan = GatePlan(
            target=resolved.target,
            suites=tuple(suites),
            options=RunOptions(
                seed=args.seed if args.seed is not None else config.seed,
                max_examples=args.max_examples if args.max_examples is not None else config.max_examples,
                suites=suite_options,
                allow_writes=resolved.allow_writes,
                sandbox=resolved.sandbox,
                strict_policy=args.strict_policy or config.strict_policy,
                min_coverage=args.min_coverage if args.min_coverage is not None else config.min_coverage,
            ),
            credentials=resolved.credentials,
            limits=resolved.limits,
            contracts_root=str(config.contracts) if config.contracts else None,
            jobs=args.jobs,
            shard=make_shard(args.shard, args.shard_costs),
        )
        renderer = TerminalRenderer(verbosity=1 + args.verbose - args.quiet)
        outcome = run_gate(plan, renderer)
    report_dir = None if args.no_reports else (args.report_dir or config.report_dir)
    failed: ContractgateError | None = None
    if report_dir is not None:
        try:
            paths = write_reports(outcome, report_dir)
        except ContractgateError as exc:
            failed = exc
        else:
            print("reports: " + " ".join(str(path) for path in paths), flush=True)
    renderer.summary(outcome)  # the verdict stays the last line of the output
    if outcome.stopped:
        # What stopped the run (a target that went down, the budget, a contract a suite could not read)
        # is also the one line on stderr, like every other reason the gate could not judge.
        print(f"contractgate: error: {one_line(outcome.stopped)}", file=sys.stderr)
    if failed is not None:
        # Reports a pipeline relies on are missing: a pass cannot stand, a failure stays a failure.
        print(f"contractgate: error: {failed}", file=sys.stderr)
        return outcome.exit_code or failed.exit_code
    return outcome.exit_code


def register(commands: Subcommands) -> None:
    gate = commands.add_parser("gate", help="run the suites against a target and give one verdict")
    gate.add_argument("--config", type=Path, help="contractgate.toml or pyproject.toml (default: discovered)")
    gate.add_argument(
        "--target", help="'stubs' (the embedded stubs, default) or a target of the configuration"
    )
    gate.add_argument(
        "--service",
        action="append",
        type=_service,
        metavar="NAME=URL",
        help="a live service of the contracts by name and base URL (repeat for each service)",
    )
    gate.add_argument(
        "--suite", type=_suites, help=f"comma-separated suites (default: all of {', '.join(SUITES)})"
    )
    gate.add_argument("--seed", type=integer(0), help="seed for generated data, to reproduce a run")
    gate.add_argument("--max-examples", type=integer(1), help="examples per operation and phase (default 25)")
    gate.add_argument("--timeout", type=seconds, help="seconds per request (default 10)")
    gate.add_argument(
        "--jobs", type=integer(1), default=4, help="suites running at the same time (default 4)"
    )
    gate.add_argument(
        "--shard",
        type=shard_argument,
        metavar="K/N",
        help="run shard K of N: a deterministic share of every suite's work, balanced by cost "
        "(merge the N report directories with `contractgate report merge`)",
    )
    gate.add_argument(
        "--shard-costs",
        type=Path,
        metavar="GATE_JSON",
        help="balance shards by the unit seconds of an earlier run's gate.json (the same file in every shard)",
    )
    gate.add_argument(
        "--demo-credentials",
        action="store_true",
        help="use the stubs' demo accounts against the URLs (e.g. `contractgate stubs serve` in another shell)",
    )
    gate.add_argument(
        "--provider-states",
        action="store_true",
        help="the URLs expose the provider-state hook (platform.yaml hook.path; the stubs do)",
    )
    gate.add_argument(
        "--min-coverage",
        type=percent,
        metavar="PERCENT",
        help="fail (exit 1) when less than this share of the checks the contracts imply ran",
    )
    gate.add_argument(
        "--strict-policy",
        action="store_true",
        help="failed policy checks fail the gate too (default: they are advisories)",
    )
    gate.add_argument(
        "--unsafe",
        action="store_true",
        help="allow writes on a live target (limits and timeouts still apply)",
    )
    reports = gate.add_mutually_exclusive_group()
    reports.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="write gate.json, junit.xml, summary.md and index.html here (default: reports/); "
        "summary.md is also appended to $GITHUB_STEP_SUMMARY when set",
    )
    reports.add_argument("--no-reports", action="store_true", help="write no report files")
    noise = gate.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="count", default=0, help="only the verdict and failures")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="every result")
    gate.set_defaults(run=run)
