"""From configuration and flags to the target a run uses, its credentials and its safety limits.

Three kinds: the embedded stubs (the default; demo accounts, no caps), URLs given on the command line
(live: staging-safe unless `--unsafe`, credentials from the environment or `--demo-credentials`), and
named targets from the configuration (live, with their own accounts, limits and allowed writes). The
command line and the pytest plugin both resolve targets here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from contractgate.config import GateConfig
from contractgate.credentials import demo_credentials, env_credentials, reference_env_credentials
from providers.credentials import Credentials, TokenEndpoint
from providers.http import Limits
from providers.target import Target, url_target

EMBEDDED = "stubs"


@dataclass(frozen=True)
class ResolvedTarget:
    #: None = the embedded stubs, started by the gate.
    target: Target | None
    credentials: Credentials
    limits: Limits
    allow_writes: frozenset[str] = frozenset()
    #: The target's Pact Broker settings (`[targets.NAME.broker]`); empty = no broker.
    broker: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.target.name if self.target else EMBEDDED


def resolve(
    config: GateConfig,
    *,
    name: str | None = None,
    urls: Mapping[str, str] | None = None,
    unsafe: bool = False,
    provider_states: bool = False,
    use_demo_credentials: bool = False,
    timeout: float | None = None,
) -> ResolvedTarget:
    def limited(limits: Limits) -> Limits:
        return replace(limits, timeout=timeout) if timeout is not None else limits

    endpoint = config.endpoint
    if urls:
        target = url_target("url", urls, live=True, safe=not unsafe, states=provider_states)
        credentials = demo_credentials(endpoint) if use_demo_credentials else _env(endpoint=endpoint)
        return ResolvedTarget(target, credentials, limited(config.limits))
    if name in (None, EMBEDDED):
        return ResolvedTarget(None, demo_credentials(endpoint), limited(Limits()))
    assert name is not None
    configured = config.target(name)
    target = url_target(
        name,
        configured.services,
        live=True,
        safe=configured.safe and not unsafe,
        states=configured.provider_states or provider_states,
    )
    if use_demo_credentials:
        credentials = demo_credentials(endpoint)
    elif configured.users or configured.clients:
        credentials = env_credentials(configured.users, configured.clients, endpoint)
    else:
        credentials = _env(endpoint=endpoint)
    return ResolvedTarget(
        target, credentials, limited(configured.limits), configured.allow_writes, dict(configured.broker)
    )


@contextmanager
def broker_suite_options(
    broker: Mapping[str, Any], providers: Iterable[str]
) -> Iterator[dict[str, dict[str, Any]]]:
    """Suite options for a target with a Pact Broker: the `pacts` suite verifies what the broker says
    (selectors, pending, WIP; results published when configured) and the `broker` suite asks
    can-i-deploy. The broker client lives as long as the run."""
    from providers.broker.client import BrokerClient
    from providers.broker.suite import BrokerGateSettings, pacts_options

    settings = BrokerGateSettings.from_mapping(broker)
    with BrokerClient(settings.connection) as client:
        yield {"pacts": pacts_options(settings, client, providers), "broker": dict(broker)}


def _env(*, endpoint: TokenEndpoint) -> Credentials:
    return replace(reference_env_credentials(), endpoint=endpoint)
