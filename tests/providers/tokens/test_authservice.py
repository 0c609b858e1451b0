"""The auth service's own behaviour, as an attacker probes it: each flaw is caught by its check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.results import Result, Verdict
from tests.providers.tokens.flawed import FlawedPlatform
from tests.providers.tokens.support import run_suite, unredacted


@pytest.fixture(scope="module")
def flawed() -> Iterator[FlawedPlatform]:
    platform = FlawedPlatform().start()
    yield platform
    platform.stop()


def auth_checks(platform: FlawedPlatform) -> dict[str, Result]:
    results = run_suite("tokens", platform.target, operations=[], websocket=False)
    return {r.check: r for r in results}


def test_a_sound_auth_service_passes_every_check(flawed: FlawedPlatform) -> None:
    checks = auth_checks(flawed)
    assert {name: r.verdict for name, r in checks.items()} == {
        "refresh-reuse-revokes-family": Verdict.PASS,
        "revoked-is-inactive": Verdict.PASS,
        "brute-force-throttled": Verdict.PASS,
        "no-account-enumeration": Verdict.PASS,
    }
    assert checks["revoked-is-inactive"].operation == "POST /v2/auth/introspect"
    assert checks["refresh-reuse-revokes-family"].operation == "POST /v2/auth/token"


@pytest.mark.parametrize(
    ("flaw", "check", "observed", "also"),
    [
        ("reuse-keeps-family", "refresh-reuse-revokes-family", "still works", set()),
        # The reused family's access token is revoked too; introspection that ignores it says active.
        (
            "introspect-ignores-revocation",
            "revoked-is-inactive",
            "revoked access token is still active",
            {"refresh-reuse-revokes-family"},
        ),
        ("no-throttle", "brute-force-throttled", "were never throttled", set()),
        # Unknown accounts answered apart are not counted either: the made-up account is never throttled.
        ("enumerable", "no-account-enumeration", "an unknown account answers", {"brute-force-throttled"}),
    ],
)
def test_each_flaw_fails_its_check(
    flawed: FlawedPlatform, flaw: str, check: str, observed: str, also: set[str]
) -> None:
    with flawed.flaws.on(flaw):
        checks = auth_checks(flawed)
    failed = {name for name, r in checks.items() if r.verdict is not Verdict.PASS}
    assert failed == {check, *also}
    assert observed in checks[check].observed
    assert checks[check].reproduction is not None
    assert unredacted(checks[check]) == []
    assert "[REDACTED]" in checks[check].reproduction or "password=" not in checks[check].reproduction
