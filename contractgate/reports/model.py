"""What every report shows, computed once from a `GateOutcome`: the formats only lay it out.

`build` takes the outcome, a generated-at time and the contractgate version and returns a `ReportData`
whose every string has been through a last JWT mask (`providers.redact.JWT`) and the removal of
characters that XML cannot carry: the suites redact already, this is the second line of defence, and
doing it here means no format can forget it. Results are sorted (suite in run order, then service,
operation, check…) so that two reports of the same outcome are byte for byte the same.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from contractgate.coverage import Coverage, coverage_of
from contractgate.gate import GateOutcome, UnitRecord
from providers.redact import JWT, MASK
from providers.results import Result, Verdict, counts

#: Characters XML 1.0 cannot carry (every C0 control but tab/LF/CR, surrogates, U+FFFE/U+FFFF); shown as
#: `\xNN` so that a reader still sees that something was there.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: Verdicts in the order reports list them: what needs attention first.
ATTENTION = (Verdict.FAIL, Verdict.ERROR, Verdict.SKIPPED, Verdict.PASS)

#: The cells of the consumer × provider matrix: the verdicts, with pending pacts counted apart.
MATRIX_COLUMNS = ("pass", "fail", "error", "skipped", "pending")


def clean(text: str) -> str:
    """Mask JWT-shaped tokens and make control characters visible."""
    text = JWT.sub(MASK, text)
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "\ufffd", text)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data (str keys, lists, finite numbers), every string cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {clean(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return clean(str(value))


def _cleaned(result: Result) -> Result:
    return replace(
        result,
        suite=clean(result.suite),
        service=clean(result.service),
        operation=clean(result.operation),
        check=clean(result.check),
        expectation=clean(result.expectation),
        observed=clean(result.observed),
        reproduction=None if result.reproduction is None else clean(result.reproduction),
        details=jsonable(dict(result.details)),
    )


@dataclass(frozen=True)
class SuiteSummary:
    name: str
    counts: dict[Verdict, int]
    #: None when the suite never ran (the gate stopped before it).
    seconds: float | None
    #: Why a skipped suite could not run anything (its skips' reasons), e.g. "no Pact Broker is configured".
    reason: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def verdict(self) -> Verdict | None:
        """The suite's own verdict (None when it did not run); nothing passed is not a pass.

        A suite whose every result is a skip could not run anything because the target lacks what it
        needs (no broker): it is skipped, with its `reason` — not an error, and never a pass. A suite
        that ran and gave no result at all is an error."""
        if self.seconds is None:
            return None
        if self.counts[Verdict.FAIL]:
            return Verdict.FAIL
        if self.counts[Verdict.ERROR]:
            return Verdict.ERROR
        if self.counts[Verdict.PASS]:
            return Verdict.PASS
        return Verdict.SKIPPED if self.counts[Verdict.SKIPPED] else Verdict.ERROR


@dataclass(frozen=True)
class PactMatrix:
    consumers: tuple[str, ...]
    providers: tuple[str, ...]
    #: (consumer, provider) → counts keyed by `MATRIX_COLUMNS`; pairs without pacts are absent.
    cells: dict[tuple[str, str], dict[str, int]]

    def cell(self, consumer: str, provider: str) -> dict[str, int] | None:
        return self.cells.get((consumer, provider))


def is_pending(result: Result) -> bool:
    return result.verdict is Verdict.SKIPPED and bool(result.details.get("pending"))


def pact_matrix(results: Iterable[Result]) -> PactMatrix | None:
    """Results that name a consumer and a provider in their details, tallied per pair (None if none do)."""
    cells: dict[tuple[str, str], Counter[str]] = {}
    for result in results:
        consumer, provider = result.details.get("consumer"), result.details.get("provider")
        if not isinstance(consumer, str) or not isinstance(provider, str):
            continue
        column = "pending" if is_pending(result) else result.verdict.value
        cells.setdefault((consumer, provider), Counter())[column] += 1
    if not cells:
        return None
    return PactMatrix(
        consumers=tuple(sorted({c for c, _ in cells})),
        providers=tuple(sorted({p for _, p in cells})),
        cells={pair: {col: tally[col] for col in MATRIX_COLUMNS} for pair, tally in sorted(cells.items())},
    )


@dataclass(frozen=True)
class ReportData:
    target: str
    verdict: Verdict
    exit_code: int
    stopped: str | None
    seconds: float
    suites: tuple[SuiteSummary, ...]
    #: Every result, cleaned and in report order.
    results: tuple[Result, ...]
    totals: dict[Verdict, int]
    matrix: PactMatrix | None
    #: The `--seed` the run was given (None: random), and every seed the suites used (results'
    #: `details["seed"]`, plus the given one), to reproduce the run.
    seed: int | None
    seeds: tuple[int | str, ...]
    #: Requests sent to the target through the gate's guard.
    requests: int
    generated_at: str
    version: str
    #: How many of the checks the contracts imply ran, and the skipped ones grouped by reason.
    coverage: Coverage = field(default_factory=lambda: Coverage(0, 0))
    #: Why the gate failed for too little coverage (`min_coverage`), if it did.
    coverage_failure: str | None = None
    #: Failed policy checks (reported, not failing the gate unless strict).
    advisories: tuple[Result, ...] = ()
    #: Provider states reached through the target's API, and what could not be undone afterwards.
    states_created: int = 0
    leftovers: tuple[str, ...] = ()
    #: Shard K of N of a run (1/1: the whole run); None for a merge of `merged` shards' reports.
    shard: tuple[int, int] | None = (1, 1)
    merged: int = 0
    #: What the run was asked, which every shard of one run shares: the contracts' digest, examples per
    #: operation and phase, whether policy fails, the least coverage.
    contracts: str = ""
    max_examples: int | None = None
    strict: bool = False
    min_coverage: float | None = None
    #: Every suite's units of work, which shard owns each, and the seconds each took where it ran.
    units: tuple[UnitRecord, ...] = ()

    @property
    def sharding(self) -> str | None:
        """'shard 2 of 3', 'merged from 3 shards', or None for a whole run."""
        if self.merged:
            return f"merged from {self.merged} shard{'s' if self.merged != 1 else ''}"
        if self.shard is not None and self.shard[1] > 1:
            return f"shard {self.shard[0]} of {self.shard[1]}"
        return None

    @property
    def failures(self) -> tuple[Result, ...]:
        """Failures (advisories apart), then errors."""
        return tuple(
            r
            for v in (Verdict.FAIL, Verdict.ERROR)
            for r in self.results
            if r.verdict is v and r not in self.advisories
        )

    @property
    def headline(self) -> str:
        """One sentence that says what the verdict means."""
        if self.verdict is Verdict.PASS:
            return "every contract holds"
        if self.verdict is Verdict.FAIL:
            n = len([r for r in self.failures if r.verdict is Verdict.FAIL])
            if not n and self.coverage_failure:
                return "too little of what the contracts imply was checked"
            return f"{n} check{'s' if n != 1 else ''} failed: a contract is broken"
        if self.stopped:
            return "the gate stopped before it could decide"
        if not self.totals[Verdict.PASS]:
            return "nothing passed, so nothing is proven"
        n = self.totals[Verdict.ERROR]
        return f"{n} check{'s' if n != 1 else ''} could not be decided"


def _order(suites: tuple[str, ...]) -> Any:
    rank = {name: i for i, name in enumerate(suites)}

    def key(result: Result) -> tuple[Any, ...]:
        return (
            rank.get(result.suite, len(rank)),
            result.suite,
            result.service,
            result.operation,
            result.check,
            ATTENTION.index(result.verdict),
            result.expectation,
            result.observed,
            result.reproduction or "",
        )

    return key


def _seeds(results: Iterable[Result], given: int | None) -> tuple[int | str, ...]:
    seeds = ({r.details.get("seed") for r in results} | {given}) - {None}
    return tuple(
        sorted((s if isinstance(s, int) else str(s) for s in seeds), key=lambda s: (str(type(s)), s))
    )


def timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC to the second, e.g. 2025-05-01T12:00:00Z."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _summary(
    name: str, results: list[Result], seconds: float | None, idle: str | None = None
) -> SuiteSummary:
    tally = counts(results)
    reason = None
    if tally[Verdict.SKIPPED] and tally[Verdict.SKIPPED] == len(results):
        reason = skip_reason(results)
    if idle is not None and not results:
        return SuiteSummary(name, tally, None, idle)
    return SuiteSummary(name, tally, seconds, reason)


def skip_reason(results: Iterable[Result], limit: int = 3) -> str:
    """The distinct reasons of skipped results, most frequent first ("…and N more")."""
    tally = Counter(r.observed for r in results if r.verdict is Verdict.SKIPPED)
    reasons = [text for text, _ in tally.most_common()]
    more = f" (and {len(reasons) - limit} more reasons)" if len(reasons) > limit else ""
    return "; ".join(reasons[:limit]) + more


def build(outcome: GateOutcome, *, generated_at: datetime, version: str) -> ReportData:
    names = tuple(clean(s) for s in outcome.suites)
    results = tuple(sorted((_cleaned(r) for r in outcome.results), key=_order(names)))
    extra = tuple(sorted({r.suite for r in results} - set(names)))
    seconds = {clean(k): v for k, v in outcome.suite_seconds.items()}
    idle = {clean(s) for s in outcome.idle_suites}
    shard = f"none of its units is shard {outcome.shard[0]}/{outcome.shard[1]}'s"
    suites = tuple(
        _summary(
            name, [r for r in results if r.suite == name], seconds.get(name), shard if name in idle else None
        )
        for name in names + extra
    )
    return ReportData(
        target=clean(outcome.target),
        verdict=outcome.verdict,
        exit_code=outcome.exit_code,
        stopped=None if outcome.stopped is None else clean(outcome.stopped),
        seconds=outcome.seconds,
        suites=suites,
        results=results,
        totals=counts(results),
        matrix=pact_matrix(results),
        seed=outcome.seed,
        seeds=_seeds(results, outcome.seed),
        requests=outcome.requests,
        generated_at=timestamp(generated_at),
        version=version,
        coverage=coverage_of(results),
        coverage_failure=None if outcome.coverage_failure is None else clean(outcome.coverage_failure),
        advisories=() if outcome.strict else tuple(r for r in results if r.advisory),
        states_created=outcome.states_created,
        leftovers=tuple(clean(text) for text in outcome.leftovers),
        shard=None if outcome.merged else outcome.shard,
        merged=outcome.merged,
        contracts=outcome.contracts,
        max_examples=outcome.max_examples,
        strict=outcome.strict,
        min_coverage=outcome.min_coverage,
        units=tuple(
            replace(u, suite=clean(u.suite), unit=clean(u.unit))
            for u in sorted(outcome.units, key=lambda u: (u.suite, u.unit))
        ),
    )
