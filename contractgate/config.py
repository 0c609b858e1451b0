"""contractgate's configuration: `contractgate.toml`, or `[tool.contractgate]` in `pyproject.toml`.

Found by `discover()` from the working directory upwards (stopping at a repository root), or named with
`--config`. Relative paths in it are relative to the file. Its tables and keys are the schema's
(`contractgate.schema`, printed by `contractgate config schema`): `parse` checks the whole file against it
before anything runs, and every problem is a `ConfigError` of one line that names the file and the key
as written ("contractgate.toml: suite.tokens.attacks: must be a list of strings, got 5"). Secrets are
never literal: users, clients and brokers name the environment variables that hold them, and a key that
looks like a literal secret is refused.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contractgate.schema import BROKER, LIVE_LIMITS, ClientTable, TargetTable, TopLevel, UserTable
from contractgate.suites import SUITES, check_settings, imported
from providers.errors import ConfigError
from providers.http import Limits
from providers.sandbox import Sandbox
from providers.settings import parse as parse_settings
from providers.settings import suggestion

CONFIG_FILE = "contractgate.toml"
PYPROJECT = "pyproject.toml"
_SECRET_WORDS = ("password", "secret", "token")


@dataclass(frozen=True)
class TargetConfig:
    name: str
    services: Mapping[str, str]
    safe: bool = True
    allow_writes: frozenset[str] = frozenset()
    #: Where the run may write on this (safe) target: `[targets.NAME.sandbox]`; None: nowhere.
    sandbox: Sandbox | None = None
    provider_states: bool = False
    limits: Limits = LIVE_LIMITS
    users: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    clients: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    broker: Mapping[str, Any] = field(default_factory=dict)
    #: The environment variable holding the issuer's signing key (HS secret or PEM private key).
    signing_key_env: str | None = None
    signing_key_id: str | None = None
    signing_algorithm: str | None = None


@dataclass(frozen=True)
class GateConfig:
    #: The file it came from; None = built-in defaults.
    source: Path | None = None
    suites: tuple[str, ...] | None = None
    seed: int | None = None
    max_examples: int = 25
    report_dir: Path = Path("reports")
    contracts: Path | None = None
    #: Failed policy checks fail the gate too (default: they are advisories).
    strict_policy: bool = False
    #: The least share (percent) of the implied checks that must run (None: no minimum).
    min_coverage: float | None = None
    limits: Limits = LIVE_LIMITS
    suite_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    targets: Mapping[str, TargetConfig] = field(default_factory=dict)

    def target(self, name: str) -> TargetConfig:
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(["stubs", *sorted(self.targets)])
            where = f" in {self.source}" if self.source else ""
            raise ConfigError(f"unknown target {name!r}{where} (known: {known})") from None


def discover(start: Path | None = None) -> Path | None:
    """`contractgate.toml`, or a `pyproject.toml` with `[tool.contractgate]`, from `start` upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "tool" in _read(pyproject) and "contractgate" in _read(pyproject)["tool"]:
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load(path: Path | None = None) -> GateConfig:
    """The configuration at `path`, or the discovered one, or the defaults."""
    if path is not None and not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    path = path or discover()
    if path is None:
        return GateConfig()
    data = _read(path)
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("contractgate", {})
        where = f"{path} [tool.contractgate]"
    else:
        where = str(path)
    return parse(data, path, where)


