"""contractgate's configuration: `contractgate.toml`, or `[tool.contractgate]` in `pyproject.toml`.

Found by `discover()` from the working directory upwards (stopping at a repository root), or named with
`--config`. Relative paths in it are relative to the file. Every problem is a `ConfigError` of one line
that names the file and the key. Secrets are never literal: users and clients name the environment
variables that hold them, and a key that looks like a literal secret is refused.

    suites = ["pacts", "fuzz", …]          # which suites run by default (default: all)
    seed = 7                                # reproducible data (default: random, reported)
    strict_policy = false                   # failed policy checks fail the gate (default: advisories)
    max_examples = 25                       # Schemathesis examples per operation and phase
    report_dir = "reports"
    contracts = "contracts"                 # a folder with openapi/, asyncapi/, pacts/

    [limits]                                # live targets' safety net (staging-safe defaults)
    timeout = 10; rate = 20; burst = 5; budget = 5000

    [suite.fuzz]  / [suite.websocket] / …   # per-suite settings, passed to the suite

    [targets.staging]
    services = { billing = "https://…", ledger = "https://…" }   # the services of the contracts
    safe = true                             # read-only + allow_writes only (default true)
    allow_writes = ["POST /invoices"]
    provider_states = false                 # the services expose /_contractgate/provider-states
    limits = { rate = 5, budget = 1000 }
    [targets.staging.users.NAME]            # username_env, password_env (roles, tenant: platform.yaml's)
    [targets.staging.clients.CLIENT_ID]     # secret_env (grants: platform.yaml's)
    signing_key_env = "STAGING_JWT_KEY"     # the issuer's signing key: forged expired/wrong-aud tokens

How tokens are obtained, the accounts' roles and the clients' grants are the platform's, described in
the contracts folder's `platform.yaml` (`providers.platform`), not here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from providers.errors import ConfigError
from providers.http import Limits

CONFIG_FILE = "contractgate.toml"
PYPROJECT = "pyproject.toml"
#: A live target's safety net when the configuration says nothing: bounded in rate, count and time.
LIVE_LIMITS = Limits(timeout=10.0, rate=20.0, burst=5, budget=5000)
_TOP_KEYS = {
    "suites",
    "suite",
    "seed",
    "max_examples",
    "report_dir",
    "contracts",
    "limits",
    "targets",
    "strict_policy",
}
_TARGET_KEYS = {
    "services",
    "safe",
    "allow_writes",
    "provider_states",
    "limits",
    "users",
    "clients",
    "broker",
    "signing_key_env",
    "signing_key_id",
    "signing_algorithm",
}
_SECRET_WORDS = ("password", "secret", "token")


@dataclass(frozen=True)
class TargetConfig:
    name: str
    services: Mapping[str, str]
    safe: bool = True
    allow_writes: frozenset[str] = frozenset()
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
    limits: Limits = LIVE_LIMITS
    suite_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    targets: Mapping[str, TargetConfig] = field(default_factory=dict)
    #: Failed policy checks fail the gate too (default: they are advisories).
    strict_policy: bool = False

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


class _Reader:
    """Typed access to one table, with errors that name the file and the key."""

    def __init__(self, data: Mapping[str, Any], where: str, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: {prefix.rstrip('.') or 'the configuration'} must be a table")
        self.data = data
        self.where = where
        self.prefix = prefix

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.prefix}{key}: {message}")

    def only(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.fail(unknown[0], f"unknown key (known: {', '.join(sorted(allowed))})")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) and kind in (int, float):
            raise self.fail(key, "must be a number")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"must be {names_of(names)}")
        return value

    def table(self, key: str) -> _Reader:
        return _Reader(self.data.get(key, {}), self.where, f"{self.prefix}{key}.")

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(value)


def names_of(type_names: str) -> str:
    return {"str": "a string", "int": "an integer", "bool": "true or false", "dict": "a table"}.get(
        type_names, f"a {type_names}"
    )


def _limits(reader: _Reader, base: Limits) -> Limits:
    reader.only({"timeout", "rate", "burst", "budget"})
    values: dict[str, Any] = {}
    for name, kind in (("timeout", (int, float)), ("rate", (int, float)), ("burst", int), ("budget", int)):
        value = reader.get(name, kind)
        if value is not None:
            if value <= 0:
                raise reader.fail(name, "must be greater than 0")
            values[name] = float(value) if name in ("timeout", "rate") else value
    return Limits(**{f.name: values.get(f.name, getattr(base, f.name)) for f in fields(Limits)})


def _refuse_literal_secrets(reader: _Reader) -> None:
    for key, value in reader.data.items():
        lowered = key.lower()
        if (
            any(word in lowered for word in _SECRET_WORDS)
            and not lowered.endswith("_env")
            and isinstance(value, str)
        ):
            raise reader.fail(
                key, f"literal secrets are not allowed; name an environment variable ({key}_env)"
            )


def _target(name: str, reader: _Reader, base_limits: Limits) -> TargetConfig:
    reader.only(_TARGET_KEYS)
    services_reader = reader.table("services")
    services: dict[str, str] = {}
    for service, url in services_reader.data.items():
        if not isinstance(url, str):
            raise services_reader.fail(service, "must be a URL string")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise services_reader.fail(service, f"{url!r} is not an http(s) URL")
        services[service] = url.rstrip("/")
    if not services:
        raise reader.fail("services", "name at least one service and its base URL")
    users: dict[str, Mapping[str, Any]] = {}
    users_reader = reader.table("users")
    for account in users_reader.data:
        user = users_reader.table(account)
        _refuse_literal_secrets(user)
        user.only({"username_env", "password_env", "roles", "tenant"})
        users[account] = dict(user.data)
    clients: dict[str, Mapping[str, Any]] = {}
    clients_reader = reader.table("clients")
    for client_id in clients_reader.data:
        client = clients_reader.table(client_id)
        _refuse_literal_secrets(client)
        client.only({"secret_env", "grants"})
        clients[client_id] = dict(client.data)
    broker = reader.table("broker")
    _refuse_literal_secrets(broker)
    allow = reader.strings("allow_writes") or ()
    for entry in allow:
        method, _, path = entry.partition(" ")
        if not method.isalpha() or not path.startswith("/"):
            raise reader.fail("allow_writes", f"{entry!r} is not 'METHOD /path/template'")
    return TargetConfig(
        name=name,
        services=services,
        safe=reader.get("safe", bool, True),
        allow_writes=frozenset(f"{e.split(' ', 1)[0].upper()} {e.split(' ', 1)[1]}" for e in allow),
        provider_states=reader.get("provider_states", bool, False),
        limits=_limits(reader.table("limits"), base_limits),
        users=users,
        clients=clients,
        broker=dict(broker.data),
        signing_key_env=reader.get("signing_key_env", str),
        signing_key_id=reader.get("signing_key_id", str),
        signing_algorithm=reader.get("signing_algorithm", str),
    )


def parse(data: Mapping[str, Any], source: Path | None = None, where: str | None = None) -> GateConfig:
    reader = _Reader(data, where or str(source or "configuration"))
    if "credentials" in data:
        raise reader.fail(
            "credentials", "how tokens are obtained is described in the contracts' platform.yaml ('tokens')"
        )
    reader.only(_TOP_KEYS)
    root = source.parent if source else Path.cwd()
    max_examples = reader.get("max_examples", int, 25)
    if max_examples < 1:
        raise reader.fail("max_examples", "must be at least 1")
    limits = _limits(reader.table("limits"), LIVE_LIMITS)
    settings_reader = reader.table("suite")
    suite_settings = {name: dict(settings_reader.table(name).data) for name in settings_reader.data}
    suites = reader.strings("suites")
    targets_reader = reader.table("targets")
    targets = {name: _target(name, targets_reader.table(name), limits) for name in targets_reader.data}
    if "stubs" in targets:
        raise targets_reader.fail("stubs", "'stubs' is the embedded target and cannot be redefined")
    contracts = reader.get("contracts", str)
    report_dir = reader.get("report_dir", str, "reports")
    return GateConfig(
        source=source,
        suites=suites,
        seed=reader.get("seed", int),
        max_examples=max_examples,
        report_dir=Path(report_dir) if os.path.isabs(report_dir) else root / report_dir,
        contracts=(root / contracts) if contracts else None,
        limits=limits,
        suite_settings=suite_settings,
        targets=targets,
        strict_policy=reader.get("strict_policy", bool, False),
    )
