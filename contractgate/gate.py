"""The gate: one run of the chosen suites against one target, and its verdict.

`run_gate` owns the lifecycle — start the embedded stubs when the target is `stubs`, check that a live
target answers at all, run each suite, stop everything — and reports through a `GateListener` so
that the CLI (or a test) decides how to show it. A `ContractgateError` raised by a suite (target down,
budget exhausted) stops the run: the results so far are kept and the outcome says why it stopped.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from contractgate.credentials import demo_credentials
from contractgate.embedded import embedded_stubs
from contracts import ContractFileError, SpecFile, asyncapi_spec, openapi_specs
from providers.credentials import Credentials, TokenSource
from providers.errors import ConfigError, ContractError, ContractgateError, TargetUnreachable
from providers.http import Limits, RequestGuard, TargetHttp
from providers.redact import Redactor
from providers.results import Result, Verdict, overall
from providers.suite import Progress, RunContext, RunOptions, SuiteFunction
from providers.target import Target

#: Suite name → "module:function". Suites are imported only when chosen.
SUITES: dict[str, str] = {
    "pacts": "providers.pacts.suite:run",
    "fuzz": "providers.fuzz:run",
    "websocket": "providers.websocket.suite:run",
}


def suite_function(name: str) -> SuiteFunction:
    if name not in SUITES:
        raise ConfigError(f"unknown suite {name!r} (known: {', '.join(SUITES)})")
    module, _, attr = SUITES[name].partition(":")
    function: SuiteFunction = getattr(importlib.import_module(module), attr)
    return function


class GateListener(Protocol):
    def suite_started(self, suite: str) -> None: ...
    def progress(self, progress: Progress) -> None: ...
    def result(self, result: Result) -> None: ...
    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None: ...


class SilentListener:
    def suite_started(self, suite: str) -> None:
        pass

    def progress(self, progress: Progress) -> None:
        pass

    def result(self, result: Result) -> None:
        pass

    def suite_finished(self, suite: str, results: list[Result], seconds: float) -> None:
        pass


@dataclass
class GatePlan:
    #: A prepared target (URLs); None means the embedded stubs.
    target: Target | None = None
    suites: tuple[str, ...] = tuple(SUITES)
    options: RunOptions = field(default_factory=RunOptions)
    credentials: Credentials | None = None
    limits: Limits = field(default_factory=Limits)
    contracts_root: str | None = None


@dataclass
class GateOutcome:
    target: str
    suites: tuple[str, ...]
    results: list[Result]
    seconds: float
    suite_seconds: dict[str, float] = field(default_factory=dict)
    #: Why the run stopped early (target down, budget exhausted), if it did.
    stopped: str | None = None

    @property
    def verdict(self) -> Verdict:
        return Verdict.ERROR if self.stopped else overall(self.results)

    @property
    def exit_code(self) -> int:
        return {Verdict.PASS: 0, Verdict.FAIL: 1}.get(self.verdict, 2)


def check_reachable(target: Target, http: TargetHttp) -> None:
    """Every service of a live target answers HTTP at all (any status); else exit 2 naming the URL."""
    for service in target.services.values():
        try:
            http.request("GET", service.base_url + "/")
        except TargetUnreachable:
            raise
        except httpx.HTTPError as exc:  # pragma: no cover - TargetHttp maps transport errors
            raise TargetUnreachable(service.base_url, type(exc).__name__) from None


@contextmanager
def _target(plan: GatePlan) -> Iterator[Target]:
    if plan.target is not None:
        yield plan.target
        return
    with embedded_stubs() as (_, target):
        yield target


def _load_contracts(root: str | None) -> tuple[tuple[SpecFile, ...], dict[str, Any] | None]:
    try:
        specs = openapi_specs(root)
        try:
            asyncapi = asyncapi_spec(root)
        except ContractFileError:
            asyncapi = None
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    if not specs:
        raise ContractError(f"no OpenAPI documents found under {root or 'contracts/'}openapi/")
    return specs, asyncapi


def run_gate(plan: GatePlan, listener: GateListener | None = None) -> GateOutcome:
    """Run the plan; raises `ContractgateError` only for problems found before any suite ran."""
    listener = listener or SilentListener()
    functions = {name: suite_function(name) for name in plan.suites}
    specs, asyncapi = _load_contracts(plan.contracts_root)
    started = time.monotonic()
    results: list[Result] = []
    suite_seconds: dict[str, float] = {}
    stopped: str | None = None
    with ExitStack() as stack:
        target = stack.enter_context(_target(plan))
        guard = RequestGuard(plan.limits)
        http = TargetHttp(guard)
        stack.callback(http.close)
        if target.live:
            check_reachable(target, http)
        redactor = Redactor()
        credentials = plan.credentials or demo_credentials()
        ctx = RunContext(
            target=target,
            specs=specs,
            asyncapi=asyncapi,
            credentials=credentials,
            tokens=TokenSource(target, credentials, http, redactor),
            http=http,
            redactor=redactor,
            options=plan.options,
            emit=listener.progress,
        )
        for name, function in functions.items():
            listener.suite_started(name)
            suite_started = time.monotonic()
            suite_results: list[Result] = []
            try:
                for result in function(ctx):
                    suite_results.append(result)
                    listener.result(result)
            except ContractgateError as exc:
                stopped = f"{name}: {redactor.text(str(exc))}"
            finally:
                suite_seconds[name] = time.monotonic() - suite_started
                results.extend(suite_results)
                listener.suite_finished(name, suite_results, suite_seconds[name])
            if stopped:
                break
    return GateOutcome(
        target=target.name,
        suites=tuple(functions),
        results=results,
        seconds=time.monotonic() - started,
        suite_seconds=suite_seconds,
        stopped=stopped,
    )


def service_urls(pairs: Mapping[str, str | None]) -> dict[str, str]:
    """Drop unset entries of a service → URL mapping (command-line flags that were not given)."""
    return {name: url for name, url in pairs.items() if url}
