"""The `pacts` suite: every pact whose provider is in the target, verified, one result per interaction.

For each pact of the source (files by default — `contracts/pacts/` next to the specs — or whatever
`PactSource` the run is given), the interactions are sorted into what can run and what cannot:

- a provider the target does not have: one skipped result for the pact, it is not run;
- interactions with provider states on a target without a provider-state hook (a live environment)
  reach them through the platform's public API, as `platform.yaml` declares (`changes.DeclaredStates`);
  those whose states cannot be reached that way (undeclared, a write the sandbox does not allow, a
  token only the issuer can sign) are skipped, the reason naming the setting — never passed;
- writes on a live target in staging-safe mode: skipped unless its sandbox (or allow_writes) allows
  them, as the account the interaction acts as;
- asynchronous messages: skipped (the target has no message broker to verify them through).

HTTP interactions then go to `http.verify_http` (the FFI verifier against the base URL), synchronous
messages to `messages.verify_messages` (the FFI verifier, its "provider" a relay over a real
WebSocket to the service's channel, read from the AsyncAPI document). Options, from
`RunOptions.suites["pacts"]`: `source` (a `PactSource`), `folder`, `providers`, `consumers`, `timeout`,
`publisher` (a `ResultPublisher`, e.g. the broker's: told each pact's results once it is verified).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from contracts import contracts_root
from providers.contract import READ_ONLY_METHODS, operation_at
from providers.pacts.changes import DeclaredStates
from providers.pacts.http import VerifierRun, diagnose_states, verify_http
from providers.pacts.messages import RelayError, verify_messages
from providers.pacts.results import (
    Cause,
    index_report,
    outcome_of,
    pact_skipped,
    reproduction_of,
    result_of,
    skipped,
)
from providers.pacts.sources import FilePactSource, Interaction, PactDocument, PactSource
from providers.results import Result, Verdict
from providers.settings import parse
from providers.suite import Progress, RunContext
from providers.target import ServiceTarget

SUITE = "pacts"


@dataclass(frozen=True)
class Channel:
    """Where a service's synchronous messages travel: the channel address and the reply correlation."""

    service: str
    address: str
    correlation: str = "id"


def channel_of(asyncapi: Mapping[str, Any] | None) -> Channel | None:
    """The AsyncAPI document's channel (its first) and the field replies repeat (`x-sequence`)."""
    if not asyncapi:
        return None
    service = str((asyncapi.get("info") or {}).get("x-service") or "")
    for channel in (asyncapi.get("channels") or {}).values():
        address = channel.get("address") if isinstance(channel, dict) else None
        if isinstance(address, str):
            correlation = str((channel.get("x-sequence") or {}).get("reply-id-field") or "id")
            return Channel(service, address, correlation)
    return None


class ResultPublisher(Protocol):
    """Told the results of each pact once it is verified (a broker's verification results)."""

    def publish(self, pact: PactDocument, results: list[Result]) -> str | None:
        """Publish; returns a line for the progress output, or None when there was nothing to do."""
        ...


@dataclass(frozen=True)
class PactSettings:
    """`[suite.pacts]` settings."""

    #: Where the pacts come from (given in code, e.g. a broker's); default: the files of `folder`.
    source: PactSource | None = None
    #: A folder of pact files; default: `pacts/` beside the specs of the run.
    folder: Path | None = None
    #: Only the pacts of these providers / these consumers (default: all).
    providers: frozenset[str] = frozenset()
    consumers: frozenset[str] = frozenset()
    #: Seconds the verifier waits for each request.
    timeout: float = 10.0
    #: Told each pact's results once it is verified (given in code: a broker's publisher).
    publisher: ResultPublisher | None = None

    def wants(self, pact: PactDocument) -> bool:
        return (not self.providers or pact.provider in self.providers) and (
            not self.consumers or pact.consumer in self.consumers
        )

    @property
    def pacts(self) -> PactSource:
        assert self.source is not None, "settings_of fills the source"
        return self.source


