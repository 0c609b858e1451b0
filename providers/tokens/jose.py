"""JWS compact serialisation by hand: what an attacker writes, which a JWT library refuses to.

PyJWT will not sign with `alg: NoNe`, nor HMAC-sign with a PEM public key, nor keep a signature that
does not match its payload — rightly. The attacks need exactly those tokens, so they are assembled
here from their three segments: `header.payload.signature`, each base64url without padding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Parts:
    """A compact JWS split into its segments (the header and payload decoded, unverified)."""

    header: dict[str, Any]
    claims: dict[str, Any]
    raw_header: str
    raw_payload: str
    signature: str

    @property
    def signing_input(self) -> str:
        return f"{self.raw_header}.{self.raw_payload}"


def split(token: str) -> Parts | None:
    """The segments of a JWS with JSON header and payload; None for anything else."""
    pieces = token.split(".")
    if len(pieces) != 3:
        return None
    try:
        header = json.loads(unb64url(pieces[0]))
        claims = json.loads(unb64url(pieces[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return Parts(header, claims, pieces[0], pieces[1], pieces[2])


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    """Header and payload with a given (possibly foreign, possibly empty) signature segment."""
    return f"{b64url_json(header)}.{b64url_json(claims)}.{signature}"


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    return hs256_over(f"{b64url_json(header)}.{b64url_json(claims)}", secret)


def hs256_over(signing_input: str, secret: bytes) -> str:
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def rs256(header: dict[str, Any], claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    return rs256_over(f"{b64url_json(header)}.{b64url_json(claims)}", key)


def rs256_over(signing_input: str, key: rsa.RSAPrivateKey) -> str:
    """Sign an existing `header.payload` with `key` (a signature the issuer never made)."""
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def public_pems(key: Any) -> dict[str, bytes]:
    """The encodings of a public key a confused verifier may use as an HMAC secret, by name."""
    pems = {
        "PEM SubjectPublicKeyInfo": key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    }
    if isinstance(key, rsa.RSAPublicKey):
        pems["PEM PKCS#1"] = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    return pems
