"""`contractgate pacts build` and `contractgate pacts verify`: the consumer and the provider side.

`build` runs every consumer's pact definitions (their own clients against pact's mocks) and writes
`contracts/pacts/<consumer>-<provider>.json`. `verify` runs the gate's `pacts` suite alone — against
the embedded stubs, or the services given by URL — and prints one line per interaction, with the
mismatches, provider states and a reproduction for each failure. Exit 0 every interaction verified,
1 one failed, 2 the verification could not run (a malformed pact, a target down, nothing verified).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from contractgate.commands import Subcommands
from contractgate.commands.gate import SERVICE_FLAGS, _service
from contractgate.credentials import demo_credentials
from contractgate.gate import GatePlan, run_gate, service_urls
from contractgate.terminal import TerminalRenderer
from contracts import contracts_root
from providers.http import Limits
from providers.pacts.sources import FilePactSource, LoadedPacts
from providers.results import Result, Verdict, counts
from providers.suite import Progress, RunOptions
from providers.target import url_target


def build(args: argparse.Namespace) -> int:
    from consumers.pacts.build import build as build_pacts

    out = Path(args.out) if args.out else contracts_root() / "pacts"
    for path in build_pacts(out):
        print(path)
    return 0


class PactRenderer(TerminalRenderer):
    """Every interaction on its own line; a failure with its mismatches, states and reproduction."""

    def result(self, result: Result) -> None:
        if self.verbosity < 1 and result.verdict not in (Verdict.FAIL, Verdict.ERROR):
            return
        mark = self._paint(f"{result.verdict.value.upper():<7}", result.verdict)
        self._print(f"  {mark} {result.operation}")
        if result.verdict in (Verdict.PASS,) and self.verbosity < 2:
            return
        details = result.details
        states = details.get("provider_states") or []
        if states:
            given = "; ".join(s["name"] + (f" {s['params']}" if s.get("params") else "") for s in states)
            self._print(f"          given: {given}")
        mismatches = details.get("mismatches") or []
        for m in mismatches:
            where = f"{m['path']}: " if m.get("path") else ""
            self._print(f"          {where}{m['mismatch']}")
            if m.get("expected") or m.get("actual"):
                self._print(f"            expected {m.get('expected')!s}  actual {m.get('actual')!s}")
        if not mismatches or result.verdict == Verdict.SKIPPED:
            self._print(f"          {result.observed}")
        if result.reproduction and result.verdict in (Verdict.FAIL, Verdict.ERROR):
            for line in result.reproduction.splitlines():
                self._print(f"          $ {line}")

    def suite_started(self, suite: str) -> None:
        pass

    def progress(self, progress: Progress) -> None:
        if self.verbosity >= 1:
            self._print(self._paint(f"▸ {progress.message}", bold=True))

    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None:
        pass

    def summary_line(
        self, results: list[Result], verdict: Verdict, seconds: float, stopped: str | None
    ) -> None:
        if stopped:
            self._print(self._paint(f"stopped: {stopped}", Verdict.ERROR))
        tally = " · ".join(f"{n} {v.value}" for v, n in counts(results).items())
        self._print(self._paint(verdict.value.upper(), verdict, bold=True) + f"  {tally} · {seconds:.1f}s")


def verify(args: argparse.Namespace) -> int:
    folder = Path(args.pacts) if args.pacts else contracts_root() / "pacts"
    source = FilePactSource(folder)
    pacts = source.pacts()  # a malformed pact: ContractError naming the file, exit 2, before anything runs
    urls = service_urls({service: getattr(args, flag) for flag, service in SERVICE_FLAGS.items()})
    urls.update(dict(args.service or []))
    target = url_target("url", urls, live=not args.unsafe, states=args.provider_states) if urls else None
    options = {
        "source": LoadedPacts(pacts, source.description),
        "providers": args.provider or [],
        "consumers": args.consumer or [],
        "timeout": args.timeout,
    }
    plan = GatePlan(
        target=target,
        suites=("pacts",),
        options=RunOptions(suites={"pacts": options}),
        credentials=demo_credentials() if target is not None else None,
        limits=Limits(timeout=args.timeout),
    )
    renderer = PactRenderer(verbosity=1 + args.verbose - args.quiet)
    outcome = run_gate(plan, renderer)
    renderer.summary_line(outcome.results, outcome.verdict, outcome.seconds, outcome.stopped)
    return outcome.exit_code


def register(commands: Subcommands) -> None:
    pacts = commands.add_parser("pacts", help="consumer pacts: build them, verify them against a target")
    sub = pacts.add_subparsers(dest="pacts_command", required=True, metavar="COMMAND")

    build_parser = sub.add_parser("build", help="run the consumers' pact definitions, write the pact files")
    build_parser.add_argument("--out", metavar="DIR", help="where to write them (default: contracts/pacts)")
    build_parser.set_defaults(run=build)

    verify_parser = sub.add_parser("verify", help="verify the pacts against the embedded stubs or given URLs")
    verify_parser.add_argument(
        "--pacts", metavar="DIR", help="folder of pact files (default: contracts/pacts)"
    )
    verify_parser.add_argument(
        "--provider", action="append", metavar="NAME", help="only this provider's pacts"
    )
    verify_parser.add_argument(
        "--consumer", action="append", metavar="NAME", help="only this consumer's pacts"
    )
    for flag, service in SERVICE_FLAGS.items():
        verify_parser.add_argument(
            f"--{flag.replace('_', '-')}", metavar="URL", help=f"base URL of a running {service}"
        )
    verify_parser.add_argument(
        "--service", action="append", type=_service, metavar="NAME=URL", help="any service by name"
    )
    verify_parser.add_argument(
        "--provider-states",
        action="store_true",
        help="the URLs expose the stubs' provider-state route (/_contractgate/provider-states)",
    )
    verify_parser.add_argument(
        "--unsafe", action="store_true", help="treat URL targets as disposable: allow writes"
    )
    verify_parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    noise = verify_parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="count", default=0, help="only failures and the verdict")
    noise.add_argument(
        "-v", "--verbose", action="count", default=0, help="details of passing interactions too"
    )
    verify_parser.set_defaults(run=verify)
