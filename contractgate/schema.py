"""The configuration's schema: every table and key of `contractgate.toml`, typed, with defaults and docs.

Written once, in dataclasses, and read by both the checks and the docs. The top level, a target and its
users and clients are the dataclasses here; `[limits]` is `providers.http.Limits`, `[targets.NAME.sandbox]` is
`providers.sandbox.Sandbox`, `[targets.NAME.broker]` is `providers.broker.suite.BrokerOptions`
and each `[suite.NAME]` is that suite's own settings dataclass (`contractgate.suites.SETTINGS`): a field a suite adds or
drops is at once accepted, refused and documented. `providers.settings.parse` does the checking (unknown
keys with "did you mean", types, ranges); `reference()` renders the tables for `contractgate config schema`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field
from typing import Any

from contractgate.suites import SUITES, imported, settings_class
from providers.http import Limits
from providers.sandbox import Sandbox
from providers.settings import describe, keys_of, suggestion

BROKER = "providers.broker.suite:BrokerOptions"
#: A live target's safety net when the configuration says nothing: bounded in rate, count and time.
LIVE_LIMITS = Limits(timeout=10.0, rate=20.0, burst=5, budget=5000)


@dataclass(frozen=True)
class TopLevel:
    """The top level of `contractgate.toml` (or of `[tool.contractgate]` in `pyproject.toml`)."""

    #: The suites a run without `--suite` runs (default: all).
    suites: tuple[str, ...] | None = None
    #: Seed for generated data, to reproduce a run (default: random, recorded in the reports).
    seed: int | None = None
    #: Schemathesis examples per operation and phase.
    max_examples: int = field(default=25, metadata={"minimum": 1})
    #: Where `contractgate gate` writes its reports, relative to this file.
    report_dir: str = "reports"
    #: A folder holding `openapi/`, `asyncapi/` and `pacts/`, relative to this file (default: the
    #: contracts contractgate ships, or `$CONTRACTGATE_CONTRACTS`).
    contracts: str | None = None
    #: Failed policy checks fail the gate too (default: they are advisories, shown in every report).
    strict_policy: bool = False
    #: The least share (percent) of the checks the contracts imply that must run, or the gate fails.
    min_coverage: float | None = field(default=None, metadata={"minimum": 0, "maximum": 100})
    #: Live targets' safety net: timeouts, rate cap, request budget (`Limits`).
    limits: dict[str, Any] | None = None
    #: Per-suite settings, one table per suite: `[suite.NAME]`.
    suite: dict[str, Any] | None = None
    #: Named live targets: `[targets.NAME]`.
    targets: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for index, name in enumerate(self.suites or ()):
            if name not in SUITES:
                raise ValueError(f"suites[{index}]: unknown suite {name!r}{suggestion(name, SUITES)}")


@dataclass(frozen=True)
class TargetTable:
    """A named live target, `[targets.NAME]`: staging-safe unless it says otherwise."""

    #: Service name (as the contracts name it) → base URL, http or https.
    services: Mapping[str, str]
    #: Read-only operations only, plus `allow_writes` and what the `sandbox` allows.
    safe: bool = True
    #: Writes allowed despite safe mode, as "METHOD /path/template".
    allow_writes: tuple[str, ...] = ()
    #: A staging sandbox where the run may write (`Sandbox`): which operations, under which paths, as
    #: which accounts and tenants; provider states are then reached through the public API there.
    sandbox: dict[str, Any] | None = None
    #: The services expose the provider-state hook (`platform.yaml` hook.path; the stubs do).
    provider_states: bool = False
    #: This target's limits, on top of the top-level `[limits]` (`Limits`).
    limits: dict[str, Any] | None = None
    #: Accounts by the role they play in the suites: `[targets.NAME.users.ACCOUNT]`.
    users: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    #: Service clients by client id: `[targets.NAME.clients.CLIENT_ID]`.
    clients: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    #: The target's Pact Broker (`BrokerOptions`): verify from it, then ask can-i-deploy.
    broker: dict[str, Any] | None = None
    #: The environment variable holding the issuer's signing key (an HS secret or a PEM private key):
    #: the tokens suite then forges validly signed expired, wrong-audience … tokens without any hook.
    signing_key_env: str | None = None
    #: The `kid` and JWS algorithm to sign with (default: the genuine tokens' own).
    signing_key_id: str | None = None
    signing_algorithm: str | None = None


@dataclass(frozen=True)
class UserTable:
    """An account of a live target, `[targets.NAME.users.ACCOUNT]` (an account of `platform.yaml`);
    secrets come from the environment."""

    #: The environment variables holding its username and password.
    username_env: str
    password_env: str
    #: Its roles, as the tokens carry them (default: the manifest's account's).
    roles: tuple[str, ...] | None = None
    #: Its tenant (or owner), as the tokens carry it (default: the manifest's account's).
    tenant: str | None = None


@dataclass(frozen=True)
class ClientTable:
    """A service client of a live target, `[targets.NAME.clients.CLIENT_ID]`."""

    #: The environment variable holding its client secret.
    secret_env: str
    #: Audience → the scopes it may ask for (default: the manifest's client's).
    grants: Mapping[str, tuple[str, ...]] | None = None


def tables() -> Iterator[tuple[str, type, Any]]:
    """Every table of the configuration as it is written in the file, its dataclass, and the instance
    whose values are its defaults when they are not the dataclass's own (None)."""
    yield "", TopLevel, None
    yield "[limits]", Limits, LIVE_LIMITS
    for suite in SUITES:
        yield f"[suite.{suite}]", settings_class(suite), None
    yield "[targets.NAME]", TargetTable, None
    yield "[targets.NAME.limits]", Limits, LIVE_LIMITS
    yield "[targets.NAME.sandbox]", Sandbox, None
    yield "[targets.NAME.users.ACCOUNT]", UserTable, None
    yield "[targets.NAME.clients.CLIENT_ID]", ClientTable, None
    yield "[targets.NAME.broker]", imported(BROKER), None


def _default(value: Any) -> str:
    if value is MISSING:
        return "required"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | list | frozenset):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else repr(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_default(v)}" for k, v in value.items()) + " }" if value else "{}"
    return str(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _doc(cls: type) -> str:
    """The first paragraph of the class's docstring, else of its module's (a dataclass without one
    gets its signature as `__doc__`)."""
    doc = cls.__doc__ or ""
    if not doc or doc.startswith(f"{cls.__name__}("):
        doc = getattr(inspect.getmodule(cls), "__doc__", None) or ""
    return doc.strip().split("\n\n")[0]


def reference() -> str:
    """Every table and key with its type, default and doc, as Markdown (`contractgate config schema`)."""
    lines = ["# contractgate configuration", ""]
    for name, cls, defaults in tables():
        doc = _doc(cls)
        lines += [f"## {name or 'top level'}", "", _cell(doc), ""]
        lines += ["| key | type | default | what |", "|---|---|---|---|"]
        for key in keys_of(cls):
            default = getattr(defaults, key.name) if defaults is not None else key.default
            lines.append(
                f"| `{key.name}` | {_cell(describe(key.hint))} | `{_cell(_default(default))}` | {_cell(key.doc)} |"
            )
        lines.append("")
    return "\n".join(lines)
