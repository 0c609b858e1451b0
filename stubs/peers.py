"""How a resource service talks to the services it depends on, as a real deployment would.

- `PeerClient`: an httpx client per event loop for one base URL. The same app object may be served by
  uvicorn and called in-process (ASGI transport) from another loop; a connection pool must not cross
  loops, so each loop gets its own client. At most `MAX_IN_FLIGHT` requests are handed to the pool at
  once; the others wait their turn outside it (see `MAX_IN_FLIGHT`).
- `RemoteJWKS`: the auth service's JWKS, fetched once, cached by `kid`, refetched when an unknown `kid`
  shows up (a rotation) but at most once per `jwks_refetch_interval` (so a flood of forged `kid`s
  cannot turn into a flood of JWKS fetches); concurrent callers share one fetch in flight. The
  revocation feed (`stubs.revocations`) tells it which keys were removed and when each retired key's
  grace period ends, so a removed key stops validating at once although it is still cached.
- `ServiceTokens`: client-credentials tokens for this service, cached until shortly before expiry.

Revocation is not asked per request (no introspection call on the request path): the resource
services follow the auth service's revocation feed instead (`stubs.revocations`).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

import httpx
import jwt

from stubs.settings import PeerSettings

#: Marks service-to-service calls, so that a test counting what a gate sent can tell them apart.
PEER_USER_AGENT = "contractgate-stub-peer"


class PeerUnavailable(Exception):
    """A dependency did not answer as its contract says; the caller answers 503."""


#: Requests one client hands to its connection pool at once, and the pool's size (all kept alive, so
#: none is closed and reopened). httpcore's pool walks its queued requests and its connections whenever
#: a request starts or ends, so a thousand requests queued on it (a thousand WebSocket subscriptions
#: polling the backend) cost CPU quadratically: the process starved, requests timed out waiting for a
#: connection, and a client was told its own run does not exist (found by benchmarks/soak.py). Waiting
#: on a semaphore costs the same for one waiter or a thousand; on loopback 20 connections keep a
#: single-threaded server busy.
MAX_IN_FLIGHT = 20


class PeerClient:
    def __init__(self, base_url: str, settings: PeerSettings) -> None:
        self.base_url = base_url.rstrip("/")
        self._factory = settings.client_factory
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            if self._factory is not None:
                client = self._factory(self.base_url)
            else:
                client = httpx.AsyncClient(
                    base_url=self.base_url,
                    timeout=5.0,
                    limits=httpx.Limits(
                        max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT
                    ),
                    trust_env=False,
                    headers={"User-Agent": PEER_USER_AGENT},
                )
            self._clients[loop] = client
        return client

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(MAX_IN_FLIGHT)
        try:
            async with slots:  # the timeout starts once the request has a connection to itself
                return await self._client().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PeerUnavailable(f"{method} {self.base_url}{path}: {type(exc).__name__}") from None

    async def aclose(self) -> None:
        clients = list(self._clients.values())
        self._clients.clear()
        for client in clients:
            try:
                await client.aclose()
            except RuntimeError:  # a client of a loop that is already closed
                pass


class RemoteJWKS:
    """A `KeySource` backed by the auth service's `/.well-known/jwks.json`."""

    def __init__(self, auth: PeerClient, settings: PeerSettings) -> None:
        self._auth = auth
        self._interval = settings.jwks_refetch_interval
        self._clock = settings.clock
        self._keys: dict[str, Any] = {}
        #: kid → end of its grace period, and the kids removed for good (never taken back from a fetch
        #: that was already under way when the feed said so).
        self._until: dict[str, float] = {}
        self._gone: set[str] = set()
        self._fetched_at = float("-inf")
        self._inflight: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self.fetches = 0

    async def get(self, kid: str) -> Any | None:
        key = self._keys.get(kid)
        if key is None:
            await self._refresh_if_due()
            key = self._keys.get(kid)
            if key is None:
                return None
        until = self._until.get(kid)
        if until is not None and self._clock() >= until:
            return None
        return key

    def restrict(self, valid: dict[str, float | None]) -> list[str]:
        """Only the keys of `valid` (kid → end of grace, or None) stay; returns the kids removed."""
        self._until = {kid: until for kid, until in valid.items() if until is not None}
        removed = [kid for kid in self._keys if kid not in valid]
        self._gone.update(removed)
        self._keys = {kid: key for kid, key in self._keys.items() if kid in valid}
        return removed

    def removed(self, kid: str) -> bool:
        until = self._until.get(kid)
        return kid in self._gone or (until is not None and self._clock() >= until)

    async def _refresh_if_due(self) -> None:
        """One fetch at a time: callers that arrive while it runs wait for it rather than failing
        (a cold cache under concurrent requests must not answer "unknown key id")."""
        loop = asyncio.get_running_loop()
        pending = self._inflight.get(loop)
        if pending is None:
            if time.monotonic() - self._fetched_at < self._interval:
                return
            pending = loop.create_task(self.refresh())
            self._inflight[loop] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(loop, None))
        await asyncio.shield(pending)

    async def refresh(self) -> None:
        self._fetched_at = time.monotonic()
        response = await self._auth.request("GET", "/.well-known/jwks.json")
        if response.status_code != 200:
            raise PeerUnavailable(f"JWKS answered {response.status_code}")
        self.fetches += 1
        keys: dict[str, Any] = {}
        for entry in response.json().get("keys", []):
            try:
                jwk = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue
            if entry.get("kid") and entry["kid"] not in self._gone:
                keys[entry["kid"]] = jwk.key
        # Keys missing from the new set are gone: a removed rotation key must stop validating.
        self._keys = keys


class ServiceTokens:
    """This service's own client-credentials tokens, one per (audience, scope)."""

    def __init__(self, auth: PeerClient, settings: PeerSettings) -> None:
        self._auth = auth
        self._settings = settings
        self._cache: dict[tuple[str, str], tuple[str, float]] = {}

    async def get(self, audience: str, scope: str) -> str:
        cached = self._cache.get((audience, scope))
        now = self._settings.clock()
        if cached and cached[1] - 30 > now:
            return cached[0]
        response = await self._auth.request(
            "POST",
            "/v2/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self._settings.client_id,
                "client_secret": self._settings.client_secret,
                "audience": audience,
                "scope": scope,
            },
        )
        if response.status_code != 200:
            raise PeerUnavailable(f"service token for {audience} answered {response.status_code}")
        body = response.json()
        token = str(body["access_token"])
        self._cache[(audience, scope)] = (token, now + float(body.get("expires_in", 60)))
        return token

    def forget(self, audience: str, scope: str) -> None:
        self._cache.pop((audience, scope), None)
