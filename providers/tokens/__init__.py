"""The `tokens` suite: token-validation attacks against every protected operation and the handshake.

Modules: `settings` (`[suite.tokens]` settings), `material` (genuine tokens, the issuer's keys, the key
holder), `attacker` (the attacker's key pair and its jku/x5u server), `jose` (hand-made JWS),
`forge` (one function per attack), `catalogue` (the attacks in order, what each needs), `checks`
(sending and judging), `authservice` (the auth service's own behaviour), `suite` (`run(ctx)`).
"""

from __future__ import annotations

from providers.tokens.suite import run

__all__ = ["run"]
