"""Live-style targets for the sandbox tests: the reference stubs served by URL, their hook not used.

A staging environment has no provider-state hook; these targets are the stubs reached by URL only,
staging-safe, with a sandbox that allows writes (or none). What a run leaves behind is counted in the
backend stub's own store, not assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from cryptography.hazmat.primitives import serialization

from contractgate.embedded import embedded_stubs, gate_options
from providers.credentials import SigningKey
from providers.sandbox import Sandbox
from providers.suite import RunContext, RunOptions
from providers.target import Target, url_target
from stubs.platform import Platform
from stubs.settings import AuthSettings
from tests.providers.tokens.support import context

#: Seconds an account stays locked after "login is throttled" (the stubs' default is a minute).
LOCKOUT = 2

#: A sandbox that allows every write of the contracts, as every configured account.
ANYWHERE = Sandbox()


@contextmanager
def served() -> Iterator[tuple[Platform, Target]]:
    """The stubs, and the live target a staging configuration would make of their URLs (no hook)."""
    options = replace(gate_options(), auth=AuthSettings(throttle_lockout_seconds=LOCKOUT))
    with embedded_stubs(options) as (platform, target):
        urls = {name: service.base_url for name, service in target.services.items()}
        yield platform, url_target("staging", urls, live=True, safe=True)


def pem(platform: Platform) -> str:
    """The stub issuer's signing key, as a team puts staging's in `signing_key_env`."""
    key = platform.auth_app.state.service.keys.current.private_key  # type: ignore[attr-defined]
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def sandboxed(
    target: Target, sandbox: Sandbox | None = ANYWHERE, *, signing_key: str | None = None
) -> RunContext:
    """A run context on `target` with `sandbox` (None: staging-safe, read-only) and the key, if given."""
    ctx = context(target)
    ctx.options = RunOptions(sandbox=sandbox)
    if signing_key is not None:
        ctx.credentials = replace(ctx.credentials, signing_key=SigningKey(signing_key))
        ctx.tokens.credentials = ctx.credentials
    return ctx


@contextmanager
def opened(target: Target, sandbox: Sandbox | None = ANYWHERE, **kwargs: str) -> Iterator[RunContext]:
    ctx = sandboxed(target, sandbox, **kwargs)
    try:
        yield ctx
    finally:
        ctx.http.close()


def stored(platform: Platform) -> tuple[int, int]:
    """Threads and runs the backend stub holds, whoever owns them."""
    store = platform.backend_app.state.store  # type: ignore[attr-defined]
    return len(store._threads), len(store._runs)
