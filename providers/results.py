"""What a suite produces: one `Result` per check, with a verdict and a reproduction.

A check function raises `Finding` when the target breaks a rule (STYLE: findings are assertions, kept
apart from `errors.ContractgateError`, which means the tool could not run). Suites turn findings,
passes, skips and per-check errors into `Result`s. A skip is never a pass: the gate's verdict counts
them apart, and a run in which nothing passed is not a pass either.
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
    #: What was exercised: "GET /v2/threads/{thread_id}", "pact web-frontend → backend-service: …", "ws /ws".
    operation: str
    check: str
    expectation: str
    observed: str
    verdict: Verdict
    #: A command that replays what was sent (curl-style), secrets redacted.
    reproduction: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["details"] = dict(self.details)
        return data


class Finding(AssertionError):
    """The target broke a rule; raised by a check, recorded as a failing `Result`."""

    def __init__(self, check: str, expectation: str, observed: str, reproduction: str | None = None) -> None:
        super().__init__(f"{check}: expected {expectation}; observed {observed}")
        self.check = check
        self.expectation = expectation
        self.observed = observed
        self.reproduction = reproduction


def counts(results: Iterable[Result]) -> dict[Verdict, int]:
    tally = Counter(r.verdict for r in results)
    return {verdict: tally.get(verdict, 0) for verdict in Verdict}


def overall(results: Iterable[Result]) -> Verdict:
    """The gate's verdict: any failure fails; else any error errs; nothing passed at all is an error."""
    tally = counts(results)
    if tally[Verdict.FAIL]:
        return Verdict.FAIL
    if tally[Verdict.ERROR] or not tally[Verdict.PASS]:
        return Verdict.ERROR
    return Verdict.PASS


EXIT_CODES: Mapping[Verdict, int] = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.ERROR: 2, Verdict.SKIPPED: 2}
