"""What a suite produces: one `Result` per check, with a verdict and a reproduction.

One outcome vocabulary for every suite. A check either passes, or raises:

- `Finding` when the target breaks a rule (STYLE: findings are assertions, kept apart from
  `errors.ContractgateError`, which means the tool could not run);
- `Skip` when it cannot be decided on this target — its reason names what would let it run (a
  setting, a capability of the target). A skip is never a pass.

Anything else a check raises is that check's error. Suites turn these into `Result`s; the gate stamps
each with its check's basis (`providers.checks`): a failed `policy` check is an advisory that does not
fail the gate unless the run is strict. A run in which nothing passed is not a pass either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Result:
    suite: str
    service: str
    #: What was exercised: "GET /things/{id}", "pact CONSUMER → PROVIDER: …", "ws /address".
    operation: str
    check: str
    expectation: str
    observed: str
    verdict: Verdict
    #: A command that replays what was sent (curl-style), secrets redacted.
    reproduction: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    #: Where the rule comes from: "contract", "standard" or "policy" (`providers.checks.Basis`).
    basis: str = "contract"
    #: The rule's source: "RFC 7519 §4.1.4", "the operation's declared 401", ...
    cites: str = ""

    @property
    def advisory(self) -> bool:
        """A failed policy check: reported, but not a broken contract."""
        return self.verdict is Verdict.FAIL and self.basis == "policy"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["details"] = dict(self.details)
        return data


class Finding(AssertionError):
    """The target broke a rule; raised by a check, recorded as a failing `Result`.

    `observed` says what the target did; `expectation`, when given, narrows the check's own
    expectation to the rule this answer broke.
    """

    def __init__(
        self, observed: str, reproduction: str | None = None, *, expectation: str | None = None
    ) -> None:
        super().__init__(observed if expectation is None else f"expected {expectation}; observed {observed}")
        self.observed = observed
        self.reproduction = reproduction
        self.expectation = expectation


class Skip(Exception):
    """The check cannot be decided on this target; the reason names what would let it run."""


def counts(results: Iterable[Result]) -> dict[Verdict, int]:
    tally = Counter(r.verdict for r in results)
    return {verdict: tally.get(verdict, 0) for verdict in Verdict}


def blocking(result: Result, strict: bool = False) -> bool:
    """A failure that fails the gate: every failure but an advisory one (unless `strict`)."""
    return result.verdict is Verdict.FAIL and (strict or not result.advisory)


def overall(results: Iterable[Result], strict: bool = False) -> Verdict:
    """The gate's verdict: any blocking failure fails; else any error errs; nothing passed is an error.

    Advisories (failed policy checks) neither fail the run nor count as passes.
    """
    chosen = list(results)
    if any(blocking(r, strict) for r in chosen):
        return Verdict.FAIL
    tally = counts(chosen)
    if tally[Verdict.ERROR] or not tally[Verdict.PASS]:
        return Verdict.ERROR
    return Verdict.PASS


EXIT_CODES: Mapping[Verdict, int] = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.ERROR: 2, Verdict.SKIPPED: 2}
