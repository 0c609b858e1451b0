"""The catalogue of token attacks, in the order they run, and what each needs from the target.

Every attack expects the same answer — the operation's declared 401 (for the WebSocket handshake, the
`x-handshake.refused-status` or the `handshake-refused` close code) — except where its `Forged`
credential says a 403 or a size refusal is acceptable too. `needs` names what the target must offer
for the attack to be built; without it the attack is reported skipped with the reason.

| attack | sends |
|---|---|
| no-credentials | no `Authorization` header |
| malformed-header:empty / :wrong-scheme / :tab-separator / :two-tokens | the genuine token in a malformed header (the last three are policy: advisories) |
| garbage-token | a non-JWT and a JWT-shaped random token |
| alg-none:<case>:unsigned / :signed | `alg` none/None/NONE/nOnE, without / with the original signature |
| hs256-key-confusion | HS256 keyed with the issuer's RSA public key (PEM encodings) |
| bad-signature | genuine header and claims, another key's signature |
| tampered-claim:<claim> | one claim changed, the issuer's signature kept |
| expired, not-yet-valid, wrong-issuer, wrong-audience:signed, rotated-out-key, oversized | signed by the issuer (key holder), wrong in one way |
| wrong-audience:genuine | a genuine token minted for another service |
| unknown-kid | a `kid` the issuer never published, signed by the attacker |
| injected-kid:path-traversal / :sql | a `kid` that is a path to /dev/null / a SQL injection, HS256 keyed accordingly |
| jku-attacker-key, x5u-attacker-key | a key URL on the suite's attacker server |
| embedded-jwk | the attacker's key embedded in the header |
| revoked | a genuine token revoked at the revocation endpoint |
| refresh-as-access | a genuine refresh token as the bearer token |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from providers.checks import Basis, register
from providers.errors import ConfigError
from providers.tokens import forge
from providers.tokens.forge import Forger

KEY_HOLDER = "key holder"
ATTACKER_SERVER = "attacker server"


@dataclass(frozen=True)
class Attack:
    name: str
    forge: Forger
    #: What the target must offer ("key holder", "attacker server", ...), for docs and skip reasons.
    needs: str | None = None
    basis: Basis = Basis.STANDARD
    cites: str = ""


ALG_NONE_CASES = ("none", "None", "NONE", "nOnE")
_CONTRACT_401 = "the operation's security requirement and its declared 401"
_SIGNATURE = "RFC 7515 §5.2 (the signature must validate with the issuer's key)"

ATTACKS: tuple[Attack, ...] = (
    Attack(
        "no-credentials", forge.no_credentials, basis=Basis.CONTRACT, cites=f"{_CONTRACT_401}; RFC 6750 §3.1"
    ),
    Attack(
        "malformed-header:empty", forge.empty, basis=Basis.CONTRACT, cites=f"{_CONTRACT_401}; RFC 6750 §2.1"
    ),
    Attack(
        "malformed-header:wrong-scheme",
        forge.wrong_scheme,
        basis=Basis.POLICY,
        cites="policy: only the Bearer scheme (RFC 6750 §2.1) carries a token; accepting another is lax, not a breach",
    ),
    Attack(
        "malformed-header:tab-separator",
        forge.tab_separator,
        basis=Basis.POLICY,
        cites="policy: RFC 6750 §2.1 separates scheme and token by 1*SP, so a tab is malformed; accepting it is lax",
    ),
    Attack(
        "malformed-header:two-tokens",
        forge.two_tokens,
        basis=Basis.POLICY,
        cites="policy: a credential with two tokens is ambiguous (RFC 9110 §11.6.2); accepting its first is lax",
    ),
    Attack("garbage-token", forge.garbage, cites="RFC 6750 §3.1 (invalid_token)"),
    *(
        Attack(
            f"alg-none:{case}:{'signed' if signed else 'unsigned'}",
            forge.alg_none(case, signed),
            cites="RFC 8725 §3.1; RFC 7518 §3.6 (alg none is never acceptable for access tokens)",
        )
        for case in ALG_NONE_CASES
        for signed in (False, True)
    ),
    Attack(
        "hs256-key-confusion", forge.hs256_key_confusion, "the issuer's JWKS", cites="RFC 8725 §2.1, §3.1"
    ),
    Attack("bad-signature", forge.bad_signature, cites=_SIGNATURE),
    # one tampered-claim:<claim> per claim of `select(tampered_claims=…)`: the manifest's claim names
    Attack("expired", forge.expired, KEY_HOLDER, cites="RFC 7519 §4.1.4 (exp)"),
    Attack("not-yet-valid", forge.not_yet_valid, KEY_HOLDER, cites="RFC 7519 §4.1.5 (nbf)"),
    Attack("wrong-issuer", forge.wrong_issuer, KEY_HOLDER, cites="RFC 7519 §4.1.1 (iss); RFC 8725 §3.8"),
    Attack(
        "wrong-audience:genuine",
        forge.wrong_audience_genuine,
        "a token for another audience",
        cites="RFC 7519 §4.1.3 (aud); RFC 8725 §3.9",
    ),
    Attack(
        "wrong-audience:signed",
        forge.wrong_audience_signed,
        KEY_HOLDER,
        cites="RFC 7519 §4.1.3 (aud); RFC 8725 §3.9",
    ),
    Attack("unknown-kid", forge.unknown_kid, cites="RFC 7515 §4.1.4, §5.2 (no published key verifies it)"),
    Attack(
        "injected-kid:path-traversal",
        forge.injected_kid_path,
        cites="RFC 8725 §3.10 (kid is untrusted input)",
    ),
    Attack("injected-kid:sql", forge.injected_kid_sql, cites="RFC 8725 §3.10 (kid is untrusted input)"),
    Attack("jku-attacker-key", forge.jku, ATTACKER_SERVER, cites="RFC 7515 §4.1.2; RFC 8725 §3.10"),
    Attack("x5u-attacker-key", forge.x5u, ATTACKER_SERVER, cites="RFC 7515 §4.1.5; RFC 8725 §3.10"),
    Attack("embedded-jwk", forge.embedded_jwk, cites="RFC 7515 §4.1.3; RFC 8725 §3.10"),
    Attack(
        "revoked",
        forge.revoked,
        "a revocation endpoint",
        basis=Basis.CONTRACT,
        cites="the platform's revocation endpoint (platform.yaml tokens.revocation); RFC 7009 §2",
    ),
    Attack(
        "refresh-as-access",
        forge.refresh_as_access,
        "refresh tokens",
        cites="RFC 6749 §1.5 (refresh tokens are for the authorization server); RFC 8725 §3.11",
    ),
    Attack(
        "rotated-out-key",
        forge.rotated_out_key,
        KEY_HOLDER,
        cites="RFC 7515 §5.2; RFC 7517 §5 (only published keys)",
    ),
    Attack(
        "oversized",
        forge.oversized,
        KEY_HOLDER,
        basis=Basis.POLICY,
        cites="policy: an oversized token is refused before it costs the service (RFC 9110 §15.5.14, §15.5.21 allow 413/431)",
    ),
)
TAMPERED = Attack(
    "tampered-claim", forge.garbage, cites=f"{_SIGNATURE}; the claim is covered by the signature"
)

for _attack in (*ATTACKS, TAMPERED):
    register(
        "tokens",
        _attack.name,
        _attack.basis,
        _attack.cites,
        f"a token forged this way is refused ({_attack.name})",
        needs=(_attack.needs,) if _attack.needs else (),
    )

NAMES: tuple[str, ...] = tuple(attack.name for attack in ATTACKS)


def select(wanted: Sequence[str] | None, tampered_claims: Sequence[str] = ("sub",)) -> list[Attack]:
    """The attacks named (exactly, or by a prefix before ':'), in catalogue order.

    One tampered-claim attack per claim of `tampered_claims` (the platform's subject, role, tenant and
    scope claims), after the bad-signature attack.
    """
    attacks = list(ATTACKS)
    first = next(i for i, a in enumerate(attacks) if a.name == "bad-signature") + 1
    attacks[first:first] = [
        Attack(f"tampered-claim:{c}", forge.tampered(c), cites=TAMPERED.cites) for c in tampered_claims
    ]
    if wanted is None:
        return attacks
    chosen = [a for a in attacks if any(a.name == w or a.name.startswith(w + ":") for w in wanted)]
    unknown = [w for w in wanted if not any(a.name == w or a.name.startswith(w + ":") for a in attacks)]
    if unknown:
        raise ConfigError(
            f"suite.tokens.attacks: unknown attack(s) {', '.join(unknown)} (known: {', '.join(NAMES)})"
        )
    return chosen