def settings_of(ctx: RunContext) -> PactSettings:
    settings = parse(PactSettings, ctx.options.suites.get(SUITE), "suite.pacts")
    if settings.source is not None:
        return settings
    # Next to the specs the run was given (a team's own contracts folder), else the package's.
    folder = settings.folder
    if folder is None:
        folder = ctx.specs[0].path.parent.parent / "pacts" if ctx.specs else contracts_root() / "pacts"
        if not Path(folder).exists():
            # A contracts folder without pacts has no consumer pacts yet: nothing to verify, not an error.
            return replace(settings, source=FilePactSource())
    return replace(settings, source=FilePactSource(folder))


def skip_reason(
    interaction: Interaction,
    service: ServiceTarget,
    ctx: RunContext,
    channel: Channel | None,
    declared: DeclaredStates | None = None,
) -> str | None:
    if interaction.kind == "async-message":
        return (
            "asynchronous messages are not verified (the target has no message broker to verify them through)"
        )
    if interaction.states and not service.states_url:
        if declared is None:
            states = "; ".join(str(s) for s in interaction.states)
            return f"needs provider state(s) {states}, and the target has no state-change URL for {service.name}"
        reason = declared.why_not(interaction)
        if reason is not None:
            return reason
    if interaction.kind == "http":
        reason = _write_refused(interaction, service, ctx, declared)
        if reason is not None:
            return reason
    if interaction.kind == "sync-message" and (channel is None or channel.service != service.name):
        return f"no AsyncAPI channel describes {service.name}'s messages"
    return None


def _write_refused(
    interaction: Interaction, service: ServiceTarget, ctx: RunContext, declared: DeclaredStates | None
) -> str | None:
    """Why the interaction's own request may not be sent (a write the target does not allow)."""
    method = str(interaction.request.get("method", "GET")).upper()
    if method in READ_ONLY_METHODS:
        return None
    path = str(interaction.request.get("path", "/"))
    op = operation_at(ctx.specs, service.name, method, path)
    if op is None:
        return (
            None
            if ctx.may_send(method, path)
            else f"a {method} {path} on a live target, which no operation of the contracts describes"
        )
    why = ctx.why_not_send(op.method, op.path)
    for account in declared.accounts(interaction) if declared is not None and why is None else ():
        why = why or ctx.why_not_write_as(account)
    return None if why is None else f"its request writes: {why}"


def _results(
    pact: PactDocument,
    interactions: list[Interaction],
    run: VerifierRun,
    service: ServiceTarget,
    ctx: RunContext,
    *,
    failures: Mapping[str, RelayError] | None = None,
    channel: str = "",
    declared: DeclaredStates | None = None,
) -> Iterator[tuple[Interaction, Result]]:
    report = index_report(run.report)
    for interaction in interactions:
        entry = report.get((interaction.description, tuple(s.name for s in interaction.states)))
        cause: Cause | None = None
        if run.crashed:
            cause = Cause(f"{run.crashed}; verifier output: {run.output[-500:]}", Verdict.ERROR)
        elif (failure := (failures or {}).get(interaction.description)) is not None:
            cause = Cause(str(failure), Verdict.ERROR if failure.broken else Verdict.FAIL)
        elif declared is not None and (found := declared.cause(interaction)) is not None:
            # Its states, reached through the public API, could not be set up: nothing to judge.
            cause = Cause(found, Verdict.ERROR)
        elif entry is not None and "state change" in str((entry.get("mismatch") or {}).get("message", "")):
            found = diagnose_states(service.states_url, interaction, ctx.http) if service.states_url else None
            cause = Cause(found or "the provider could not set up the interaction's provider states")
        outcome = outcome_of(entry, ctx.redactor, cause)
        base = service.ws_url if interaction.kind == "sync-message" else service.base_url
        reproduction = reproduction_of(interaction, base, service.states_url, ctx.redactor, channel=channel)
        if declared is not None and interaction.states:
            given = "; ".join(str(s) for s in interaction.states)
            reproduction = f"# given {given}: reached through the public API (platform.yaml states)\n{reproduction}"
        duration = str(entry.get("duration")) if entry and entry.get("duration") else None
        yield interaction, result_of(pact, interaction, outcome, reproduction=reproduction, duration=duration)


