"""The catalogue of token attacks, in the order they run, and what each needs from the target.

Every attack expects the same answer — the operation's declared 401 (for the WebSocket handshake, the
`x-handshake.refused-status` or the `handshake-refused` close code) — except where its `Forged`
credential says a 403 or a size refusal is acceptable too. `needs` names what the target must offer
for the attack to be built; without it the attack is reported skipped with the reason.

| attack | sends |
|---|---|
| no-credentials | no `Authorization` header |
| malformed-header:wrong-scheme / :empty / :extra-spaces / :two-tokens | the genuine token in a malformed header |
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


ALG_NONE_CASES = ("none", "None", "NONE", "nOnE")

ATTACKS: tuple[Attack, ...] = (
    Attack("no-credentials", forge.no_credentials),
    Attack("malformed-header:wrong-scheme", forge.wrong_scheme),
    Attack("malformed-header:empty", forge.empty),
    Attack("malformed-header:extra-spaces", forge.extra_spaces),
    Attack("malformed-header:two-tokens", forge.two_tokens),
    Attack("garbage-token", forge.garbage),
    *(
        Attack(f"alg-none:{case}:{'signed' if signed else 'unsigned'}", forge.alg_none(case, signed))
        for case in ALG_NONE_CASES
        for signed in (False, True)
    ),
    Attack("hs256-key-confusion", forge.hs256_key_confusion, "the issuer's JWKS"),
    Attack("bad-signature", forge.bad_signature),
    Attack("tampered-claim:sub", forge.tampered("sub")),
    Attack("tampered-claim:roles", forge.tampered("roles")),
    Attack("tampered-claim:tenant_id", forge.tampered("tenant_id")),
    Attack("tampered-claim:scope", forge.tampered("scope")),
    Attack("expired", forge.expired, KEY_HOLDER),
    Attack("not-yet-valid", forge.not_yet_valid, KEY_HOLDER),
    Attack("wrong-issuer", forge.wrong_issuer, KEY_HOLDER),
    Attack("wrong-audience:genuine", forge.wrong_audience_genuine, "a token for another audience"),
    Attack("wrong-audience:signed", forge.wrong_audience_signed, KEY_HOLDER),
    Attack("unknown-kid", forge.unknown_kid),
    Attack("injected-kid:path-traversal", forge.injected_kid_path),
    Attack("injected-kid:sql", forge.injected_kid_sql),
    Attack("jku-attacker-key", forge.jku, ATTACKER_SERVER),
    Attack("x5u-attacker-key", forge.x5u, ATTACKER_SERVER),
    Attack("embedded-jwk", forge.embedded_jwk),
    Attack("revoked", forge.revoked, "a revocation endpoint"),
    Attack("refresh-as-access", forge.refresh_as_access, "refresh tokens"),
    Attack("rotated-out-key", forge.rotated_out_key, KEY_HOLDER),
    Attack("oversized", forge.oversized, KEY_HOLDER),
)

NAMES: tuple[str, ...] = tuple(attack.name for attack in ATTACKS)


def select(wanted: Sequence[str] | None, tampered_claims: Sequence[str] = ()) -> list[Attack]:
    """The attacks named (exactly, or by a prefix before ':'), in catalogue order.

    `tampered_claims` replaces the catalogue's tampered-claim attacks (configuration names the claims).
    """
    attacks = list(ATTACKS)
    if tampered_claims:
        first = next(i for i, a in enumerate(attacks) if a.name.startswith("tampered-claim:"))
        attacks = [a for a in attacks if not a.name.startswith("tampered-claim:")]
        attacks[first:first] = [Attack(f"tampered-claim:{c}", forge.tampered(c)) for c in tampered_claims]
    if wanted is None:
        return attacks
    chosen = [a for a in attacks if any(a.name == w or a.name.startswith(w + ":") for w in wanted)]
    unknown = [w for w in wanted if not any(a.name == w or a.name.startswith(w + ":") for a in attacks)]
    if unknown:
        raise ConfigError(
            f"suite.tokens.attacks: unknown attack(s) {', '.join(unknown)} (known: {', '.join(NAMES)})"
        )
    return chosen