def _refuse_literal_secrets(table: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        lowered = str(key).lower()
        if (
            any(word in lowered for word in _SECRET_WORDS)
            and not lowered.endswith("_env")
            and isinstance(value, str)
        ):
            raise ConfigError(
                f"{where}.{key}: literal secrets are not allowed; name an environment variable ({key}_env)"
            )


def _limits(table: Mapping[str, Any] | None, base: Limits, where: str) -> Limits:
    """`base` with the keys the table sets (checked against `Limits`: numbers greater than 0)."""
    given = parse_settings(Limits, table, where, runtime=False)
    return replace(base, **{key: getattr(given, key) for key in table or {}})


def _target(name: str, data: Mapping[str, Any], base_limits: Limits, where: str) -> TargetConfig:
    here = f"{where}targets.{name}"
    table = parse_settings(TargetTable, data, here, runtime=False)
    if table.broker is not None:
        _refuse_literal_secrets(table.broker, f"{here}.broker")
    for section, accounts in (("users", table.users), ("clients", table.clients)):
        for account, entry in accounts.items():
            _refuse_literal_secrets(entry, f"{here}.{section}.{account}")
    services: dict[str, str] = {}
    for service, url in table.services.items():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{here}.services.{service}: {url!r} is not an http(s) URL")
        services[service] = url.rstrip("/")
    if not services:
        raise ConfigError(f"{here}.services: name at least one service and its base URL")
    for account, user in table.users.items():
        parse_settings(UserTable, user, f"{here}.users.{account}", runtime=False)
    for client_id, client in table.clients.items():
        parse_settings(ClientTable, client, f"{here}.clients.{client_id}", runtime=False)
    if table.broker is not None:
        parse_settings(imported(BROKER), table.broker, f"{here}.broker", runtime=False)
    for index, write in enumerate(table.allow_writes):
        method, _, path = write.partition(" ")
        if not method.isalpha() or not path.startswith("/"):
            raise ConfigError(f"{here}.allow_writes[{index}]: {write!r} is not 'METHOD /path/template'")
    sandbox = None
    if table.sandbox is not None:
        sandbox = parse_settings(Sandbox, table.sandbox, f"{here}.sandbox", runtime=False)
    return TargetConfig(
        name=name,
        services=services,
        safe=table.safe,
        allow_writes=frozenset(
            f"{e.split(' ', 1)[0].upper()} {e.split(' ', 1)[1]}" for e in table.allow_writes
        ),
        sandbox=sandbox,
        provider_states=table.provider_states,
        limits=_limits(table.limits, base_limits, f"{here}.limits"),
        users={account: dict(user) for account, user in table.users.items()},
        clients={client_id: dict(client) for client_id, client in table.clients.items()},
        broker=dict(table.broker or {}),
        signing_key_env=table.signing_key_env,
        signing_key_id=table.signing_key_id,
        signing_algorithm=table.signing_algorithm,
    )


def _suite_settings(tables: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """Each `[suite.NAME]` table checked against that suite's settings dataclass."""
    settings: dict[str, dict[str, Any]] = {}
    for name, table in tables.items():
        if name not in SUITES:
            raise ConfigError(f"{where}suite.{name}: unknown suite{suggestion(name, SUITES)}")
        check_settings(name, table, f"{where}suite.{name}", runtime=False)
        settings[name] = dict(table)
    return settings


def parse(data: Mapping[str, Any], source: Path | None = None, where: str | None = None) -> GateConfig:
    """The configuration in `data` (a parsed TOML document), checked against the schema: every
    mistake is a `ConfigError` "FILE: key.as.written: what is wrong"."""
    prefix = f"{where or source or 'configuration'}: "
    top = parse_settings(TopLevel, data, prefix, runtime=False)
    root = source.parent if source else Path.cwd()
    limits = _limits(top.limits, LIVE_LIMITS, f"{prefix}limits")
    suite_settings = _suite_settings(top.suite or {}, prefix)
    targets_data = top.targets or {}
    if "stubs" in targets_data:
        raise ConfigError(f"{prefix}targets.stubs: 'stubs' is the embedded target and cannot be redefined")
    targets = {name: _target(name, table, limits, prefix) for name, table in targets_data.items()}
    contracts = None
    if top.contracts is not None:
        contracts = root / top.contracts
        if not contracts.is_dir():
            raise ConfigError(f"{prefix}contracts: {contracts} is not a folder")
    report_dir = top.report_dir
    return GateConfig(
        source=source,
        suites=top.suites,
        seed=top.seed,
        max_examples=top.max_examples,
        report_dir=Path(report_dir) if os.path.isabs(report_dir) else root / report_dir,
        contracts=contracts,
        limits=limits,
        suite_settings=suite_settings,
        targets=targets,
        strict_policy=top.strict_policy,
        min_coverage=_percent(top.min_coverage, f"{prefix}min_coverage"),
    )


def _percent(value: float | None, where: str) -> float | None:
    if value is not None and value > 100:
        raise ConfigError(f"{where}: must be a percentage from 0 to 100, got {value:g}")
    return value
