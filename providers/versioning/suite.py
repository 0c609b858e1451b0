"""The `versioning` suite: deprecated versions announce their end, keep their promises, and nothing breaks.

`run(ctx)` yields, in this order:

| part       | checks                                                        | module
|------------|---------------------------------------------------------------|-----
| `breaking` | `breaking-change`: each document against itself at the base  | `breaking`
| `headers`  | `deprecation-header`, `sunset-header`, `successor-link` on     | `probes`, `checks`
|            | deprecated operations; `no-deprecation-headers` on current    |
| `pacts`    | `old-consumer-pact`: interactions exercising deprecated ops   | `old_consumers`

What is deprecated, what a successor may be and which headers an answer owes all come from the specs
(`lifecycle`). Settings (`[suite.versioning]`, `Settings`):

- `parts`: a subset of `breaking`, `headers`, `pacts` (default: all three);
- `base`: what the contracts are compared with (see `breaking`; default: the merge base with main);
- `skew`: seconds of clock difference tolerated when comparing header dates with now (default 300);
- `clock`: a callable giving "now" in epoch seconds (default `time.time`; tests move it);
- `pacts`: settings for the old consumers' pacts, laid over `[suite.pacts]` (`folder`, `source`, …);
- `timeout`: seconds to fetch a base document from a URL (default 10).

The suite sets up provider states (through the old consumers' pacts) and creates resources in the
accounts it probes with, so the gate runs it alone (`contractgate.gate.EXCLUSIVE`): a pact's "login is
throttled" must not meet another suite's token request for the same account.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from providers.pacts.suite import PactSettings
from providers.requests import RequestBuilder
from providers.results import Result
from providers.settings import parse
from providers.suite import Progress, RunContext
from providers.versioning.breaking import breaking_changes
from providers.versioning.lifecycle import Lifecycle
from providers.versioning.old_consumers import verify_old_consumers
from providers.versioning.probes import plan, run_probes

SUITE = "versioning"
Part = Literal["breaking", "headers", "pacts"]
PARTS: tuple[Part, ...] = ("breaking", "headers", "pacts")


@dataclass(frozen=True)
class Settings:
    """`[suite.versioning]` settings."""

    #: Which parts run: `breaking`, `headers`, `pacts`.
    parts: tuple[Part, ...] = PARTS
    #: What the contracts are compared with: a git revision, a folder, or a URL template with `{name}`
    #: or `{file}`. Default: the merge base with main.
    base: str | None = None
    #: Seconds of clock difference tolerated when comparing header dates with now.
    skew: float = 300.0
    #: "Now" in epoch seconds (given in code: tests move it).
    clock: Callable[[], float] = time.time
    #: Settings of the `pacts` suite for the old consumers' pacts, laid over `[suite.pacts]`.
    pacts: dict[str, Any] | None = None
    #: Seconds to fetch a base document from a URL.
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.base is not None and not self.base.strip():
            raise ValueError("base: a git revision, a folder or a URL template, not blank")
        if self.pacts is not None:
            parse(PactSettings, self.pacts, "pacts")


def settings_of(ctx: RunContext) -> Settings:
    settings = parse(Settings, ctx.options.suites.get(SUITE), "suite.versioning")
    return replace(settings, parts=tuple(p for p in PARTS if p in settings.parts))


def run(ctx: RunContext) -> Iterator[Result]:
    settings = settings_of(ctx)
    # Every spec counts: a pact on a service the target lacks is then reported skipped, not forgotten.
    lifecycle = Lifecycle(ctx.specs)
    # Units of work: the parts, weighed by the specs compared, the operations probed, the deprecated ones.
    weights = {
        "breaking": len(ctx.specs),
        "headers": len(lifecycle.operations),
        "pacts": len(lifecycle.deprecated()),
    }
    share = ctx.share(SUITE, {part: float(weights[part] or 1) for part in settings.parts})
    if "breaking" in settings.parts and share.owns("breaking"):
        ctx.emit(Progress(SUITE, f"breaking changes against {settings.base or 'the merge base with main'}"))
        with share.timed("breaking"):
            yield from breaking_changes(ctx.specs, settings.base, timeout=settings.timeout, http=ctx.http)
    if "headers" in settings.parts and share.owns("headers"):
        with share.timed("headers"):
            probes = plan(ctx, lifecycle, RequestBuilder(ctx))
            ctx.emit(Progress(SUITE, f"deprecation headers: {len(probes)} probes"))
            yield from run_probes(ctx, lifecycle, probes, clock=settings.clock, skew=settings.skew)
    if "pacts" in settings.parts and share.owns("pacts"):
        # Old consumers' pacts concern the deprecated operations of every spec the target serves.
        with share.timed("pacts"):
            yield from verify_old_consumers(ctx, lifecycle, settings.pacts)
