"""The `broker` suite of the gate: the Pact Broker's `can-i-deploy` answer for the services under test.

This is the staging contract gate's last word: the contracts may all hold against the target, but a
service version may only go to an environment if the broker's matrix says the versions already there
verified it (and it them). One result per service under test (suite `broker`, check `can-i-deploy`):
pass when the broker says yes; fail when it says no — or still does not know after the bounded
retries — with the rows that decide it in `details`; error when the broker cannot be asked (down,
5xx, credentials refused).

Settings (`RunOptions.suites["broker"]`, from the target's configuration): the connection
(`base_url`, `token_env`, `username_env`/`password_env`, see `BrokerConfig.from_mapping`), the
`environment` to deploy to, the pacticipant `version` (one for every service, e.g. the commit) and/or
`versions` per service, `retry_while_unknown`, `retry_interval`; for verification from the broker,
`selectors`, `provider_branch`, `include_pending`, `include_wip_since`, `publish_results`,
`build_url` (see `pacts_options`). Without settings the suite yields one skipped result.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from providers.broker.client import BrokerClient, BrokerConfig
from providers.broker.matrix import Decision, can_i_deploy
from providers.broker.results import VerificationPublisher
from providers.broker.source import DEFAULT_SELECTORS, BrokerPactSource, VerificationRequest, selectors_of
from providers.checks import Basis, register
from providers.errors import BrokerError, ConfigError
from providers.redact import Redactor
from providers.results import Result, Verdict
from providers.settings import parse
from providers.suite import Progress, RunContext

__all__ = ["BrokerGateSettings", "BrokerOptions", "broker_verdict", "pacts_options", "run"]

SUITE = "broker"
CHECK = "can-i-deploy"
register(
    "broker",
    CHECK,
    Basis.CONTRACT,
    "the Pact Broker's matrix: every consumer's pact verified against this version",
    "the broker says the service under test may be deployed",
    needs=("a Pact Broker",),
)


@dataclass(frozen=True)
class BrokerOptions:
    """A target's Pact Broker, `[targets.NAME.broker]`: where it is, what to ask, what to publish.

    Secrets are never literal: the `*_env` keys name the environment variables that hold them.
    """

    #: The broker's base URL; default: the variable `base_url_env` names (PACT_BROKER_BASE_URL).
    base_url: str | None = None
    base_url_env: str | None = None
    #: The variables holding a bearer token, or a username and password (default: the Pact variables).
    token_env: str | None = None
    username: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    #: Seconds per request to the broker, and retries of a GET that met a 502/503/504.
    timeout: float = 10.0
    retries: int | None = None
    #: The environment the services under test are to be deployed to (can-i-deploy's question).
    environment: str | None = None
    #: One pacticipant version for every service (a monorepo's commit); `versions` per service wins.
    version: str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    #: How often can-i-deploy asks again while the answer is unknown, and how long it waits between.
    retry_while_unknown: int = 0
    retry_interval: float = 10.0
    #: Consumer version selectors (JSON objects, or tables) of the pacts to verify.
    selectors: tuple[str | Mapping[str, Any], ...] | None = None
    #: The provider's branch, for pending pacts and matching-branch selectors.
    provider_branch: str | None = None
    include_pending: bool = True
    #: Also verify work-in-progress pacts published since this date.
    include_wip_since: date | None = None
    #: Publish the verification results to the broker (CI), with this build URL.
    publish_results: bool = False
    build_url: str | None = None


@dataclass(frozen=True)
class BrokerGateSettings:
    connection: BrokerConfig
    environment: str | None = None
    #: One pacticipant version for every service (a monorepo's commit); `versions` overrides it.
    version: str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    retry_while_unknown: int = 0
    retry_interval: float = 10.0
    selectors: tuple[Mapping[str, Any], ...] = DEFAULT_SELECTORS
    provider_branch: str | None = None
    include_pending: bool = True
    include_wip_since: date | None = None
    publish_results: bool = False
    build_url: str | None = None

    def version_of(self, service: str) -> str | None:
        return self.versions.get(service) or self.version

    @classmethod
    def from_mapping(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> BrokerGateSettings:
        table = parse(BrokerOptions, options, "broker")
        return cls(
            connection=BrokerConfig.from_mapping(options, environ),
            environment=table.environment,
            version=table.version,
            versions=dict(table.versions),
            retry_while_unknown=table.retry_while_unknown,
            retry_interval=table.retry_interval,
            selectors=selectors_of(table.selectors),
            provider_branch=table.provider_branch,
            include_pending=table.include_pending,
            include_wip_since=table.include_wip_since,
            publish_results=table.publish_results,
            build_url=table.build_url,
        )


def _reproduction(decision_url: str, config: BrokerConfig, redactor: Redactor) -> str:
    headers = {"Accept": "application/hal+json"}
    if config.token:
        headers["Authorization"] = f"Bearer {config.token}"
    elif config.username:
        pair = f"{config.username}:{config.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return redactor.curl("GET", decision_url, headers)


def _result(
    service: str,
    version: str | None,
    environment: str,
    verdict: Verdict,
    observed: str,
    *,
    reproduction: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Result:
    return Result(
        suite=SUITE,
        service=service,
        operation=f"can-i-deploy {service} {version or '?'} to {environment}",
        check=CHECK,
        expectation=f"the Pact Broker says {service} {version or '?'} may be deployed to {environment}",
        observed=observed,
        verdict=verdict,
        reproduction=reproduction,
        details={"environment": environment, "version": version, **(details or {})},
    )


def decision_result(decision: Decision, reproduction: str | None = None) -> Result:
    """A `Decision` as the gate's result: pass on yes, fail on no or still unknown."""
    deciding = decision.deciding_rows()
    if decision.yes:
        verdict, observed = Verdict.PASS, f"yes: {decision.reason}"
    else:
        asked = f"{decision.queries} quer{'ies' if decision.queries != 1 else 'y'}"
        answer = "no" if decision.deployable is False else f"still unknown after {asked}"
        rows = "; ".join(r.describe() for r in deciding)
        verdict, observed = Verdict.FAIL, f"{answer}: {decision.reason}" + (f" ({rows})" if rows else "")
    return _result(
        decision.pacticipant,
        decision.version,
        decision.environment,
        verdict,
        observed,
        reproduction=reproduction,
        details={
            "deployable": decision.deployable,
            "reason": decision.reason,
            "rows": [r.to_dict() for r in deciding],
            "counts": dict(decision.counts),
            "queries": decision.queries,
            "notices": list(decision.notices),
        },
    )


