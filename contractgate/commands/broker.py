"""`contractgate broker publish | can-i-deploy | record-deployment`: the Pact Broker workflow.

The broker is the one the Pact tools use — `PACT_BROKER_BASE_URL` (or `--broker-url`), with
`PACT_BROKER_TOKEN` or `PACT_BROKER_USERNAME` / `PACT_BROKER_PASSWORD` — so a team adopts contractgate
without touching its broker. Secrets are read from the environment only, never from the command line
(where process listings and CI logs would show them).

`publish` sends `contracts/pacts/` (or `--pacts`) as the consumer version (default: the git commit)
on its branch (default: the git branch); publishing the same files again is a no-op. `can-i-deploy`
asks the broker's matrix, retrying while the answer is unknown when asked to, prints the rows that
decide it and exits 0 (yes) or 1 (no, or still unknown). `record-deployment` tells the broker which
version now runs in an environment. A broker that is down, fails or refuses the credentials: one line
on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from contractgate.commands import Subcommands, integer, wait
from contracts import contracts_root
from providers.broker.client import BrokerClient, BrokerConfig
from providers.broker.deployments import record_deployment
from providers.broker.matrix import Decision, can_i_deploy
from providers.broker.publish import (
    ConsumerVersion,
    ci_build_url,
    git_branch,
    git_commit,
    pact_files,
    publish_pacts,
)
from providers.errors import ConfigError

#: Notice types of the broker worth a line in a terminal (debug and prompts are its chatter).
_SHOWN_NOTICES = {"success": "✓", "info": "·", "warning": "!", "error": "✗", "danger": "✗"}


def client_of(args: argparse.Namespace) -> BrokerClient:
    return BrokerClient(BrokerConfig.from_env(base_url=args.broker_url))


def publish(args: argparse.Namespace) -> int:
    folder = Path(args.pacts) if args.pacts else contracts_root() / "pacts"
    files = pact_files([folder])
    number = args.consumer_version or git_commit()
    if not number:
        raise ConfigError("no --consumer-version given and no git commit to default to")
    branch = args.branch if args.branch is not None else git_branch()
    version = ConsumerVersion(number, branch or None, args.build_url or ci_build_url(), tuple(args.tag or ()))
    with client_of(args) as client:
        published = publish_pacts(client, files, version, merge=args.merge)
    on_branch = f" on branch {version.branch}" if version.branch else ""
    print(f"published {len(files)} pacts to {client.base_url} as version {number}{on_branch}")
    for result in published:
        count = len(result.contracts)
        print(f"  {result.consumer} {result.version}: {count} pact{'s' if count != 1 else ''}")
        for kind, text in result.notices:
            if kind in _SHOWN_NOTICES:
                print(f"    {_SHOWN_NOTICES[kind]} {' '.join(text.split())}")
    return 0


def render_decision(decision: Decision) -> list[str]:
    lines = []
    rows = decision.rows
    if rows:
        headers = ("CONSUMER", "C.VERSION", "PROVIDER", "P.VERSION", "RESULT")
        table = [
            (r.consumer, r.consumer_version or "-", r.provider, r.provider_version or "-", r.status)
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in (headers, *table)) for i in range(len(headers))]
        for cells in (headers, *table):
            lines.append(
                "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
            )
        for row in rows:
            for interaction in row.failed_interactions:
                lines.append(
                    f"  ✗ {row.consumer} {row.consumer_version} → {row.provider} {row.provider_version}: "
                    f"interaction {interaction!r} failed"
                )
    for notice in dict.fromkeys(decision.notices or (decision.reason,)):
        lines.append(notice)
    subject = f"{decision.pacticipant} {decision.version} to {decision.environment}"
    if decision.yes:
        lines.append(f"✓ yes: {subject} may be deployed")
    elif decision.deployable is False:
        lines.append(f"✗ no: {subject} may not be deployed")
    else:
        asked = f"{decision.queries} quer{'ies' if decision.queries != 1 else 'y'}"
        lines.append(f"? unknown after {asked}: {subject} may not be deployed yet")
    return lines


def can_i_deploy_command(args: argparse.Namespace) -> int:
    with client_of(args) as client:
        decision = can_i_deploy(
            client,
            args.pacticipant,
            args.version,
            args.to_environment,
            retry_while_unknown=args.retry_while_unknown,
            retry_interval=args.retry_interval,
        )
    if args.output == "json":
        print(
            json.dumps(
                {
                    "pacticipant": decision.pacticipant,
                    "version": decision.version,
                    "environment": decision.environment,
                    "deployable": decision.deployable,
                    "reason": decision.reason,
                    "queries": decision.queries,
                    "rows": [r.to_dict() for r in decision.rows],
                },
                indent=2,
            )
        )
    else:
        for line in render_decision(decision):
            print(line)
    return 0 if decision.yes else 1


def record_deployment_command(args: argparse.Namespace) -> int:
    with client_of(args) as client:
        deployment = record_deployment(
            client,
            args.pacticipant,
            args.version,
            args.environment,
            application_instance=args.application_instance,
        )
    instance = (
        f" (application instance {deployment.application_instance})"
        if deployment.application_instance
        else ""
    )
    print(
        f"recorded: {deployment.pacticipant} {deployment.version} is deployed to {deployment.environment}{instance}"
    )
    return 0


def register(commands: Subcommands) -> None:
    broker = commands.add_parser(
        "broker", help="the Pact Broker: publish pacts, can-i-deploy, record deployments"
    )
    sub = broker.add_subparsers(dest="broker_command", required=True, metavar="COMMAND")

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--broker-url",
            metavar="URL",
            help="the Pact Broker (default: $PACT_BROKER_BASE_URL); credentials "
            "come from $PACT_BROKER_TOKEN or $PACT_BROKER_USERNAME/$PACT_BROKER_PASSWORD",
        )

    publish_parser = sub.add_parser("publish", help="publish the pact files as a consumer version")
    publish_parser.add_argument(
        "--pacts", metavar="DIR", help="folder of pact files (default: contracts/pacts)"
    )
    publish_parser.add_argument("--consumer-version", metavar="V", help="default: the git commit")
    publish_parser.add_argument("--branch", metavar="B", help="default: the git branch")
    publish_parser.add_argument("--build-url", metavar="U", help="default: the CI build's URL, when known")
    publish_parser.add_argument(
        "--tag", action="append", metavar="T", help="a tag for the version (repeatable)"
    )
    publish_parser.add_argument(
        "--merge", action="store_true", help="merge with a pact already published for this version"
    )
    common(publish_parser)
    publish_parser.set_defaults(run=publish)

    can = sub.add_parser(
        "can-i-deploy", help="may this version be deployed to the environment? exit 0 yes, 1 no"
    )
    can.add_argument("--pacticipant", required=True, metavar="NAME")
    can.add_argument("--version", required=True, metavar="V")
    can.add_argument("--to-environment", required=True, metavar="ENV")
    can.add_argument(
        "--retry-while-unknown",
        type=integer(0),
        default=0,
        metavar="N",
        help="ask again up to N times while results are missing (default 0)",
    )
    can.add_argument(
        "--retry-interval",
        type=wait,
        default=10.0,
        metavar="S",
        help="seconds between (default 10)",
    )
    can.add_argument("--output", choices=("table", "json"), default="table")
    common(can)
    can.set_defaults(run=can_i_deploy_command)

    record = sub.add_parser(
        "record-deployment", help="record that a version is now deployed to an environment"
    )
    record.add_argument("--pacticipant", required=True, metavar="NAME")
    record.add_argument("--version", required=True, metavar="V")
    record.add_argument("--environment", required=True, metavar="ENV")
    record.add_argument(
        "--application-instance", metavar="NAME", help="when several instances run side by side"
    )
    common(record)
    record.set_defaults(run=record_deployment_command)
