"""Severities, directions, effects and the `Rule` record: the vocabulary of the rule catalogue.

Kept apart from `model` so the catalogue modules (`rules_document`, `rules_schema`) and `model`, which
assembles them, import it without a cycle. `model`'s docstring says what the severities mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    BREAKING = "breaking"
    DEPRECATION = "deprecation"
    NON_BREAKING = "non-breaking"


class Direction(StrEnum):
    REQUEST = "request"  # the client writes it, the provider reads it
    RESPONSE = "response"  # the provider writes it, the client reads it

    def reversed(self) -> Direction:
        return Direction.RESPONSE if self is Direction.REQUEST else Direction.REQUEST


class Effect(StrEnum):
    """What a schema change does to the set of values the schema accepts."""

    NARROWS = "narrows"  # fewer values: breaks what clients send
    WIDENS = "widens"  # more values: breaks what clients read
    INCOMPARABLE = "incomparable"  # some values gained, some lost (or undecidable): breaks both
    NONE = "none"  # no value changes validity (an annotation)

    def severities(self) -> tuple[Severity, Severity]:
        """(request, response)."""
        return _BY_EFFECT[self]


B, D, N = Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING
_BY_EFFECT = {
    Effect.NARROWS: (B, N),
    Effect.WIDENS: (N, B),
    Effect.INCOMPARABLE: (B, B),
    Effect.NONE: (N, N),
}


@dataclass(frozen=True)
class Rule:
    """One kind of change: its id, family, severity per direction and the basis for it."""

    id: str
    family: str
    request: Severity
    response: Severity
    #: Why the change breaks a client, or does not — citing the standard or the contract it rests on.
    basis: str
    #: The oasdiff rule ids this rule covers (a checklist; `*` stands for body/property/parameter…).
    oasdiff: str = ""
    #: Where our severity differs from oasdiff's default level, why.
    differs: str = ""
    #: The effect on valid values, for schema rules (None for rules about operations and documents).
    effect: Effect | None = None

    @property
    def kind(self) -> str:
        return self.id

    @property
    def why(self) -> str:
        return self.basis

    def severity(self, direction: Direction) -> Severity:
        return self.request if direction is Direction.REQUEST else self.response


def fixed(id: str, family: str, severity: Severity, basis: str, oasdiff: str = "", differs: str = "") -> Rule:
    """A rule with one severity whatever the direction (operations, documents, security, lifecycle)."""
    return Rule(id, family, severity, severity, basis, oasdiff, differs)


def effect(id: str, family: str, what: Effect, basis: str, oasdiff: str = "", differs: str = "") -> Rule:
    """A schema rule whose severities follow from its effect and the direction of the data."""
    request, response = what.severities()
    return Rule(id, family, request, response, basis, oasdiff, differs, what)
