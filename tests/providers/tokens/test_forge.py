"""Each forger builds exactly the token its attack names, from the genuine one (no target needed)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from contractgate.credentials import demo_credentials
from contracts import asyncapi_spec, openapi_specs
from providers.contract import Requirement
from providers.credentials import Token, TokenSource
from providers.http import Limits, RequestGuard, TargetHttp
from providers.platform import of_folder
from providers.redact import MASK, Redactor
from providers.requests import Unavailable
from providers.suite import RunContext
from providers.target import url_target
from providers.tokens import forge, jose
from providers.tokens.material import Forge, Identity, Material
from providers.tokens.settings import Settings

ISSUER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "issuer-key-1"


@pytest.fixture
def material() -> Iterator[Material]:
    target = url_target("nowhere", {"auth-service": "http://127.0.0.1:9"}, live=False)
    http = TargetHttp(RequestGuard(Limits(timeout=1)))
    credentials = demo_credentials()
    ctx = RunContext(
        platform=of_folder(),
        target=target,
        specs=openapi_specs(),
        asyncapi=asyncapi_spec(),
        credentials=credentials,
        tokens=TokenSource(target, credentials, http, Redactor()),
        http=http,
        redactor=Redactor(),
    )
    now = int(time.time())
    claims = {
        "iss": "https://issuer.example",
        "sub": str(uuid.uuid4()),
        "aud": "backend",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "scope": "openid profile",
        "tenant_id": "acme",
        "roles": ["member"],
    }
    value = jwt.encode(claims, ISSUER_KEY, algorithm="RS256", headers={"kid": KID, "typ": "at+jwt"})
    genuine = Token(value, "user", "user token (member, aud=backend)", "backend", "member")
    identity = Identity(Requirement("userToken", "user", ("backend",)), "backend", "member")
    built = Forge(ctx, Settings())
    built._jwks = {KID: ISSUER_KEY.public_key()}
    yield Material(built, identity, genuine)
    http.close()


def only(forged: list[forge.Forged]) -> str:
    assert len(forged) == 1 and forged[0].token is not None
    return forged[0].token


@pytest.mark.parametrize("case", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signed", [False, True])
def test_alg_none_keeps_the_claims_byte_for_byte(material: Material, case: str, signed: bool) -> None:
    token = only(forge.alg_none(case, signed)(material))
    head, payload, signature = token.split(".")
    assert json.loads(jose.unb64url(head))["alg"] == case
    assert payload == material.parts.raw_payload
    assert signature == (material.parts.signature if signed else "")


def test_key_confusion_is_hmac_keyed_with_the_public_key(material: Material) -> None:
    forged = forge.hs256_key_confusion(material)
    assert [f.variant for f in forged] == [
        "HS256 keyed with the issuer's public key (PEM SubjectPublicKeyInfo)",
        "HS256 keyed with the issuer's public key (PEM PKCS#1)",
    ]
    pem = ISSUER_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert forged[0].token is not None
    signing_input, _, signature = forged[0].token.rpartition(".")
    assert json.loads(jose.unb64url(signing_input.split(".")[0]))["alg"] == "HS256"
    expected = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert jose.unb64url(signature) == expected


def test_a_bad_signature_is_another_keys_over_the_same_header_and_claims(material: Material) -> None:
    token = only(forge.bad_signature(material))
    assert token.rpartition(".")[0] == material.parts.signing_input
    assert token != material.genuine.value
    jwt.decode(
        token, material.forge.attacker.private_key.public_key(), algorithms=["RS256"], audience="backend"
    )


@pytest.mark.parametrize("claim", ["sub", "roles", "tenant_id", "scope"])
def test_a_tampered_claim_is_the_only_change_and_the_signature_is_kept(
    material: Material, claim: str
) -> None:
    token = only(forge.tampered(claim)(material))
    parts = jose.split(token)
    assert parts is not None
    assert parts.signature == material.parts.signature and parts.raw_header == material.parts.raw_header
    before, after = material.parts.claims, parts.claims
    assert {k for k in before if before[k] != after[k]} == {claim}
    if claim == "roles":
        assert "admin" in after["roles"]
    if claim == "scope":
        assert {"runs:read", "runs:write"} <= set(after["scope"].split())
    if claim == "tenant_id":
        assert after["tenant_id"] == "globex"  # another configured account's tenant


def test_key_id_attacks(material: Material) -> None:
    unknown = only(forge.unknown_kid(material))
    assert jwt.get_unverified_header(unknown)["kid"] != KID
    jwt.decode(
        unknown, material.forge.attacker.private_key.public_key(), algorithms=["RS256"], audience="backend"
    )
    path = only(forge.injected_kid_path(material))
    assert jwt.get_unverified_header(path)["kid"].endswith("/dev/null")
    signing_input, _, signature = path.rpartition(".")
    assert jose.unb64url(signature) == hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    sql = only(forge.injected_kid_sql(material))
    assert "UNION SELECT" in jwt.get_unverified_header(sql)["kid"]
    signing_input, _, signature = sql.rpartition(".")
    assert (
        jose.unb64url(signature)
        == hmac.new(forge.SQL_SECRET, signing_input.encode(), hashlib.sha256).digest()
    )


def test_the_embedded_key_is_the_attackers(material: Material) -> None:
    token = only(forge.embedded_jwk(material))
    header = jwt.get_unverified_header(token)
    assert header["kid"] == KID
    key = jwt.PyJWK(header["jwk"]).key
    assert key.public_numbers() == material.forge.attacker.private_key.public_key().public_numbers()


def test_header_attacks_send_the_header_as_written(material: Material) -> None:
    genuine = material.genuine.value
    assert forge.no_credentials(material)[0].headers == ()
    assert ("Authorization", f"Token {genuine}") in [
        h for f in forge.wrong_scheme(material) for h in f.headers
    ]
    assert [f.headers for f in forge.tab_separator(material)] == [(("Authorization", f"Bearer\t{genuine}"),)]
    two = forge.two_tokens(material)
    assert any(len(f.headers) == 2 for f in two)
    assert all(f.token is None for f in [*two, *forge.empty(material)])


def test_every_forged_token_is_registered_for_redaction(material: Material) -> None:
    tokens = [
        *(f.token for f in forge.alg_none("None", False)(material)),
        *(f.token for f in forge.bad_signature(material)),
        *(f.token for f in forge.injected_kid_sql(material)),
        forge.garbage(material)[1].token,  # the JWT-shaped one (the other is a fixed, harmless word)
    ]
    for token in tokens:
        assert token is not None
        assert material.forge.ctx.redactor.text(f"x {token} y") == f"x {MASK} y"


def test_what_the_target_lacks_is_unavailable_not_forged(material: Material) -> None:
    material.forge.no_server_reason = "no attacker server here"
    with pytest.raises(Unavailable, match="no attacker server"):
        forge.jku(material)
    # The nowhere target has no provider-state hook: the key holder cannot sign.
    with pytest.raises(Unavailable, match="provider-state hook"):
        forge.expired(material)
