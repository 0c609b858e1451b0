"""compat's schema verdicts against an oracle: generated schemas, one edit, values judged by jsonschema.

For each generated schema and edit, the schema is put where a client sends it and where it reads it
(`things`), and compat's verdict for each direction must be the oracle's (`oracle.verdict`): breaking
exactly when some request valid before is refused now, or some response valid now was not allowed
before. Both ways: a breaking change compat misses fails the test, and so does one it reports that no
generated value shows. Runs are derandomized, so a failure reproduces.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from providers.compat import Severity, compare
from tests.data.compat.cases import things
from tests.providers.compat.oracle import mutations, verdict


def compat_verdict(old: Any, new: Any) -> tuple[bool, bool]:
    changes = compare(things(old), things(new))
    request = any(c.severity is Severity.BREAKING for c in changes if c.location.startswith("POST /things"))
    response = any(c.severity is Severity.BREAKING for c in changes if c.location.startswith("GET /things"))
    return request, response


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(mutations())
def test_compat_agrees_with_the_oracle(mutation: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    old, new, what = mutation
    expected = verdict(old, new)
    found = compat_verdict(old, new)
    changes = [
        (c.kind, c.severity.value, c.location.split(" → ", 1)[0]) for c in compare(things(old), things(new))
    ]
    assert found == expected, (
        f"{what}: oracle (request, response) breaking = {expected}, compat = {found}\nold={old}\nnew={new}\n{changes}"
    )


def test_the_oracle_finds_what_it_should() -> None:
    """The oracle itself, on edits whose verdict is known."""
    s = {"type": "string"}
    assert verdict(s, {"type": "string", "maxLength": 3}) == (True, False)
    assert verdict({"type": "string", "maxLength": 3}, s) == (False, True)
    optional = {"type": "object", "properties": {"a": s}}
    assert verdict(optional, {"type": "object", "properties": {"a": s, "b": s}}) == (False, False)
    assert verdict(optional, {"type": "object", "properties": {"a": s}, "required": ["a"]}) == (True, False)
    # wrapped in a oneOf whose alternatives overlap: what clients send matches both and is refused
    assert verdict(optional, {"oneOf": [optional, {"type": "object", "properties": {"b": s}}]})[0] is True
