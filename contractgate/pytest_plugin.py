"""A pytest plugin for teams writing their own contract tests against the same targets as the gate.

Registered through the `pytest11` entry point, so installing contractgate makes it available:

    def test_my_flow(contractgate_urls, token_factory):
        token = token_factory.user()                       # the primary account, default audience
        httpx.get(contractgate_urls[SERVICE] + PATH, headers={"Authorization": f"Bearer {token}"})

Fixtures (session-scoped): `contractgate_target` (the `providers.target.Target`), `contractgate_urls`
(service name → base URL), `token_factory` (genuine tokens: `user(account, audience)` for any account
of the platform manifest, `service(audience, *scopes)`, `expired(account, audience)`). By default the
embedded stubs are started
once per session; `--contractgate-target NAME` points the same tests at a target of the configuration
(`--contractgate-config PATH`, else discovered), with its accounts from the environment.
Nothing is imported or started until a fixture is used.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from providers.credentials import TokenSource
    from providers.platform import Platform
    from providers.target import Target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contractgate")
    group.addoption(
        "--contractgate-target",
        default=None,
        metavar="NAME",
        help="run contractgate fixtures against this configured target (default: the embedded stubs)",
    )
    group.addoption(
        "--contractgate-config", default=None, metavar="PATH", help="contractgate configuration file"
    )


class TokenFactory:
    """Genuine tokens from the target's own issuer, for the accounts and clients of the platform."""

    def __init__(self, tokens: TokenSource, target: Target, platform: Platform) -> None:
        self._tokens = tokens
        self._target = target
        self._platform = platform

    def user(self, account: str | None = None, audience: str | None = None) -> str:
        """A token of `account` (a name of the manifest's `accounts`; default: its primary one)."""
        return self._tokens.user(account, audience, fresh=True).value

    def service(self, audience: str, *scopes: str) -> str:
        token = self._tokens.service(audience, tuple(scopes), fresh=True)
        if token is None:
            raise LookupError(f"no configured service client may get audience {audience!r} with {scopes}")
        return token.value

    def expired(self, account: str | None = None, audience: str | None = None) -> str:
        """A properly signed, expired token: only the issuer's key holder (its provider-state hook,
        the manifest's `key_holder.signed` state) can mint it."""
        issuer = self._tokens.credentials.require_issuer()
        service = self._target.service(issuer.service)
        state = self._platform.key_holder.signed
        if service.states_url is None or state is None:
            pytest.skip(f"target {self._target.name!r} cannot mint expired tokens (no key-holder state)")
        username = self._tokens.credentials.user(account).username
        now = int(time.time())
        params: dict[str, Any] = {
            "subject": username,
            "claims": {"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600},
        }
        if audience:
            params["audience"] = audience
        response = self._tokens.http.request(
            "POST", service.states_url, json={"state": state, "params": params, "action": "setup"}
        )
        response.raise_for_status()
        return str(response.json()[self._platform.key_holder.token])


@pytest.fixture(scope="session")
def contractgate_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    from contractgate.config import load
    from contractgate.embedded import embedded_stubs
    from contractgate.targets import platform_of, resolve

    path = pytestconfig.getoption("contractgate_config")
    config = load(Path(path) if path else None)
    resolved = resolve(config, name=pytestconfig.getoption("contractgate_target"))
    pytestconfig.stash[_RESOLVED] = resolved
    pytestconfig.stash[_PLATFORM] = platform_of(config)
    if resolved.target is not None:
        yield resolved.target
        return
    with embedded_stubs() as (_, target):
        yield target


@pytest.fixture(scope="session")
def contractgate_urls(contractgate_target: Target) -> dict[str, str]:
    return {name: service.base_url for name, service in contractgate_target.services.items()}


@pytest.fixture(scope="session")
def token_factory(pytestconfig: pytest.Config, contractgate_target: Target) -> Iterator[TokenFactory]:
    from providers.credentials import TokenSource
    from providers.http import RequestGuard, TargetHttp
    from providers.redact import Redactor

    resolved = pytestconfig.stash[_RESOLVED]
    http = TargetHttp(RequestGuard(resolved.limits))
    try:
        yield TokenFactory(
            TokenSource(contractgate_target, resolved.credentials, http, Redactor()),
            contractgate_target,
            pytestconfig.stash[_PLATFORM],
        )
    finally:
        http.close()


_RESOLVED: pytest.StashKey[Any] = pytest.StashKey()
_PLATFORM: pytest.StashKey[Any] = pytest.StashKey()
