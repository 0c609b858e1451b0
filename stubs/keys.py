"""The auth service's signing keys: one current key, the previous one during its grace period.

Rotation is what real identity providers do: a new key signs from now on, the old key stays in the
JWKS (so tokens it signed keep validating) until the grace period ends, then it is removed and
tokens signed by it must fail everywhere. Removed keys are remembered only so that tests and
provider states can mint a token signed by one. A ring starts with one such key already behind it
(a key "rotated out before this process started"), so that minting a token signed by a removed key
never has to rotate the live keys — which would invalidate every token in use by other clients.

Whoever must know when the key set changes (the revocation feed, which tells resource services)
registers with `on_change`; `horizons()` says until when each valid key stays valid.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from stubs.settings import Clock


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: float
    retired_at: float | None = None
    #: The parsed public key, made once: verification with a parsed key object is the cheap path.
    public_key: rsa.RSAPublicKey = field(init=False, repr=False)
    #: Its public JWK, made once (the JWKS is served on every key lookup of every client).
    jwk: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.public_key = self.private_key.public_key()
        self.jwk = self.public_jwk()

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.public_key, as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk


@cache
def _pooled_key(index: int) -> rsa.RSAPrivateKey:
    # Generating RSA keys costs ~50 ms each; tests build many stubs. A process-wide pool keeps keys
    # distinct within one ring (index grows per ring) while reusing them across rings.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _kid_for(key: rsa.RSAPrivateKey) -> str:
    numbers = key.public_key().public_numbers()
    digest = hashlib.sha256(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


class KeyRing:
    """Current signing key, previous keys within their grace period, and removed keys."""

    def __init__(self, clock: Clock, grace_seconds: int) -> None:
        self._clock = clock
        self._grace = grace_seconds
        self._generated = 0
        retired = self._new_key()
        retired.retired_at = clock() - grace_seconds
        self.removed: list[SigningKey] = [retired]
        self._current = self._new_key()
        self._previous: list[SigningKey] = []
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every rotation or removal (not when a grace period ends by the clock:
        `horizons()` announced that in advance)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def _new_key(self) -> SigningKey:
        key = _pooled_key(self._generated)
        self._generated += 1
        return SigningKey(kid=_kid_for(key), private_key=key, created_at=self._clock())

    @property
    def current(self) -> SigningKey:
        return self._current

    def rotate(self) -> SigningKey:
        """Sign with a new key from now on; the old one enters its grace period."""
        self._expire()
        old = self._current
        old.retired_at = self._clock()
        self._previous.append(old)
        self._current = self._new_key()
        self._changed()
        return self._current

    def remove_previous(self) -> list[SigningKey]:
        """End every grace period now (what the clock does on its own after `grace_seconds`)."""
        gone, self._previous = self._previous, []
        self.removed.extend(gone)
        self._changed()
        return gone

    def _expire(self) -> None:
        now = self._clock()
        keep = [k for k in self._previous if k.retired_at is not None and now - k.retired_at < self._grace]
        self.removed.extend(k for k in self._previous if k not in keep)
        self._previous = keep

    def valid_keys(self) -> list[SigningKey]:
        self._expire()
        return [self._current, *self._previous]

    def find(self, kid: str) -> SigningKey | None:
        return next((k for k in self.valid_keys() if k.kid == kid), None)

    def horizons(self) -> dict[str, float | None]:
        """Each valid key id → when its grace period ends (None: the current key, no end yet)."""
        return {
            k.kid: None if k.retired_at is None else k.retired_at + self._grace for k in self.valid_keys()
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk for k in self.valid_keys()]}
