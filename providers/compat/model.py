"""What a comparison produces: `Change`s, each of a kind whose severity the rule table fixes.

A kind's severity can depend on the *direction* of the data it concerns: what a client sends (a
request: path, query, header and cookie parameters, the request body) may only become more
permissive, what a client receives (a response: status codes, headers, bodies) may only become more
precise. So a `Rule` carries two severities, one per direction; rules about things that are not data
(a removed operation, a tightened security requirement) carry the same severity in both columns.
`RULES` is the single source of the tables in the package docstring (a test keeps them equal).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BREAKING = "breaking"
    DEPRECATION = "deprecation"
    NON_BREAKING = "non-breaking"


class Direction(StrEnum):
    REQUEST = "request"  # the client writes it, the provider reads it
    RESPONSE = "response"  # the provider writes it, the client reads it


B, D, N = Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING


@dataclass(frozen=True)
class Rule:
    kind: str
    request: Severity
    response: Severity
    why: str

    def severity(self, direction: Direction) -> Severity:
        return self.request if direction is Direction.REQUEST else self.response


def _rule(kind: str, request: Severity, response: Severity | None, why: str) -> Rule:
    return Rule(kind, request, request if response is None else response, why)


#: Kinds about documents, operations, parameters, bodies, responses and security: one severity.
OPERATION_RULES: tuple[Rule, ...] = (
    # documents and paths
    _rule("spec-removed", B, None, "every client of the document loses every operation"),
    _rule("spec-added", N, None, "nothing existing changes"),
    _rule("path-moved", B, None, "the operations answer under another version prefix only"),
    _rule("operation-removed", B, None, "clients calling it get 404/405"),
    _rule("deprecated-operation-removed", B, None, "still breaks clients that have not migrated yet"),
    _rule("operation-added", N, None, "nothing existing changes"),
    _rule("operation-deprecated", D, None, "works today, announced to go"),
    _rule("operation-undeprecated", N, None, "the announcement is withdrawn"),
    _rule("operation-id-changed", N, None, "the wire is unchanged; generated clients rename a method"),
    # security
    _rule("security-added", B, None, "an anonymous client is now refused"),
    _rule("security-tightened", B, None, "a token that was enough is refused (scheme, scope or role)"),
    _rule("security-relaxed", N, None, "every token that was accepted still is"),
    _rule("security-scheme-narrowed", B, None, "a scheme in use accepts fewer tokens (kind, audience, flow)"),
    _rule("security-scheme-widened", N, None, "a scheme in use accepts more tokens"),
    # parameters and bodies
    _rule("required-parameter-added", B, None, "clients do not send it and are refused"),
    _rule("parameter-added", N, None, "optional; clients that omit it keep working"),
    _rule("parameter-removed", B, None, "what clients send is refused or silently ignored"),
    _rule("parameter-made-required", B, None, "clients that omit it are refused"),
    _rule("parameter-made-optional", N, None, "clients that send it keep working"),
    _rule("parameter-serialization-changed", B, None, "the same value must be written differently"),
    _rule("parameter-deprecated", D, None, "works today, announced to go"),
    _rule("request-body-added-required", B, None, "clients send no body and are refused"),
    _rule("request-body-added", N, None, "optional; clients that send none keep working"),
    _rule("request-body-removed", B, None, "what clients send is refused or ignored"),
    _rule("request-body-made-required", B, None, "clients that send none are refused"),
    _rule("request-body-made-optional", N, None, "clients that send one keep working"),
    _rule("request-media-type-removed", B, None, "clients sending that content type get 415"),
    _rule("request-media-type-added", N, None, "another way to send the same"),
    # responses
    _rule(
        "response-status-removed",
        B,
        None,
        "the provider answers clients with a status they were not written for",
    ),
    _rule("success-status-added", B, None, "a new success answer clients do not expect (a widened response)"),
    _rule("error-status-added", N, None, "clients must handle undeclared errors anyway"),
    _rule(
        "response-media-type-removed",
        B,
        None,
        "clients accepting only that content type get 406 or other bytes",
    ),
    _rule(
        "response-media-type-added", N, None, "content negotiation keeps giving clients what they asked for"
    ),
    _rule("response-header-removed", B, None, "a required header clients read is gone"),
    _rule("optional-response-header-removed", N, None, "clients had to cope with its absence"),
    _rule("response-header-made-optional", B, None, "clients reading it may find none"),
    _rule("response-header-added", N, None, "clients ignore headers they do not know"),
    _rule("sunset-announced", D, None, "a new Sunset/Deprecation header announces the end of the operation"),
    _rule("sunset-withdrawn", N, None, "the end of the operation is no longer announced"),
)

#: Kinds about schemas (of bodies, parameters, headers): a severity for data a client sends
#: (request) and one for data it receives (response).
SCHEMA_RULES: tuple[Rule, ...] = (
    _rule("type-changed", B, B, "values of the old type are refused or arrive as another type"),
    _rule("type-widened", N, B, "a request accepts more; a response may carry a type clients do not parse"),
    _rule("type-narrowed", B, N, "a request refuses values it took; a response is a subset of before"),
    _rule(
        "format-added", B, N, "a request refuses values that lack the format; a response only promises more"
    ),
    _rule("format-removed", N, B, "a request accepts more; clients parsing the format may fail"),
    _rule("format-changed", B, B, "values are written in another format"),
    _rule("nullable-added", N, B, "a request accepts null; clients may receive null"),
    _rule("nullable-removed", B, N, "a request refuses null; a response never sends it"),
    _rule(
        "property-removed", B, B, "clients reading it find nothing; clients sending it are refused or ignored"
    ),
    _rule("property-renamed", B, B, "a property of the same schema under a new name: removed for clients"),
    _rule(
        "required-property-added",
        B,
        N,
        "clients do not send it and are refused; a response only promises more",
    ),
    _rule("property-added", N, N, "optional in a request; clients ignore unknown response properties"),
    _rule("property-made-required", B, N, "clients that omit it are refused; a response promises more"),
    _rule("property-made-optional", N, B, "clients reading it may find nothing"),
    _rule("property-deprecated", D, D, "works today, announced to go"),
    _rule("enum-value-added", N, B, "clients receive a value they do not handle"),
    _rule("enum-value-removed", B, N, "clients sending that value are refused"),
    _rule("enum-added", B, N, "a request refuses values outside the new list"),
    _rule("enum-removed", N, B, "a response may carry values clients do not handle"),
    _rule("constraint-tightened", B, N, "maxLength/minimum/pattern/... refuse values clients send"),
    _rule("constraint-relaxed", N, B, "values larger or longer than clients were promised"),
    _rule("constraint-changed", B, B, "a pattern or multipleOf replaced by an unrelated one"),
    _rule(
        "default-changed",
        B,
        N,
        "clients omitting the value get other behaviour; a response default is documentation",
    ),
    _rule("default-added", N, N, "documents what omitting the value did"),
    _rule("additional-properties-narrowed", B, N, "properties clients send are refused"),
    _rule("additional-properties-allowed", N, N, "like a new optional property"),
    _rule("additional-properties-widened", N, B, "map values of any shape reach clients"),
    _rule("variant-added", N, B, "a oneOf/anyOf alternative clients do not handle"),
    _rule("variant-removed", B, N, "clients sending that alternative are refused"),
)

#: Every kind of change the comparison reports, in the order of the package docstring's tables.
RULES: tuple[Rule, ...] = OPERATION_RULES + SCHEMA_RULES

RULES_BY_KIND: dict[str, Rule] = {rule.kind: rule for rule in RULES}


@dataclass(frozen=True)
class Change:
    """One difference between two documents that a client could notice."""

    kind: str
    severity: Severity
    #: Human-readable: "GET /v2/threads/{thread_id} → response 200 application/json → body.name".
    location: str
    message: str
    old: Any = None
    new: Any = None
    #: JSON pointers ("#/components/schemas/Thread/properties/name") in the old and the new document.
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