def verify_pact(pact: PactDocument, ctx: RunContext, settings: PactSettings) -> Iterator[Result]:
    """The results of one pact, in the pact's interaction order."""
    if not ctx.target.has(pact.provider):
        yield pact_skipped(pact, f"the target {ctx.target.name!r} has no {pact.provider}")
        return
    service = ctx.target.service(pact.provider)
    channel = channel_of(ctx.asyncapi)
    # Without a provider-state hook, the states are reached through the platform's public API.
    declared = DeclaredStates(ctx, pact.provider) if not service.states_url else None
    try:
        yield from _verify(pact, ctx, settings, service, channel, declared)
    finally:
        if declared is not None:
            declared.undo_all()


def _verify(
    pact: PactDocument,
    ctx: RunContext,
    settings: PactSettings,
    service: ServiceTarget,
    channel: Channel | None,
    declared: DeclaredStates | None,
) -> Iterator[Result]:
    done: dict[int, Result] = {}
    runnable: dict[str, list[Interaction]] = {"http": [], "sync-message": []}
    for interaction in pact.interactions:
        reason = skip_reason(interaction, service, ctx, channel, declared)
        if reason:
            done[id(interaction)] = skipped(pact, interaction, reason)
        else:
            runnable[interaction.kind].append(interaction)
    if runnable["http"]:
        ctx.emit(Progress(SUITE, f"{pact.name}: {len(runnable['http'])} HTTP interactions"))
        run = verify_http(
            pact, runnable["http"], service, ctx.http, timeout=settings.timeout, states=declared
        )
        done.update(
            (id(i), r) for i, r in _results(pact, runnable["http"], run, service, ctx, declared=declared)
        )
    if runnable["sync-message"] and channel is not None:
        ctx.emit(
            Progress(SUITE, f"{pact.name}: {len(runnable['sync-message'])} messages over {channel.address}")
        )
        run, failures = verify_messages(
            pact,
            runnable["sync-message"],
            service,
            ctx.http,
            channel=channel.address,
            correlation=channel.correlation,
            timeout=settings.timeout,
            changer=declared,
        )
        done.update(
            (id(i), r)
            for i, r in _results(
                pact,
                runnable["sync-message"],
                run,
                service,
                ctx,
                failures=failures,
                channel=channel.address,
                declared=declared,
            )
        )
    for interaction in pact.interactions:
        yield done[id(interaction)]


def verify_pacts(pacts: Iterable[PactDocument], ctx: RunContext, settings: PactSettings) -> Iterator[Result]:
    wanted = [pact for pact in pacts if settings.wants(pact)]
    # Units of work: each pact (its verification results are published together), weighed by size.
    share = ctx.share(SUITE, {pact.name: float(len(pact.interactions) or 1) for pact in wanted})
    for pact in share.each(wanted, lambda pact: pact.name):
        results = list(verify_pact(pact, ctx, settings))
        yield from results
        if settings.publisher is not None and (note := settings.publisher.publish(pact, results)):
            ctx.emit(Progress(SUITE, note))


def run(ctx: RunContext) -> Iterator[Result]:
    settings = settings_of(ctx)
    pacts = settings.pacts.pacts()  # a malformed pact is a ContractError: the gate stops, exit 2
    noun = "pact" if len(pacts) == 1 else "pacts"
    ctx.emit(Progress(SUITE, f"{len(pacts)} {noun} from {settings.pacts.description or 'nowhere'}"))
    if not pacts:
        if not ctx.owns(SUITE, "no pacts"):
            return
        where = settings.pacts.description or "the contracts folder's pacts/"
        yield Result(
            SUITE,
            "-",
            "pacts",
            "pact",
            "every consumer pact of a provider in the target verifies",
            f"no consumer pacts in {where}: put consumers' pacts there, set [suite.pacts] folder, or verify "
            "from a Pact Broker",
            Verdict.SKIPPED,
        )
        return
    yield from verify_pacts(pacts, ctx, settings)
