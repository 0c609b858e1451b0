"""What every suite receives and how it reports: the run context and the progress events.

A suite is a function `run(ctx) -> Iterator[Result]`: it yields results as checks finish, so the
CLI can show progress and a stopped run still has what it found. It never prints; it may call
`ctx.emit(Progress(...))` for finer-grained progress. It names its units of work with `ctx.share` and
runs only those its `Share` owns, so that N shards of a run do the whole run's work between them.
Errors that stop the whole gate (target down, budget exhausted, bad contract) are raised as
`ContractgateError`; a check that cannot be decided is a `Result` with verdict error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from contracts import SpecFile
from providers.contract import READ_ONLY_METHODS as READ_ONLY
from providers.credentials import Credentials, TokenSource
from providers.errors import ConfigError
from providers.http import TargetHttp
from providers.ledger import Ledger
from providers.platform import Platform
from providers.redact import Redactor
from providers.results import Result, Skip
from providers.sandbox import Sandbox, staging_safe_reason
from providers.shards import Share, Units
from providers.target import Target


@dataclass(frozen=True)
class Progress:
    suite: str
    message: str
    done: int | None = None
    total: int | None = None


Emit = Callable[[Progress], None]


@dataclass(frozen=True)
class RunOptions:
    #: Seed for every random choice (Schemathesis, attack order); None = random, reported in results.
    seed: int | None = None
    #: Examples Schemathesis generates per operation and phase.
    max_examples: int = 25
    #: Per-suite settings from configuration (e.g. {"fuzz": {"checks": [...]}}).
    suites: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Live-target safety: operations ("METHOD /path/template") allowed to write despite safe mode.
    allow_writes: frozenset[str] = frozenset()
    #: The target's staging sandbox: where, and as whom, a safe live target lets the run write.
    sandbox: Sandbox | None = None
    #: Failed policy checks fail the run (otherwise they are advisories).
    strict_policy: bool = False
    #: The least share (percent) of the checks the contracts imply that must run.
    min_coverage: float | None = None


@dataclass
class RunContext:
    target: Target
    specs: tuple[SpecFile, ...]
    asyncapi: dict[str, Any] | None
    credentials: Credentials
    tokens: TokenSource
    http: TargetHttp
    redactor: Redactor
    options: RunOptions = field(default_factory=RunOptions)
    emit: Emit = field(default=lambda progress: None)
    #: What the contracts folder says of its platform beyond the specs (`platform.yaml`).
    platform: Platform = field(default_factory=Platform)
    #: What the run created on the target (provider states reached through its API) and must undo.
    ledger: Ledger = field(default_factory=Ledger)
    #: Which units of work this run owns (`--shard K/N`; the whole run by default), and their timing.
    units: Units = field(default_factory=Units)

    def share(self, suite: str, weights: Mapping[str, float] | Iterable[str]) -> Share:
        """Declare the suite's units of work (name → weight); run only those the `Share` owns."""
        return self.units.share(suite, weights)

    def owns(self, suite: str, unit: str, *, pinned: int | None = None) -> bool:
        """Whether this run owns a suite's one unit of work (`pinned`: always that shard's)."""
        return self.units.owns(suite, unit, pinned=pinned)
    #: Account → why it may not write in the sandbox (None: it may), checked once per run.
    _writers: dict[str, str | None] = field(default_factory=dict, repr=False)
    _writers_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def specs_in_target(self) -> list[SpecFile]:
        """The specs whose service the target has."""
        return [spec for spec in self.specs if self.target.has(spec.service)]

    def may_send(self, method: str, path: str) -> bool:
        """Staging-safe mode: on a live target only read-only operations, unless allowed by configuration."""
        return self.why_not_send(method, path) is None

    def why_not_send(self, method: str, path: str) -> str | None:
        """Why the operation `method path` (a template) may not be sent, naming the setting that would
        allow it; None when it may. Writes on a safe live target go only where `allow_writes` names them
        or the sandbox allows them — and, in the sandbox, the primary account (which the suites act as)
        must be a sandbox account."""
        method = method.upper()
        if not self.target.live or not self.target.safe or method in READ_ONLY:
            return None
        if f"{method} {path}" in self.options.allow_writes:
            return None
        sandbox = self.options.sandbox
        if sandbox is None:
            return staging_safe_reason(method, path)
        return sandbox.refuses(method, path) or self.why_not_write_as(None)

    def why_not_write_as(self, account: str | None) -> str | None:
        """Why the run may not write as `account` (None: the primary one) in the target's sandbox."""
        sandbox = self.options.sandbox
        if sandbox is None or not self.target.live or not self.target.safe or not self.credentials.users:
            return None
        name = account or self.credentials.users[0].name
        with self._writers_lock:
            if name in self._writers:
                return self._writers[name]
            reason = sandbox.refuses_account(name, self._tenant_of(name) if sandbox.tenants else None)
            self._writers[name] = reason
            return reason

    def _tenant_of(self, account: str) -> str | None:
        """The tenant the account's genuine token carries (the configured one when the issuer names no
        tenant claim)."""
        claim = self.platform.issuer.claims.tenant if self.platform.issuer else None
        try:
            if claim is None:
                return self.credentials.user(account).tenant or None
            value = self.tokens.user(account).claims.get(claim)
        except (ConfigError, Skip):  # a target that is down stops the run as everywhere else
            return None
        return None if value is None else str(value)


class SuiteFunction(Protocol):
    def __call__(self, ctx: RunContext) -> Iterator[Result]: ...
