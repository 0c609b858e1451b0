"""What every suite receives and how it reports: the run context and the progress events.

A suite is a function `run(ctx) -> Iterator[Result]`: it yields results as checks finish, so the
CLI can show progress and a stopped run still has what it found. It never prints; it may call
`ctx.emit(Progress(...))` for finer-grained progress. It names its units of work with `ctx.share` and
runs only those its `Share` owns, so that N shards of a run do the whole run's work between them.
Errors that stop the whole gate (target down, budget exhausted, bad contract) are raised as
`ContractgateError`; a check that cannot be decided is a `Result` with verdict error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from contracts import SpecFile
from providers.credentials import Credentials, TokenSource
from providers.http import TargetHttp
from providers.ledger import Ledger
from providers.platform import Platform
from providers.redact import Redactor
from providers.results import Result
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

    def specs_in_target(self) -> list[SpecFile]:
        """The specs whose service the target has."""
        return [spec for spec in self.specs if self.target.has(spec.service)]

    def may_send(self, method: str, path: str) -> bool:
        """Staging-safe mode: on a live target only read-only operations, unless allowed by configuration."""
        if not self.target.live or not self.target.safe or method.upper() in ("GET", "HEAD", "OPTIONS"):
            return True
        return f"{method.upper()} {path}" in self.options.allow_writes


class SuiteFunction(Protocol):
    def __call__(self, ctx: RunContext) -> Iterator[Result]: ...
