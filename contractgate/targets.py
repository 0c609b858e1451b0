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
from contractgate.credentials import (
    default_env_credentials,
    embedded_credentials,
    env_credentials,
    signing_key,
)
from providers.credentials import Credentials
from providers.errors import ConfigError
from providers.http import Limits
from providers.platform import Platform, of_folder
from providers.sandbox import Sandbox
from providers.target import Target, url_target

EMBEDDED = "stubs"


@dataclass(frozen=True)
class ResolvedTarget:
    #: None = the embedded stubs, started by the gate.
    target: Target | None
    credentials: Credentials
    limits: Limits
    allow_writes: frozenset[str] = frozenset()
    #: Where a safe live target lets the run write (`[targets.NAME.sandbox]`); None: nowhere.
    sandbox: Sandbox | None = None
    #: The target's Pact Broker settings (`[targets.NAME.broker]`); empty = no broker.
    broker: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.target.name if self.target else EMBEDDED


def platform_of(config: GateConfig) -> Platform:
    """The platform the configuration's contracts folder describes."""
    return of_folder(str(config.contracts) if config.contracts else None)


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

    platform = platform_of(config)
    hook = platform.hook.path
    if urls:
        target = url_target("url", urls, live=True, safe=not unsafe, states=hook if provider_states else None)
        credentials = (
            embedded_credentials(platform) if use_demo_credentials else default_env_credentials(platform)
        )
        credentials = replace(credentials, signing_key=signing_key(None))
        return ResolvedTarget(target, credentials, limited(config.limits))
    if name in (None, EMBEDDED):
        return ResolvedTarget(None, embedded_credentials(platform), limited(Limits()))
    assert name is not None
    configured = config.target(name)
    target = url_target(
        name,
        configured.services,
        live=True,
        safe=configured.safe and not unsafe,
        states=hook if configured.provider_states or provider_states else None,
    )
    if use_demo_credentials:
        credentials = embedded_credentials(platform)
    elif configured.users or configured.clients:
        credentials = env_credentials(platform, configured.users, configured.clients)
    else:
        credentials = default_env_credentials(platform)
    credentials = replace(
        credentials,
        signing_key=signing_key(
            configured.signing_key_env, configured.signing_key_id, configured.signing_algorithm
        )
        if configured.signing_key_env
        else None,
    )
    if configured.sandbox is not None:
        _check_sandbox_accounts(configured.sandbox, credentials, f"targets.{name}.sandbox")
    return ResolvedTarget(
        target,
        credentials,
        limited(configured.limits),
        configured.allow_writes,
        configured.sandbox,
        dict(configured.broker),
    )


def _check_sandbox_accounts(sandbox: Sandbox, credentials: Credentials, where: str) -> None:
    """A sandbox names accounts the run has (a typo would silently keep every write out)."""
    known = [user.name for user in credentials.users]
    for index, account in enumerate(sandbox.accounts or ()):
        if account not in known:
            raise ConfigError(
                f"{where}.accounts[{index}]: {account!r} is not an account of this target "
                f"(known: {', '.join(known) or 'none'})"
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
