"""Run contexts for the token and cross-auth suites' tests, and ways to look at their results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from contractgate.credentials import demo_credentials
from contracts import asyncapi_spec, openapi_specs
from providers.credentials import TokenSource
from providers.crossauth import run as crossauth
from providers.http import Limits, RequestGuard, TargetHttp
from providers.platform import of_folder
from providers.redact import JWT, Redactor
from providers.results import Result, Verdict
from providers.suite import RunContext, RunOptions
from providers.target import Target
from providers.tokens import run as tokens


def context(target: Target, allow_writes: Iterable[str] = (), **suites: dict[str, Any]) -> RunContext:
    http = TargetHttp(RequestGuard(Limits(timeout=10)))
    redactor = Redactor()
    credentials = demo_credentials()
    return RunContext(
        platform=of_folder(),
        target=target,
        specs=openapi_specs(),
        asyncapi=asyncapi_spec(),
        credentials=credentials,
        tokens=TokenSource(target, credentials, http, redactor),
        http=http,
        redactor=redactor,
        options=RunOptions(suites=suites, allow_writes=frozenset(allow_writes)),
    )


@contextmanager
def opened(
    target: Target, allow_writes: Iterable[str] = (), **suites: dict[str, Any]
) -> Iterator[RunContext]:
    """A run context whose HTTP client is closed afterwards."""
    ctx = context(target, allow_writes, **suites)
    try:
        yield ctx
    finally:
        ctx.http.close()


def run_suite(name: str, target: Target, *, allow_writes: Iterable[str] = (), **options: Any) -> list[Result]:
    """The suite's results against `target` (options as under `suites.<name>`)."""
    ctx = context(target, allow_writes, **{name: options})
    try:
        return list({"tokens": tokens, "crossauth": crossauth}[name](ctx))
    finally:
        ctx.http.close()


def failing(results: Iterable[Result]) -> set[tuple[str, str]]:
    """The cells that failed or erred (skips are counted apart: they are not failures)."""
    return {(r.operation, r.check) for r in results if r.verdict in (Verdict.FAIL, Verdict.ERROR)}


def of(results: Iterable[Result], operation: str, check: str) -> Result:
    found = [r for r in results if r.operation == operation and r.check == check]
    assert len(found) == 1, f"{operation} {check}: {len(found)} results"
    return found[0]


def unredacted(result: Result) -> list[str]:
    """JWT-shaped strings a result shows (there must be none)."""
    text = " ".join([result.observed, result.expectation, result.reproduction or "", str(result.details)])
    return JWT.findall(text)
