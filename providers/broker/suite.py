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
from providers.suite import Progress, RunContext

__all__ = ["BrokerGateSettings", "broker_verdict", "pacts_options", "run"]

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
_KEYS = {
    "base_url",
    "base_url_env",
    "token_env",
    "username",
    "username_env",
    "password_env",
    "timeout",
    "retries",
    "environment",
    "version",
    "versions",
    "retry_while_unknown",
    "retry_interval",
    "selectors",
    "provider_branch",
    "include_pending",
    "include_wip_since",
    "publish_results",
    "build_url",
}


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
        unknown = sorted(set(options) - _KEYS)
        if unknown:
            raise ConfigError(
                f"broker: unknown setting {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})"
            )
        versions = options.get("versions") or {}
        if not isinstance(versions, Mapping) or not all(isinstance(v, str) for v in versions.values()):
            raise ConfigError("broker: versions must map service names to version strings")
        wip = options.get("include_wip_since")
        try:
            wip_date = date.fromisoformat(str(wip)) if wip else None
            retries = int(options.get("retry_while_unknown", 0))
            interval = float(options.get("retry_interval", 10.0))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"broker: {exc}") from None
        if retries < 0 or interval < 0:
            raise ConfigError("broker: retry_while_unknown and retry_interval cannot be negative")
        return cls(
            connection=BrokerConfig.from_mapping(options, environ),
            environment=options.get("environment"),
            version=options.get("version"),
            versions=dict(versions),
            retry_while_unknown=retries,
            retry_interval=interval,
            selectors=selectors_of(options.get("selectors")),
            provider_branch=options.get("provider_branch"),
            include_pending=bool(options.get("include_pending", True)),
            include_wip_since=wip_date,
            publish_results=bool(options.get("publish_results", False)),
            build_url=options.get("build_url"),
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
