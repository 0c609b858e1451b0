"""`contractgate pacts build` and `contractgate pacts verify`: the consumer and the provider side.

`build` runs every consumer's pact definitions (their own clients against pact's mocks) and writes
`contracts/pacts/<consumer>-<provider>.json`. `verify` runs the gate's `pacts` suite alone — against
the embedded stubs, or the services given by URL — and prints one line per interaction, with the
mismatches, provider states and a reproduction for each failure. Exit 0 every interaction verified,
1 one failed, 2 the verification could not run (a malformed pact, a target down, nothing verified).

With `--broker` the pacts come from the Pact Broker (`PACT_BROKER_*`): the pacts for verification of
each provider, with consumer version selectors, pending and WIP pacts; a pending pact that fails is
reported as pending and does not fail the run. `--publish-results` (in CI) tells the broker what was
verified, as `--provider-version` (default: the git commit) on `--provider-branch` (default: the git
branch).
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from contractgate.commands import Subcommands, seconds
from contractgate.commands.gate import _service
from contractgate.credentials import demo_credentials
from contractgate.gate import GatePlan, run_gate
from contractgate.terminal import TerminalRenderer
from contracts import ContractFileError, asyncapi_spec, contracts_root, openapi_specs
from providers.broker.client import BrokerClient, BrokerConfig
from providers.broker.publish import ci_build_url, git_branch, git_commit
from providers.broker.results import VerificationPublisher
from providers.broker.source import BrokerPactSource, VerificationRequest, selectors_of
from providers.errors import ConfigError, ContractError
from providers.http import Limits
from providers.pacts.sources import FilePactSource, LoadedPacts, PactSource
from providers.platform import of_folder
from providers.results import Result, Verdict, counts
from providers.suite import Progress, RunOptions
from providers.target import Target, url_target


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


def contract_services() -> list[str]:
    """The services the contracts describe (OpenAPI `info.x-service`, the AsyncAPI document's)."""
    services = [spec.service for spec in openapi_specs()]
    try:
        asyncapi = asyncapi_spec()
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    if asyncapi is not None:
        services.append(str((asyncapi.get("info") or {}).get("x-service") or ""))
    return [s for s in dict.fromkeys(services) if s]


def broker_source(
    args: argparse.Namespace, client: BrokerClient, providers: list[str]
) -> tuple[PactSource, VerificationPublisher | None]:
    """The broker's pacts for verification of `providers`, and the publisher when asked to publish."""
    branch = args.provider_branch if args.provider_branch is not None else git_branch()
    request = VerificationRequest(
        selectors=selectors_of(args.selector),
        provider_branch=branch or None,
        include_wip_since=args.include_wip_since,
    )
    source = BrokerPactSource(client, providers, request)
    publisher = None
    if args.publish_results:
        version = args.provider_version or git_commit()
        if not version:
            raise ConfigError("--publish-results needs --provider-version (no git commit to default to)")
        publisher = VerificationPublisher(
            client, version, provider_branch=branch or None, build_url=args.build_url or ci_build_url()
        )
    return source, publisher


def verify(args: argparse.Namespace) -> int:
    broker_only = ("selector", "provider_version", "provider_branch", "include_wip_since", "build_url")
    if args.broker is None and (args.publish_results or any(getattr(args, a) for a in broker_only)):
        raise ConfigError("--selector, --provider-version/-branch, --publish-results … need --broker")
    if args.broker is not None and args.pacts:
        raise ConfigError("--pacts and --broker: choose one source of pacts")
    urls = dict(args.service or [])
    hook = of_folder().hook.path if args.provider_states else None
    target = url_target("url", urls, live=not args.unsafe, states=hook) if urls else None
    with ExitStack() as stack:
        options: dict[str, Any] = {
            "providers": args.provider or [],
            "consumers": args.consumer or [],
            "timeout": args.timeout,
        }
        source: PactSource
        if args.broker is not None:
            client = stack.enter_context(BrokerClient(BrokerConfig.from_env(base_url=args.broker or None)))
            providers = args.provider or (list(urls) if urls else contract_services())
            source, options["publisher"] = broker_source(args, client, providers)
        else:
            source = FilePactSource(Path(args.pacts) if args.pacts else contracts_root() / "pacts")
        # A malformed pact (ContractError) or a broker that cannot be asked (BrokerError): exit 2, before
        # anything runs.
        options["source"] = LoadedPacts(source.pacts(), source.description)
        return _run(args, target, options)


def _run(args: argparse.Namespace, target: Target | None, options: dict[str, Any]) -> int:
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
    verify_parser.add_argument(
        "--service",
        action="append",
        type=_service,
        metavar="NAME=URL",
        help="a live provider of the pacts by name and base URL (repeat for each)",
    )
    verify_parser.add_argument(
        "--provider-states",
        action="store_true",
        help="the URLs expose the provider-state hook (platform.yaml hook.path; the stubs do)",
    )
    verify_parser.add_argument(
        "--unsafe", action="store_true", help="treat URL targets as disposable: allow writes"
    )
    verify_parser.add_argument(
        "--timeout", type=seconds, default=10.0, help="seconds per request (default 10)"
    )
    broker = verify_parser.add_argument_group("from a Pact Broker")
    broker.add_argument(
        "--broker",
        nargs="?",
        const="",
        metavar="URL",
        help="take the pacts from the Pact Broker (default URL: $PACT_BROKER_BASE_URL; credentials from "
        "$PACT_BROKER_TOKEN or $PACT_BROKER_USERNAME/$PACT_BROKER_PASSWORD)",
    )
    broker.add_argument(
        "--selector",
        action="append",
        metavar="JSON",
        help="a consumer version selector, e.g. '{\"mainBranch\": true}' (repeatable; default: mainBranch, "
        "deployedOrReleased, matchingBranch)",
    )
    broker.add_argument(
        "--provider-version", metavar="V", help="the version verifying (default: the git commit)"
    )
    broker.add_argument("--provider-branch", metavar="B", help="its branch (default: the git branch)")
    broker.add_argument(
        "--include-wip-since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="also verify WIP pacts"
    )
    broker.add_argument(
        "--publish-results", action="store_true", help="publish the verification results to the broker (CI)"
    )
    broker.add_argument("--build-url", metavar="URL", help="the CI build, published with the results")
    noise = verify_parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="count", default=0, help="only failures and the verdict")
    noise.add_argument(
        "-v", "--verbose", action="count", default=0, help="details of passing interactions too"
    )
    verify_parser.set_defaults(run=verify)
