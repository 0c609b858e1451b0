"""From configuration and flags to the target a run uses, its credentials and its safety limits.

Three kinds: the embedded stubs (the default; demo accounts, no caps), URLs given on the command line
(live: staging-safe unless `--unsafe`, credentials from the environment or `--demo-credentials`), and
named targets from the configuration (live, with their own accounts, limits and allowed writes). The
command line and the pytest plugin both resolve targets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

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
    return ResolvedTarget(target, credentials, limited(configured.limits), configured.allow_writes)


def _env(*, endpoint: TokenEndpoint) -> Credentials:
    return replace(reference_env_credentials(), endpoint=endpoint)
