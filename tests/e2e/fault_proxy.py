"""A fault-injecting reverse proxy in front of the backend stub: the four faults a weak staging run missed.

A raw ASGI app served on a free 127.0.0.1 port (`stubs.server.BackgroundServer`) that forwards every
request to the backend stub over real HTTP, except that it plants one fault, as a backend with that bug
would behave. Three faults need to make the stub accept what it refuses; the proxy does it the way the
bug would: it holds the issuer's key (as the test does) and re-signs the token the backend then sees.

    expired-token-accepted   an expired but validly signed token is accepted (re-signed unexpired)
    other-tenant-readable    a GET of another account's thread or run answers it (re-signed as its owner)
    internal-write-unscoped  a service token without `runs:write` may write the internal API (scope added)
    long-input-500           any query value or JSON string longer than 256 characters: a 500
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from starlette.types import Message, Receive, Scope, Send

from stubs.platform import Platform
from stubs.server import BackgroundServer, bind

FAULTS = ("expired-token-accepted", "other-tenant-readable", "internal-write-unscoped", "long-input-500")
LONG = 256
_HOP = {"host", "content-length", "connection", "transfer-encoding", "content-encoding", "keep-alive"}


class FaultProxy:
    def __init__(self, platform: Platform, fault: str) -> None:
        assert fault in FAULTS, fault
        self.fault = fault
        self.upstream = platform.backend_url
        self.store = platform.backend_app.state.store  # type: ignore[attr-defined]
        self.key: PrivateKeyTypes = platform.auth_app.state.service.keys.current.private_key  # type: ignore[attr-defined]
        self.client: httpx.AsyncClient | None = None
        #: How often the fault changed what the backend saw or answered: proof it was reached.
        self.planted = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.client = httpx.AsyncClient(trust_env=False, timeout=10)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.client is not None:
                        await self.client.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert scope["type"] == "http" and self.client is not None
        body = b""
        while True:
            message: Message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"]
        query = scope["query_string"].decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        headers = [(k, v) for k, v in headers if k.lower() not in _HOP]
        if self.fault == "long-input-500" and _long(query, body):
            self.planted += 1
            await _answer(send, 500, b"Internal Server Error", [("content-type", "text/plain")])
            return
        headers = self._resign(method, path, headers)
        url = f"{self.upstream}{path}" + (f"?{query}" if query else "")
        answer = await self.client.request(method, url, headers=headers, content=body)
        if self.fault == "other-tenant-readable" and method == "GET" and answer.status_code == 404:
            owned = self._as_owner(path, headers)
            if owned is not None:
                answer = await self.client.request(method, url, headers=owned, content=body)
                self.planted += answer.status_code == 200
        out = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in _HOP]
        if method == "HEAD":  # the length of the body a GET would have had
            out += [(k, v) for k, v in answer.headers.multi_items() if k.lower() == "content-length"]
        await _answer(send, answer.status_code, answer.content, out, length=method != "HEAD")

    def _claims(self, headers: list[tuple[str, str]]) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The bearer token's header and claims, when the issuer's current key signed it."""
        value = next((v for k, v in headers if k.lower() == "authorization"), "")
        if not value.lower().startswith("bearer "):
            return None
        token = value[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self.key.public_key(),  # type: ignore[union-attr]
                algorithms=["RS256"],  # the stub issuer's
                options={"verify_exp": False, "verify_aud": False, "verify_nbf": False, "verify_iat": False},
            )
        except (jwt.PyJWTError, TypeError, ValueError):  # forged, malformed or not the issuer's
            return None
        return header, claims

    def _signed(
        self, headers: list[tuple[str, str]], header: dict[str, Any], claims: dict[str, Any]
    ) -> list[tuple[str, str]]:
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={k: v for k, v in header.items() if k != "alg"})  # type: ignore[arg-type]
        return [(k, v) for k, v in headers if k.lower() != "authorization"] + [
            ("authorization", f"Bearer {token}")
        ]

    def _resign(self, method: str, path: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        found = self._claims(headers)
        if found is None:
            return headers
        header, claims = found
        if self.fault == "expired-token-accepted" and float(claims.get("exp", 0)) < time.time():
            self.planted += 1
            return self._signed(headers, header, {**claims, "exp": int(time.time()) + 600})
        scopes = str(claims.get("scope", "")).split()
        if (
            self.fault == "internal-write-unscoped"
            and path.startswith("/internal/")
            and method not in ("GET", "HEAD", "OPTIONS")
            and "tenant_id" not in claims
            and "runs:write" not in scopes
        ):
            self.planted += 1
            return self._signed(headers, header, {**claims, "scope": " ".join([*scopes, "runs:write"])})
        return headers

    def _as_owner(self, path: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
        """The request's token re-signed as the owner of the thread or run `path` names (None: no such)."""
        found = self._claims(headers)
        parts = path.strip("/").split("/")
        if found is None or len(parts) < 3 or parts[1] not in ("threads", "runs"):
            return None
        header, claims = found
        if parts[1] == "threads":
            thread = self.store._threads.get(parts[2])
            owner = (thread.owner.user_id, thread.owner.tenant_id) if thread is not None else None
        else:
            run = self.store.run(parts[2])
            owner = (run.owner_id, run.tenant_id) if run is not None else None
        if owner is None or "tenant_id" not in claims or owner == (claims["sub"], claims["tenant_id"]):
            return None
        return self._signed(headers, header, {**claims, "sub": owner[0], "tenant_id": owner[1]})


def _long(query: str, body: bytes) -> bool:
    if any(len(value) > LONG for _, value in parse_qsl(query, keep_blank_values=True)):
        return True
    try:
        document = json.loads(body) if body else None
    except ValueError:
        return False
    return any(len(text) > LONG for text in _strings(document))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def _answer(
    send: Send, status: int, body: bytes, headers: list[tuple[str, str]], *, length: bool = True
) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if length:
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def fault_proxy(platform: Platform, fault: str) -> Iterator[tuple[str, FaultProxy]]:
    """The proxy planting `fault` in front of the backend stub: its URL, and the proxy."""
    proxy = FaultProxy(platform, fault)
    server = BackgroundServer(proxy, bind("127.0.0.1", 0), name=f"proxy-{fault}").start()
    try:
        yield server.url, proxy
    finally:
        server.stop()
