"""With the issuer's signing key configured, a live target without any hook gets every key-holder attack.

The key is the stub issuer's own (what a team puts in `signing_key_env` for staging); the target is
the flawed platform by URL with no provider-state hook, as staging is. Each flaw that only a validly
signed token can reveal is caught, and a faithful service passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization

from providers.credentials import SigningKey
from providers.results import Verdict
from providers.target import url_target
from tests.providers.tokens.flawed import FlawedPlatform
from tests.providers.tokens.support import context, failing, of

OPERATION = "GET /v2/users/me"
SIGNED = ["expired", "not-yet-valid", "wrong-issuer", "wrong-audience:signed", "oversized"]


@pytest.fixture(scope="module")
def flawed() -> Iterator[FlawedPlatform]:
    platform = FlawedPlatform().start()
    yield platform
    platform.stop()


def _pem(flawed: FlawedPlatform) -> str:
    assert flawed.auth_service is not None
    key = flawed.auth_service.keys.current.private_key
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _run(flawed: FlawedPlatform, signing: SigningKey | None) -> list:
    urls = {name: service.base_url for name, service in flawed.target.services.items()}
    ctx = context(url_target("staging", urls, live=True, safe=True))
    ctx.credentials = replace(ctx.credentials, signing_key=signing)
    ctx.tokens.credentials = ctx.credentials
    try:
        from providers.tokens import run

        ctx.options.suites["tokens"] = {"operations": [OPERATION], "attacks": SIGNED, "auth_checks": False}
        return list(run(ctx))
    finally:
        ctx.http.close()


def test_without_a_key_the_attacks_are_skipped_naming_the_setting(flawed: FlawedPlatform) -> None:
    results = _run(flawed, None)
    for name in SIGNED:
        result = of(results, OPERATION, name)
        assert result.verdict is Verdict.SKIPPED and "signing_key_env" in result.observed


def test_with_the_key_a_faithful_service_passes_every_signed_attack(flawed: FlawedPlatform) -> None:
    results = _run(flawed, SigningKey(_pem(flawed)))
    assert {of(results, OPERATION, name).verdict for name in SIGNED} == {Verdict.PASS}
    assert all(_pem(flawed)[40:80] not in (r.reproduction or "") + r.observed for r in results)


@pytest.mark.parametrize(
    ("flaw", "attack"),
    [
        ("skip-expiry", "expired"),
        ("skip-nbf", "not-yet-valid"),
        ("skip-issuer", "wrong-issuer"),
        ("skip-audience", "wrong-audience:signed"),
    ],
)
def test_with_the_key_each_claim_flaw_is_caught_on_a_live_target(
    flawed: FlawedPlatform, flaw: str, attack: str
) -> None:
    with flawed.flaws.on(flaw):
        results = _run(flawed, SigningKey(_pem(flawed)))
    assert failing(results) == {(OPERATION, attack)}
    assert of(results, OPERATION, attack).verdict is Verdict.FAIL


def test_an_hmac_secret_signs_hs256() -> None:
    key = SigningKey("a-shared-secret-of-some-length")
    assert key.algorithm_for(None) == "HS256" and key.algorithm_for("RS256") == "HS256"
    assert key.algorithm_for("HS384") == "HS384"
    assert "a-shared-secret" not in repr(key)
