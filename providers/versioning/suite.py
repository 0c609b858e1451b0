"""The `versioning` suite: deprecated versions announce their end, keep their promises, and nothing breaks.

`run(ctx)` yields, in this order:

| part       | checks                                                        | module
|------------|---------------------------------------------------------------|-----
| `breaking` | `breaking-change`: each document against itself at the base  | `breaking`
| `headers`  | `deprecation-header`, `sunset-header`, `successor-link` on     | `probes`, `checks`
|            | deprecated operations; `no-deprecation-headers` on current    |
| `pacts`    | `old-consumer-pact`: interactions exercising deprecated ops   | `old_consumers`

What is deprecated, what a successor may be and which headers an answer owes all come from the specs
(`lifecycle`). Options, from `RunOptions.suites["versioning"]`:

- `parts`: a subset of `breaking`, `headers`, `pacts` (default: all three);
- `base`: what the contracts are compared with (see `breaking`; default: the merge base with main);
- `skew`: seconds of clock difference tolerated when comparing header dates with now (default 300);
- `clock`: a callable giving "now" in epoch seconds (default `time.time`; tests move it);
- `pacts`: settings for the old consumers' pacts, laid over `suites.pacts` (`folder`, `source`, …);
- `timeout`: seconds to fetch a base document from a URL (default 10).

The suite sets up provider states (through the old consumers' pacts) and creates resources in the
accounts it probes with, so the gate runs it alone (`contractgate.gate.EXCLUSIVE`): a pact's "login is
throttled" must not meet another suite's token request for the same account.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from providers.errors import ConfigError
from providers.requests import RequestBuilder
from providers.results import Result
from providers.suite import Progress, RunContext
from providers.versioning.breaking import breaking_changes
from providers.versioning.lifecycle import Lifecycle
from providers.versioning.old_consumers import verify_old_consumers
from providers.versioning.probes import plan, run_probes

SUITE = "versioning"
PARTS = ("breaking", "headers", "pacts")


@dataclass(frozen=True)
class Settings:
    parts: tuple[str, ...] = PARTS
    base: str | None = None
    skew: float = 300.0
    clock: Callable[[], float] = time.time
    pacts: dict[str, Any] | None = None
    timeout: float = 10.0


def settings_of(ctx: RunContext) -> Settings:
    options = dict(ctx.options.suites.get(SUITE) or {})
    unknown = sorted(set(options) - {"parts", "base", "skew", "clock", "pacts", "timeout"})
    if unknown:
        raise ConfigError(f"suites.versioning: unknown option(s) {', '.join(unknown)}")
    parts = tuple(options.get("parts") or PARTS)
    wrong = sorted(set(parts) - set(PARTS))
    if wrong:
        raise ConfigError(
            f"suites.versioning.parts: unknown part(s) {', '.join(wrong)} (known: {', '.join(PARTS)})"
        )
    base = options.get("base")
    if base is not None and (not isinstance(base, str) or not base.strip()):
        raise ConfigError("suites.versioning.base: a git revision, a folder or a URL template")
    clock = options.get("clock", time.time)
    if not callable(clock):
        raise ConfigError("suites.versioning.clock: a callable giving epoch seconds")
    try:
        skew = float(options.get("skew", 300.0))
        timeout = float(options.get("timeout", 10.0))
    except (TypeError, ValueError):
        raise ConfigError("suites.versioning: skew and timeout are numbers of seconds") from None
    pacts = options.get("pacts")
    if pacts is not None and not isinstance(pacts, dict):
        raise ConfigError("suites.versioning.pacts: a mapping of pacts-suite settings")
    return Settings(tuple(p for p in PARTS if p in parts), base, skew, clock, pacts, timeout)


def run(ctx: RunContext) -> Iterator[Result]:
    settings = settings_of(ctx)
    # Every spec counts: a pact on a service the target lacks is then reported skipped, not forgotten.
    lifecycle = Lifecycle(ctx.specs)
    if "breaking" in settings.parts:
        ctx.emit(Progress(SUITE, f"breaking changes against {settings.base or 'the merge base with main'}"))
        yield from breaking_changes(ctx.specs, settings.base, timeout=settings.timeout)
    if "headers" in settings.parts:
        probes = plan(ctx, lifecycle, RequestBuilder(ctx))
        ctx.emit(Progress(SUITE, f"deprecation headers: {len(probes)} probes"))
        yield from run_probes(ctx, lifecycle, probes, clock=settings.clock, skew=settings.skew)
    if "pacts" in settings.parts:
        # Old consumers' pacts concern the deprecated operations of every spec the target serves.
        yield from verify_old_consumers(ctx, lifecycle, settings.pacts)
