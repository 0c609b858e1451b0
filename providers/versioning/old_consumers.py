"""Old consumers' pacts: the interactions that exercise deprecated operations, verified against the target.

A deprecated operation is still a promise until its sunset: the consumers that have not migrated
rely on it exactly as their pacts say. Which pacts are "old" is decided from the pacts' own requests,
not from consumer names: an HTTP interaction is selected when its method and path match a deprecated
operation (`Lifecycle.deprecated_operation`) of the pact's provider. The selected interactions of each
pact are handed to the `pacts` suite's verification (`providers.pacts.suite.verify_pact`: the FFI
verifier, provider states through the state-change URL, staging-safe skips) and its results come back
relabelled — one per interaction, check `old-consumer-pact`, the operation naming the consumer, the
provider and the interaction, the deprecated operation in the details.

Pacts come from where the `pacts` suite reads them (`[suite.pacts]`: `source`, `folder`, `timeout`; not
its filters nor its result publisher), with `[suite.versioning] pacts` laid over that (the same keys).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from providers.pacts.sources import Interaction, PactDocument
from providers.pacts.suite import PactSettings, settings_of, verify_pact
from providers.results import Result, Verdict
from providers.suite import Progress, RunContext
from providers.versioning.lifecycle import Lifecycle, Versioned

SUITE = "versioning"
CHECK = "old-consumer-pact"
#: `[suite.pacts]` settings that concern the `pacts` suite's own run: its filters (old consumers are
#: chosen by what they exercise) and its result publisher (a subset's results are no verification
#: a broker should record).
NOT_INHERITED = ("consumers", "providers", "publisher")


def pact_settings(ctx: RunContext, overrides: Mapping[str, Any] | None) -> PactSettings:
    """Where the `pacts` suite reads pacts (`[suite.pacts]` but `NOT_INHERITED`), with
    `[suite.versioning] pacts` laid over it."""
    inherited = {
        key: value
        for key, value in (ctx.options.suites.get("pacts") or {}).items()
        if key not in NOT_INHERITED
    }
    suites = {**ctx.options.suites, "pacts": {**inherited, **(overrides or {})}}
    return settings_of(replace(ctx, options=replace(ctx.options, suites=suites)))


def _request_path(interaction: Interaction) -> tuple[str, str] | None:
    request = interaction.request
    path = request.get("path")
    if not isinstance(path, str):
        return None
    return str(request.get("method", "GET")).upper(), path


def old_interactions(pact: PactDocument, lifecycle: Lifecycle) -> list[tuple[Interaction, Versioned]]:
    """The pact's HTTP interactions that exercise a deprecated operation of its provider."""
    found = []
    for interaction in pact.of_kind("http"):
        request = _request_path(interaction)
        if request is None:
            continue
        versioned = lifecycle.deprecated_operation(pact.provider, *request)
        if versioned is not None:
            found.append((interaction, versioned))
    return found


def _relabel(result: Result, exercised: Mapping[str, Versioned]) -> Result:
    versioned = exercised.get(str(result.details.get("interaction", "")))
    details = dict(result.details)
    expectation = result.expectation
    if versioned is not None:
        details.update(
            deprecated_operation=versioned.label,
            spec=versioned.spec.name,
            api_version=versioned.spec.version,
        )
        expectation = f"{expectation} (deprecated {versioned.label}, still served until its sunset)"
    return replace(result, suite=SUITE, check=CHECK, expectation=expectation, details=details)


def verify_old_consumers(
    ctx: RunContext, lifecycle: Lifecycle, overrides: Mapping[str, Any] | None = None
) -> Iterator[Result]:
    settings = pact_settings(ctx, overrides)
    pacts = settings.pacts.pacts()  # a malformed pact is a ContractError: the gate stops, exit 2
    selected = []
    for pact in pacts:
        if not settings.wants(pact):
            continue
        pairs = old_interactions(pact, lifecycle)
        if pairs:
            selected.append((pact, pairs))
    if not selected:
        deprecated = len(lifecycle.deprecated())
        yield Result(
            suite=SUITE,
            service="-",
            operation="old consumers' pacts",
            check=CHECK,
            expectation="the pacts exercising deprecated operations verify against the target",
            observed=f"no pact of {settings.pacts.description} exercises any of the "
            f"{deprecated} deprecated operations",
            verdict=Verdict.SKIPPED,
            details={"source": settings.pacts.description, "deprecated_operations": deprecated},
        )
        return
    # The verification's own progress would speak as the `pacts` suite: this suite says what it does.
    quiet = replace(ctx, emit=lambda progress: None)
    for pact, pairs in selected:
        subset = replace(pact, interactions=tuple(interaction for interaction, _ in pairs))
        exercised = {interaction.description: versioned for interaction, versioned in pairs}
        ctx.emit(Progress(SUITE, f"{pact.name}: {len(pairs)} interactions with deprecated operations"))
        for result in verify_pact(subset, quiet, settings):
            yield _relabel(result, exercised)