def broker_verdict(
    config: BrokerGateSettings | Mapping[str, Any],
    services: Iterable[str],
    *,
    redactor: Redactor | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Result]:
    """The broker's can-i-deploy answer for each service under test, as the gate's results."""
    settings = (
        config if isinstance(config, BrokerGateSettings) else BrokerGateSettings.from_mapping(config, environ)
    )
    redactor = redactor or Redactor()
    environment = settings.environment
    if not environment:
        return [
            _result(
                s,
                settings.version_of(s),
                "?",
                Verdict.SKIPPED,
                "not asked: no environment to deploy to is configured",
            )
            for s in services
        ]
    results = []
    with BrokerClient(settings.connection, redactor, sleep=sleep) as client:
        for service in services:
            version = settings.version_of(service)
            if not version:
                results.append(
                    _result(
                        service,
                        None,
                        environment,
                        Verdict.SKIPPED,
                        f"not asked: no version of {service} is configured",
                    )
                )
                continue
            try:
                decision = can_i_deploy(
                    client,
                    service,
                    version,
                    environment,
                    retry_while_unknown=settings.retry_while_unknown,
                    retry_interval=settings.retry_interval,
                    sleep=sleep,
                )
            except BrokerError as exc:
                results.append(_result(service, version, environment, Verdict.ERROR, redactor.text(str(exc))))
                continue
            results.append(
                decision_result(decision, _reproduction(decision.url, settings.connection, redactor))
            )
    return results


def run(ctx: RunContext) -> Iterator[Result]:
    # One unit of work, always shard 1's: one shard asks, after its own pacts published their results
    # (with `retry_while_unknown` it also waits for what the other shards publish).
    if not ctx.owns(SUITE, CHECK, pinned=1):
        return
    options = ctx.options.suites.get(SUITE) or {}
    if not options:
        yield Result(
            suite=SUITE,
            service="-",
            operation="can-i-deploy",
            check=CHECK,
            expectation="the Pact Broker is asked whether the services under test may be deployed",
            observed="not asked: no Pact Broker is configured for this target",
            verdict=Verdict.SKIPPED,
        )
        return
    settings = BrokerGateSettings.from_mapping(options)
    services = list(ctx.target.services)
    ctx.emit(Progress(SUITE, f"asking {settings.connection.base_url} about {', '.join(services)}"))
    yield from broker_verdict(settings, services, redactor=ctx.redactor)


def pacts_options(
    settings: BrokerGateSettings, client: BrokerClient, providers: Iterable[str]
) -> dict[str, Any]:
    """Options for the `pacts` suite that take its pacts from the broker and, when the settings say
    so, publish the verification results (as each provider's configured version). The caller owns
    `client` and closes it after the run."""
    providers = list(providers)
    request = VerificationRequest(
        selectors=settings.selectors,
        provider_branch=settings.provider_branch,
        include_pending=settings.include_pending,
        include_wip_since=settings.include_wip_since,
    )
    options: dict[str, Any] = {"source": BrokerPactSource(client, providers, request)}
    if settings.publish_results:
        versions = {p: v for p in providers if (v := settings.version_of(p))}
        if len(versions) < len(providers):
            missing = ", ".join(p for p in providers if p not in versions)
            raise ConfigError(f"broker: publish_results needs a version of {missing}")
        options["publisher"] = VerificationPublisher(
            client, versions, provider_branch=settings.provider_branch, build_url=settings.build_url
        )
    return options
