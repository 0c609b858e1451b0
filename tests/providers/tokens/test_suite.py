"""The tokens suite against the real stubs: every attack refused everywhere; on a live-like target,
what needs the key holder, the attacker's server or a write is skipped — never passed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from contractgate.embedded import embedded_stubs
from contractgate.gate import GatePlan, run_gate
from contracts import openapi_specs
from providers.contract import all_operations
from providers.errors import ConfigError
from providers.platform import of_folder
from providers.results import Result, Verdict
from providers.suite import RunOptions
from providers.target import Target, url_target
from providers.tokens.catalogue import KEY_HOLDER, select
from providers.tokens.settings import Settings
from providers.tokens.suite import attacker_server
from tests.providers.tokens.support import of, opened, run_suite, unredacted

AUTH_CHECKS = {
    "refresh-reuse-revokes-family",
    "revoked-is-inactive",
    "brute-force-throttled",
    "no-account-enumeration",
}

#: Every attack the suite runs on the reference platform (one tampered-claim attack per manifest claim).
NAMES = [attack.name for attack in select(None, of_folder().issuer.claims.tamperable())]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


@pytest.fixture(scope="module")
def results(stubs: Target) -> list[Result]:
    return run_suite("tokens", stubs)


def protected_operations() -> set[str]:
    return {op.label for op in all_operations(openapi_specs()) if not op.is_public}


def test_the_real_stubs_refuse_every_attack_on_every_protected_operation_and_the_handshake(
    results: list[Result],
) -> None:
    assert [r for r in results if r.verdict is not Verdict.PASS and r.check != "wrong-audience:genuine"] == []
    attacked = {r.operation for r in results if r.check in NAMES}
    assert attacked == protected_operations() | {"ws /ws"}
    per_operation = Counter(r.operation for r in results if r.check in NAMES)
    assert set(per_operation.values()) == {len(NAMES)}
    for result in results:
        assert unredacted(result) == []


def test_only_a_genuine_other_audience_that_does_not_exist_is_skipped(results: list[Result]) -> None:
    skipped = [r for r in results if r.verdict is Verdict.SKIPPED]
    # The auth service's user operations take user tokens of every audience users can have.
    assert {r.operation for r in skipped} == {
        "POST /v1/auth/logout",
        "GET /v1/auth/me",
        "GET /v2/auth/userinfo",
    }
    assert {r.check for r in skipped} == {"wrong-audience:genuine"}


def test_expectations_name_the_declared_refusal(results: list[Result]) -> None:
    assert (
        of(results, "GET /v2/threads", "alg-none:none:unsigned").expectation == "refused with 401 (declared)"
    )
    lacks = of(results, "POST /internal/v1/runs/{run_id}/cancel", "wrong-audience:genuine")
    assert lacks.expectation == "refused with 401 (declared) or 403 (the token also lacks runs:write)"
    assert of(results, "ws /ws", "no-credentials").expectation.startswith("refused with HTTP 401")
    jku = of(results, "GET /v2/users/me", "jku-attacker-key")
    assert jku.expectation.endswith("and the attacker's key URL never fetched")


def test_the_auth_service_behaves(results: list[Result]) -> None:
    checks = {r.check: r for r in results if r.check in AUTH_CHECKS}
    assert set(checks) == AUTH_CHECKS
    assert {r.verdict for r in checks.values()} == {Verdict.PASS}
    assert checks["brute-force-throttled"].observed.startswith("HTTP 429 after")


def test_both_suites_run_in_the_gate(stubs: Target) -> None:
    outcome = run_gate(
        GatePlan(
            target=stubs,
            suites=("tokens", "crossauth"),
            options=RunOptions(suites={"tokens": {"operations": ["GET /v2/users/me", "ws /ws"]}}),
        )
    )
    assert outcome.stopped is None
    assert outcome.verdict is Verdict.PASS, [r for r in outcome.results if r.verdict is not Verdict.PASS]
    assert {r.suite for r in outcome.results} == {"tokens", "crossauth"}


def test_on_a_live_target_what_cannot_be_had_is_skipped_never_passed(stubs: Target) -> None:
    urls = {name: service.base_url for name, service in stubs.services.items()}
    live = url_target("staging", urls, live=True)
    results = run_suite("tokens", live, allow_writes=["POST /v2/threads"])
    assert [r for r in results if r.verdict in (Verdict.FAIL, Verdict.ERROR)] == []
    holder = {a.name for a in select(None) if a.needs == KEY_HOLDER}
    for name in holder:
        result = of(results, "GET /v2/threads/{thread_id}", name)
        assert result.verdict is Verdict.SKIPPED
        assert "provider-state hook" in result.observed and "signing_key_env" in result.observed
    # The target runs on this machine: it can reach the attacker's loopback server.
    assert of(results, "GET /v2/users/me", "jku-attacker-key").verdict is Verdict.PASS
    # A write not allowed is not sent; a resource it would create is not to be had either.
    # Every attack of such an operation is a skip of its own: nothing the contract implies vanishes.
    for operation in ("DELETE /v2/threads/{thread_id}", "GET /v2/runs/{run_id}"):
        skipped = [r for r in results if r.operation == operation]
        assert len(skipped) == len(NAMES) and {r.verdict for r in skipped} == {Verdict.SKIPPED}
    # The thread came from following the spec's link from the allowed POST /v2/threads.
    assert of(results, "GET /v2/threads/{thread_id}", "alg-none:none:unsigned").verdict is Verdict.PASS
    auth = {r.check: r.verdict for r in results if r.check in AUTH_CHECKS}
    assert auth == {
        "refresh-reuse-revokes-family": Verdict.PASS,
        "revoked-is-inactive": Verdict.PASS,
        "brute-force-throttled": Verdict.SKIPPED,
        "no-account-enumeration": Verdict.SKIPPED,
    }


def test_attacks_are_chosen_by_name_or_prefix() -> None:
    assert [a.name for a in select(["alg-none:None"])] == ["alg-none:None:unsigned", "alg-none:None:signed"]
    assert len(select(["alg-none"])) == 8
    assert [a.name for a in select(["tampered-claim"], ["sub", "org"])] == [
        "tampered-claim:sub",
        "tampered-claim:org",
    ]
    with pytest.raises(ConfigError, match="unknown attack"):
        select(["alg-nothing"])
    with pytest.raises(ConfigError, match=r"^suite.tokens.atacks: unknown key \(did you mean attacks\?\)$"):
        Settings.from_options({"atacks": []})


def test_a_remote_live_target_gets_no_loopbackattacker_server() -> None:
    remote = url_target("staging", {"auth-service": "https://auth.staging.example"}, live=True)
    with opened(remote) as ctx, ExitStack() as stack:
        attacks = select(["jku-attacker-key"])
        server, why = attacker_server(ctx, Settings(), attacks, stack)
        assert server is None and "attacker_url" in why
        served, _ = attacker_server(ctx, Settings(attacker_url="https://gate.example:8443"), attacks, stack)
        assert served is not None and served.jwks_url == "https://gate.example:8443/jwks.json"
