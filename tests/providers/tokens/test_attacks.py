"""Every attack of the catalogue is caught: a platform vulnerable to exactly it fails that attack, named.

One `FlawedPlatform` serves the whole module; each test switches on the one flaw that makes the stubs
vulnerable to its attack (see `flawed`), runs the whole catalogue against one operation, and expects
exactly the attacks that flaw opens — with a reproduction that names the attack and shows no token.
The same suite passes against the real stubs (`test_real_stubs`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.platform import of_folder
from providers.results import Verdict
from providers.tokens.catalogue import ALG_NONE_CASES, select
from tests.providers.tokens.flawed import FlawedPlatform
from tests.providers.tokens.support import failing, of, run_suite, unredacted

OPERATION = "GET /v2/threads/{thread_id}"
#: Every attack the suite runs on the reference platform (one tampered-claim attack per manifest claim).
NAMES = [attack.name for attack in select(None, of_folder().issuer.claims.tamperable())]  # type: ignore[union-attr]
CHANNEL = "ws /ws"

#: attack → (the flaw that opens it, every attack that flaw opens on the operation).
VULNERABLE: dict[str, tuple[str, frozenset[str]]] = {
    "no-credentials": ("no-header-as-default-user", frozenset()),
    "malformed-header:wrong-scheme": ("any-scheme", frozenset()),
    "malformed-header:empty": ("empty-as-default-user", frozenset()),
    "malformed-header:tab-separator": ("lenient-whitespace", frozenset()),
    "malformed-header:two-tokens": ("first-token", frozenset()),
    "garbage-token": ("unparseable-as-default-user", frozenset()),
    **{
        f"alg-none:{case}:{kind}": (f"alg-none:{case}:{kind}", frozenset())
        for case in ALG_NONE_CASES
        for kind in ("unsigned", "signed")
    },
    "hs256-key-confusion": ("hs-key-confusion", frozenset()),
    "bad-signature": ("trust-known-header-payload", frozenset()),
    **{
        f"tampered-claim:{claim}": (f"trust-known-signature:{claim}", frozenset())
        for claim in ("sub", "roles", "tenant_id", "scope")
    },
    "expired": ("skip-expiry", frozenset()),
    "not-yet-valid": ("skip-nbf", frozenset()),
    "wrong-issuer": ("skip-issuer", frozenset()),
    "wrong-audience:genuine": ("platform-audiences", frozenset()),
    # A validator that skips the audience takes a genuine token for another service too.
    "wrong-audience:signed": ("skip-audience", frozenset({"wrong-audience:genuine"})),
    # A key id the JWKS does not know skips verification: a rotated-out key's id is such a one.
    "unknown-kid": ("unknown-kid-unverified", frozenset({"rotated-out-key"})),
    "injected-kid:path-traversal": ("kid-path", frozenset()),
    "injected-kid:sql": ("kid-sql", frozenset()),
    "jku-attacker-key": ("follow-jku", frozenset()),
    "x5u-attacker-key": ("follow-x5u", frozenset()),
    "embedded-jwk": ("embedded-jwk", frozenset()),
    "revoked": ("ignore-revocation", frozenset()),
    "refresh-as-access": ("accept-refresh", frozenset()),
    "rotated-out-key": ("keep-removed-keys", frozenset()),
    "oversized": ("no-size-limit", frozenset()),
}


@pytest.fixture(scope="module")
def flawed() -> Iterator[FlawedPlatform]:
    platform = FlawedPlatform().start()
    yield platform
    platform.stop()


def test_every_attack_of_the_catalogue_has_a_vulnerable_variant() -> None:
    assert set(VULNERABLE) == set(NAMES)


@pytest.mark.parametrize("attack", NAMES)
def test_a_platform_vulnerable_to_the_attack_fails_it(flawed: FlawedPlatform, attack: str) -> None:
    flaw, collateral = VULNERABLE[attack]
    with flawed.flaws.on(flaw):
        results = run_suite(
            "tokens", flawed.target, operations=[OPERATION], websocket=False, auth_checks=False
        )
    assert failing(results) == {(OPERATION, name) for name in {attack, *collateral}}
    result = of(results, OPERATION, attack)
    assert result.verdict is Verdict.FAIL
    assert result.details["attack"] == attack
    assert result.reproduction is not None and result.reproduction.startswith(f"# attack {attack}\ncurl ")
    assert unredacted(result) == []


#: Attacks whose flaw the WebSocket service has too (it refuses expired tokens itself, and an
#: oversized upgrade never reaches the application: those two stay refused at the handshake).
WS_ATTACKS = [name for name in NAMES if name not in ("expired", "oversized")]


@pytest.mark.parametrize("attack", WS_ATTACKS)
def test_the_handshake_is_attacked_too(flawed: FlawedPlatform, attack: str) -> None:
    flaw, _ = VULNERABLE[attack]
    with flawed.flaws.on(flaw):
        results = run_suite(
            "tokens", flawed.target, operations=[CHANNEL], attacks=[attack], auth_checks=False
        )
    result = of(results, CHANNEL, attack)
    assert result.verdict is Verdict.FAIL, result
    assert result.reproduction is not None and "websocat" in result.reproduction
    assert unredacted(result) == []


def test_when_the_genuine_token_is_refused_every_attack_is_an_error_not_a_pass(
    flawed: FlawedPlatform,
) -> None:
    with flawed.flaws.on("refuse-all"):
        results = run_suite(
            "tokens",
            flawed.target,
            operations=[OPERATION, CHANNEL],
            attacks=["no-credentials", "alg-none", "expired"],
            auth_checks=False,
            control_retry_delay=0.05,
        )
    assert len(results) == 2 * 10
    assert {r.verdict for r in results} == {Verdict.ERROR}
    assert all(r.observed.startswith("positive control failed") for r in results)
    assert all((r.reproduction or "").startswith("# positive control\n") for r in results)
