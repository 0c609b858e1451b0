"""The reference stubs as a staging environment, and the configuration a team writes for it.

The stubs are served on loopback without their provider-state hook (`PlatformOptions.provider_states`),
reached by URL only; the configuration names the accounts and clients by environment variables, as the
README's staging section does, and optionally a sandbox and the issuer's signing key. What a run leaves
behind is counted in the backend stub's own store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from contractgate.cli import main
from contractgate.embedded import gate_options
from stubs.demo import CLIENTS
from stubs.platform import AppFactory, Platform
from stubs.settings import AuthSettings
from tests.providers.sandbox_support import LOCKOUT, pem, stored

__all__ = ["ACCOUNTS", "SUITES", "configure", "gate", "staging_stubs", "stored"]

#: Every suite the contracts imply checks for without a Pact Broker.
SUITES = "pacts,fuzz,websocket,versioning,tokens,crossauth,cors,readiness"
#: The manifest's accounts → the demo account a staging team would create for each.
ACCOUNTS = {
    "member": ("alice@example.com", "alice-password"),
    "admin": ("admin@example.com", "admin-password"),
    "other-tenant": ("bob@example.com", "bob-password"),
}


@contextmanager
def staging_stubs(**factories: AppFactory) -> Iterator[Platform]:
    """The three stubs without their hook (a short login lockout, so a throttled state is undone fast)."""
    options = replace(
        gate_options(),
        auth=AuthSettings(throttle_lockout_seconds=LOCKOUT),
        provider_states=False,
        **factories,
    )
    with Platform(options) as platform:
        yield platform


def _env(name: str) -> str:
    return "STAGING_" + name.upper().replace("-", "_")


def configure(
    folder: Path,
    platform: Platform,
    urls: Mapping[str, str] | None = None,
    *,
    sandbox: bool,
    signing_key: bool,
) -> tuple[Path, dict[str, str]]:
    """`contractgate.toml` with a target `staging` at `urls` (default: the stubs'), and the environment
    holding its credentials. `sandbox`: every write allowed, as every account; `signing_key`: the
    issuer's key in `STAGING_SIGNING_KEY`."""
    services = ", ".join(f"{name} = {json.dumps(url)}" for name, url in (urls or platform.urls).items())
    lines = ["[targets.staging]", f"services = {{ {services} }}"]
    if signing_key:
        lines.append('signing_key_env = "STAGING_SIGNING_KEY"')
    environment: dict[str, str] = {"STAGING_SIGNING_KEY": pem(platform)} if signing_key else {}
    for account, (username, password) in ACCOUNTS.items():
        lines += [f"[targets.staging.users.{account}]", f'username_env = "{_env(account)}_USER"']
        lines.append(f'password_env = "{_env(account)}_PASSWORD"')
        environment[f"{_env(account)}_USER"] = username
        environment[f"{_env(account)}_PASSWORD"] = password
    for client in CLIENTS:
        lines += [f"[targets.staging.clients.{client.client_id}]", f'secret_env = "{_env(client.client_id)}"']
        environment[_env(client.client_id)] = client.secret
    if sandbox:
        lines += ["[targets.staging.sandbox]", 'writes = ["*"]']
    lines += ["[limits]", "rate = 400", "burst = 50", "budget = 100000"]
    config = folder / "contractgate.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config, environment


def gate(config: Path, reports: Path, *options: str) -> tuple[int, dict[str, Any]]:
    """`contractgate gate --target staging` with `options`; its exit code and gate.json."""
    command = ["gate", "--config", str(config), "--target", "staging", "--report-dir", str(reports), "-q"]
    code = main([*command, "--seed", "7", *options])
    return code, json.loads((reports / "gate.json").read_text(encoding="utf-8"))
