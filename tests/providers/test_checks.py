"""The check registry: every check names its basis, results are stamped with it, and policy does not fail."""

from __future__ import annotations

import pytest

from providers.checks import Basis, classify, find, register, registry
from providers.fuzz.outcomes import EXPECTATIONS
from providers.results import Result, Verdict, overall
from providers.websocket.base import REGISTRY as WEBSOCKET_CHECKS


def result(check: str, verdict: Verdict = Verdict.PASS, suite: str = "tokens") -> Result:
    return classify(Result(suite, "svc", "GET /x", check, "refused", "observed", verdict))


def test_every_check_cites_its_rule() -> None:
    checks = registry()
    assert len(checks) > 60
    assert all(c.cites for c in checks), [c for c in checks if not c.cites]
    assert all(c.cites.startswith("policy") for c in checks if c.basis is Basis.POLICY)
    assert {c.suite for c in checks} == {
        "pacts",
        "fuzz",
        "websocket",
        "versioning",
        "tokens",
        "crossauth",
        "cors",
        "readiness",
        "broker",
    }


def test_every_check_a_suite_can_name_is_registered() -> None:
    registry()
    for name in EXPECTATIONS:
        assert find("fuzz", name) is not None, name
    for name in WEBSOCKET_CHECKS:
        assert find("websocket", name) is not None, name
    assert find("tokens", "alg-none:nOnE:signed") is not None
    assert find("tokens", "tampered-claim:org") is not None
    assert find("crossauth", "missing-scope:invoices:write") is not None
    assert find("tokens", "no-such-attack") is None
    assert find("cors", "pattern-origin:https://*.preview.example.com") is not None
    assert find("cors", "websocket-hijacking:null") is not None
    assert find("readiness", "health-dependency:billing") is not None
    assert find("readiness", "token-no-store:refresh") is not None


def test_results_are_stamped_with_the_basis_of_their_check() -> None:
    stamped = result("malformed-header:two-tokens", Verdict.FAIL)
    assert stamped.basis == "policy" and stamped.advisory and stamped.cites.startswith("policy")
    assert result("expired", Verdict.FAIL).basis == "standard"
    assert "RFC 7519 §4.1.4" in result("expired").cites


def test_only_contract_and_standard_failures_fail_the_gate() -> None:
    advisory = result("malformed-header:two-tokens", Verdict.FAIL)
    passed = result("expired")
    assert overall([passed, advisory]) is Verdict.PASS
    assert overall([passed, advisory], strict=True) is Verdict.FAIL
    assert overall([passed, result("expired", Verdict.FAIL)]) is Verdict.FAIL
    # An advisory alone is not a pass: nothing was proven.
    assert overall([advisory]) is Verdict.ERROR


def test_a_check_is_registered_once() -> None:
    register(
        "tokens",
        "expired",
        Basis.STANDARD,
        find("tokens", "expired").cites,
        find("tokens", "expired").summary,
        ("key holder",),
    )  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="registered twice"):
        register("tokens", "expired", Basis.POLICY, "policy: no", "x")
