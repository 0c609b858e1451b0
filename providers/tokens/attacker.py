"""The attacker's side: a key pair of its own, and a tiny server publishing it (for `jku` / `x5u`).

A token whose header says "verify me with the keys at this URL" (`jku`, a JWKS; `x5u`, a PEM
certificate) is only dangerous if the URL is the attacker's: so the suite serves its own public key
from a loopback HTTP server it starts and stops itself, and records every fetch — a target that
fetches it has followed a URL taken from an unverified token, whatever it then decided.

On a live target the loopback address is not reachable from the target, so the suite needs
`attacker_url` (a base URL where this server is reachable) or skips those attacks.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

JWKS_PATH = "/jwks.json"
CERT_PATH = "/cert.pem"


@dataclass
class AttackerKeys:
    """An RSA key pair the issuer never saw, with the JWK and self-signed certificate that publish it."""

    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = field(default_factory=lambda: "contractgate-" + uuid.uuid4().hex[:12])

    def jwk(self, kid: str | None = None) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": kid or self.kid, "use": "sig", "alg": "RS256"})
        return jwk

    @cached_property
    def certificate_pem(self) -> bytes:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "contractgate attacker")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self.private_key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM)


class AttackerServer:
    """Serves the attacker's JWKS and certificate on a loopback port; records who fetched what."""

    def __init__(self, keys: AttackerKeys, *, host: str = "127.0.0.1", public_url: str | None = None) -> None:
        self.keys = keys
        self.fetched: list[str] = []
        self._jwks_kids: set[str] = {keys.kid}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?")[0]
                with server._lock:
                    server.fetched.append(path)
                    kids = sorted(server._jwks_kids)
                if path == JWKS_PATH:
                    body = json.dumps({"keys": [server.keys.jwk(kid) for kid in kids]}).encode()
                    content_type = "application/json"
                elif path == CERT_PATH:
                    body, content_type = server.keys.certificate_pem, "application/x-pem-file"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        port = self._httpd.server_address[1]
        self.base_url = (public_url or f"http://{host}:{port}").rstrip("/")
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="attacker", daemon=True)

    def publish_kid(self, kid: str) -> None:
        """Also publish the attacker's key under `kid` (e.g. the issuer's own key id)."""
        with self._lock:
            self._jwks_kids.add(kid)

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    @property
    def cert_url(self) -> str:
        return self.base_url + CERT_PATH

    def fetches(self) -> int:
        with self._lock:
            return len(self.fetched)

    def start(self) -> AttackerServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> AttackerServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
