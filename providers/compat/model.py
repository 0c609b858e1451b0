"""What a comparison produces: `Change`s, each of a kind whose severity the rule table fixes.

Severities (the levels a change can have, and what `contractgate compat` does with them):

| severity      | oasdiff | exit code of `compat`                       | meaning
|---------------|---------|---------------------------------------------|-----
| breaking      | ERR     | 1 (default `--fail-on breaking`)            | a client written against the old document can fail
| deprecation   | INFO    | 1 only with `--fail-on deprecation`         | it keeps working, and is told to move (RFC 9745, RFC 8594)
| non-breaking  | INFO    | 0                                           | nothing a client relies on changes

There is no "warning": a change whose effect cannot be decided (a regular expression replaced by an
unrelated one) is breaking — nothing unseen passes — and its rule says so where oasdiff warns.

A schema rule's severity follows from its *effect* on the set of valid values and the direction the
data travels: what a client sends (a request) may only become more permissive, what a client reads
(a response) may only become more precise. So a rule that narrows is breaking in a request and not
in a response, one that widens the opposite, an incomparable one breaks both, and one without effect
on validity (an annotation) breaks neither. Rules about things that are not data (a removed
operation, a tightened security requirement) have one severity for both directions. The webhooks
and callbacks of a document reverse the directions: the provider sends their requests.

`RULES` is assembled from one tuple per family (`rules_document`, `rules_schema`); the table that
`contractgate compat --rules` prints and `providers/compat/RULES.md` holds is generated from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from providers.compat.levels import B, D, Direction, Effect, N, Rule, Severity, effect, fixed
from providers.compat.rules_document import DOCUMENT_RULES
from providers.compat.rules_schema import SCHEMA_RULES

__all__ = ["B", "D", "N", "Direction", "Effect", "Rule", "Severity", "effect", "fixed"]


@dataclass(frozen=True)
class Change:
    """One difference between two documents that a client could notice."""

    kind: str
    severity: Severity
    #: Human-readable: "GET /things/{id} → response 200 application/json → body.name".
    location: str
    message: str
    old: Any = None
    new: Any = None
    #: JSON pointers ("#/components/schemas/Thread/properties/name", or "common.yaml#/…" for a
    #: referenced file) in the old and the new document.
    old_pointer: str | None = None
    new_pointer: str | None = None

    @property
    def rule(self) -> Rule:
        return RULES_BY_KIND[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "old": self.old,
            "new": self.new,
            "old_pointer": self.old_pointer,
            "new_pointer": self.new_pointer,
        }


def tally(changes: Iterable[Change]) -> dict[Severity, int]:
    counted = Counter(change.severity for change in changes)
    return {severity: counted.get(severity, 0) for severity in Severity}


def worst(changes: Iterable[Change]) -> Severity | None:
    """The most severe severity among the changes (breaking > deprecation > non-breaking)."""
    present = {change.severity for change in changes}
    for severity in Severity:
        if severity in present:
            return severity
    return None


def make_change(
    kind: str,
    direction: Direction,
    location: str,
    message: str,
    *,
    old: Any = None,
    new: Any = None,
    old_pointer: str | None = None,
    new_pointer: str | None = None,
) -> Change:
    """A change of a kind listed in `RULES`, with the severity the table gives for `direction`."""
    return Change(
        kind,
        RULES_BY_KIND[kind].severity(direction),
        location,
        message,
        old=old,
        new=new,
        old_pointer=old_pointer,
        new_pointer=new_pointer,
    )


#: Every kind of change the comparison reports, family by family.
RULES: tuple[Rule, ...] = DOCUMENT_RULES + SCHEMA_RULES
RULES_BY_KIND: dict[str, Rule] = {rule.id: rule for rule in RULES}
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(rule.family for rule in RULES))
