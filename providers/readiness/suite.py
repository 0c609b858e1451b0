"""The `readiness` suite: is the target ready for production traffic, as its contracts and the standards say.

Three parts, in this order (`[suite.readiness] parts` chooses):

- `latency` — each operation with a budget in `readiness.latency` is measured (`providers.readiness.latency`)
  and its percentiles held to the budget; a service of the target without any budget is a skip naming
  the key. The gate runs this suite alone, before the others, so the figures are the service's and not
  the load of other suites.
- `health` — each service's declared health operation and its dependencies (`providers.readiness.health`).
- `headers` — `Cache-Control: no-store` on token answers, `WWW-Authenticate` on 401s, HSTS on https
  (`providers.readiness.headers`).

Options: `parts`, `samples` (overrides every budget's sample count — keep it small against a live
target: each sample is a request within the rate cap and budget), `warmup`, `hsts_min_age` (seconds,
default one year), `websocket` (false: no handshake), `channel`, `handshake_timeout`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from providers.checks import Basis, register
from providers.errors import ConfigError
from providers.readiness.calls import call_for
from providers.readiness.headers import challenges, hsts, token_answers
from providers.readiness.health import health_results
from providers.readiness.latency import judge, measure
from providers.readiness.manifest import MAX_SAMPLES, Budget, Readiness, readiness
from providers.requests import RequestBuilder, Unavailable
from providers.results import Result, Verdict
from providers.settings import parse
from providers.suite import Progress, RunContext

SUITE = "readiness"
PARTS = ("latency", "health", "headers")
ONE_YEAR = 31536000

CHECKS: dict[str, tuple[Basis, str, str]] = {
    "latency": (
        Basis.CONTRACT,
        "platform.yaml readiness.latency.budgets: the declared percentiles, nearest-rank over the measured requests",
        "the operation answers within its declared latency budget",
    ),
    "health": (
        Basis.CONTRACT,
        "platform.yaml readiness.health: the declared operation answers 2xx with a healthy status",
        "the service's health operation says it is ready",
    ),
    "health-dependency": (
        Basis.CONTRACT,
        "platform.yaml readiness.health.<service>.expects: each dependency reported, and healthy",
        "the health answer reports each dependency healthy",
    ),
    "token-no-store": (
        Basis.STANDARD,
        "RFC 6749 §5.1: an answer carrying tokens has Cache-Control: no-store",
        "token answers are never stored by a cache",
    ),
    "www-authenticate": (
        Basis.STANDARD,
        "RFC 9110 §15.5.2 and §11.6.1 (a 401 carries WWW-Authenticate with a challenge); RFC 6750 §3 "
        "(a resource taking bearer tokens challenges with Bearer)",
        "a 401 says how to authenticate",
    ),
    "hsts": (
        Basis.POLICY,
        "policy: a production service on https declares HSTS (RFC 6797 §6.1) with max-age ≥ hsts_min_age, "
        "a year by default (OWASP ASVS 4.0 V14.4.5)",
        "an https service tells browsers never to use http",
    ),
}
for _name, (_basis, _cites, _summary) in CHECKS.items():
    register(SUITE, _name, _basis, _cites, _summary, needs=("an https target",) if _name == "hsts" else ())


@dataclass(frozen=True)
class Settings:
    """`[suite.readiness]` options."""

    parts: tuple[str, ...] = PARTS
    samples: int | None = None
    warmup: int | None = field(default=None, metadata={"minimum": 0})
    hsts_min_age: int = ONE_YEAR
    websocket: bool = True
    channel: str | None = None
    handshake_timeout: float = 5.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.readiness]` (or options given in code); a mistake is a one-line `ConfigError`."""
        settings = parse(cls, options, "suite.readiness")
        if not settings.parts or set(settings.parts) - set(PARTS):
            raise ConfigError(f"suite.readiness.parts: choose from {', '.join(PARTS)}")
        for key, low in (("samples", 1), ("warmup", 0)):
            value = getattr(settings, key)
            if value is not None and not low <= value <= MAX_SAMPLES:
                raise ConfigError(f"suite.readiness.{key}: a whole number from {low} to {MAX_SAMPLES}")
        return settings


def _latency(
    ctx: RunContext, declared: Readiness, settings: Settings, builder: RequestBuilder
) -> Iterator[Result]:
    budgets = [b for b in declared.budgets if ctx.target.has(b.service)]
    for service in ctx.target.services:
        if not any(b.service == service for b in budgets):
            why = f"{ctx.platform.where} declares no latency budget for {service} (readiness.latency.budgets.{service})"
            yield Result(SUITE, service, "-", "latency", CHECKS["latency"][2], why, Verdict.SKIPPED)
    warmup = declared.warmup if settings.warmup is None else settings.warmup
    for done, budget in enumerate(budgets):
        if settings.samples is not None:
            budget = replace(budget, samples=settings.samples)
        ctx.emit(
            Progress(SUITE, f"latency of {budget.service} {budget.label}", done=done, total=len(budgets))
        )
        yield _measured(ctx, budget, warmup, builder)


def _measured(ctx: RunContext, budget: Budget, warmup: int, builder: RequestBuilder) -> Result:
    expectation = f"{budget.describe()} over {budget.samples} requests"
    where = f"{ctx.platform.where}: readiness.latency.budgets.{budget.service}"
    try:
        call = call_for(ctx, builder, budget.service, budget.method, budget.path, where=where)
    except Unavailable as exc:
        return Result(SUITE, budget.service, budget.label, "latency", expectation, str(exc), Verdict.SKIPPED)
    measured = measure(lambda: call.send(ctx), budget.samples, warmup)
    verdict, observed, details = judge(budget, measured)
    details["warmup"] = warmup
    return Result(
        SUITE,
        budget.service,
        budget.label,
        "latency",
        expectation,
        observed,
        verdict,
        call.curl(ctx),
        details,
    )


def run(ctx: RunContext) -> Iterator[Result]:
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    declared = readiness(ctx.platform)
    builder = RequestBuilder(ctx)
    if "latency" in settings.parts:
        yield from _latency(ctx, declared, settings, builder)
    if "health" in settings.parts:
        ctx.emit(Progress(SUITE, "health"))
        yield from health_results(ctx, declared, builder)
    if "headers" in settings.parts:
        ctx.emit(Progress(SUITE, "token answers, 401 challenges, HSTS"))
        yield from token_answers(ctx)
        yield from challenges(ctx, settings.websocket, settings.channel, settings.handshake_timeout)
        paths = {s: h.path for s, h in declared.health.items() if h.method == "GET"}
        yield from hsts(ctx, paths, settings.hsts_min_age)
