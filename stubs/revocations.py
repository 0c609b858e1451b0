"""A resource service's view of revocations: the auth service's feed, followed, as a local denylist.

The backend and WebSocket stubs check tokens locally (signature against the cached JWKS, claims,
times) and look revocation up in memory: `RevocationFollower` keeps one WebSocket open to the auth
service's feed (`stubs.auth.feed`), applies each change — revoked `jti`s and sessions, each until
the time no such token can be valid anyway, and the set of signing keys still valid — and
acknowledges it, which is what lets the auth service answer a revocation only once every follower
knows. So a request costs a dictionary lookup, not a call to the auth service.

Failing closed: until the first snapshot has arrived a request waits for it (`feed_wait`), and
while the feed is lost (the auth service went away or stopped answering keep-alive pings) every
token check raises `PeerUnavailable` — a 503, because the service cannot know what was revoked
meanwhile. The follower reconnects on its own and is live again with the next snapshot.

Open connections (the WebSocket stub's) `watch` their token: when it is revoked, its session is
revoked or its signing key removed, the watcher is called — before the change is acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from stubs.peers import PEER_USER_AGENT, PeerClient, PeerUnavailable, RemoteJWKS, ServiceTokens
from stubs.settings import PeerSettings
from stubs.tokens import Principal

#: Where the auth service serves the feed, and what a follower's service token must carry for it.
FEED_PATH = "/_contractgate/revocations"
FEED_AUDIENCE = "auth"
FEED_SCOPE = "auth:introspect"
#: Denylist entries are dropped this long after the token they deny could no longer be valid.
_PRUNE_EVERY = 60.0

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _Watch:
    loop: asyncio.AbstractEventLoop
    on_revoked: Callable[[], None]
    keys: tuple[tuple[str, str], ...]

    def fire(self) -> None:
        try:
            same_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self.on_revoked()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.on_revoked)


class RevocationFollower:
    """The denylist of one resource service, kept up to date from the auth service's feed."""

    def __init__(
        self, auth: PeerClient, tokens: ServiceTokens, jwks: RemoteJWKS, settings: PeerSettings
    ) -> None:
        self._url = "ws" + auth.base_url.removeprefix("http") + FEED_PATH
        self._tokens = tokens
        self._jwks = jwks
        self._settings = settings
        self._clock = settings.clock
        self.denied_jti: dict[str, float] = {}
        self.denied_sid: dict[str, float] = {}
        #: True while connected and up to date; `synced` once the first snapshot of a run arrived.
        self.live = False
        self.synced = False
        self.seq = -1
        self._task: asyncio.Task[None] | None = None
        self._watches: dict[tuple[str, str], set[_Watch]] = {}
        self._pruned_at = time.monotonic()

    # -- the request path -------------------------------------------------------------------------
    async def is_revoked(self, token: str, claims: dict[str, Any]) -> bool:
        """The `RevocationCheck` of the service's `AccessTokenValidator`."""
        if not self.live:
            await self._until_live()
        if str(claims.get("jti")) in self.denied_jti:
            return True
        sid = claims.get("sid")
        return sid is not None and str(sid) in self.denied_sid

    async def _until_live(self) -> None:
        self.start()
        if self.synced:
            raise PeerUnavailable("the revocation feed of the auth service was lost")
        deadline = time.monotonic() + self._settings.feed_wait
        while not self.live:
            if self.synced or time.monotonic() > deadline:
                raise PeerUnavailable("the revocation feed of the auth service did not answer")
            await asyncio.sleep(0.005)

    # -- lifetime ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Follow the feed from the running loop, unless a follower already runs on a live loop."""
        task = self._task
        if task is not None and not task.done() and task.get_loop().is_running():
            return
        self.synced = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="revocation-follower")

    async def stop(self) -> None:
        task, self._task = self._task, None
        self.live = False
        if task is not None and task.get_loop() is asyncio.get_running_loop():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        delay = 0.02
        while True:
            try:
                await self._follow()
                delay = 0.02
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the auth service is away or refused us: retry, fail closed meanwhile
                logger.debug("revocation feed: %s", exc)
            finally:
                self.live = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _follow(self) -> None:
        token = await self._tokens.get(FEED_AUDIENCE, FEED_SCOPE)
        try:
            async with connect(
                self._url,
                additional_headers={"Authorization": f"Bearer {token}"},
                user_agent_header=PEER_USER_AGENT,
                proxy=None,
                open_timeout=5,
                close_timeout=1,
                ping_interval=None,  # see _keepalive
                max_size=None,
            ) as feed:
                keepalive = asyncio.create_task(self._keepalive(feed), name="revocation-feed-keepalive")
                try:
                    async for frame in feed:
                        message = json.loads(frame)
                        self.apply(message)
                        await feed.send(json.dumps({"ack": message["seq"]}))
                finally:
                    keepalive.cancel()
        except InvalidStatus as refused:
            if refused.response.status_code == 401:  # our own token was rotated out or revoked
                self._tokens.forget(FEED_AUDIENCE, FEED_SCOPE)
            raise

    async def _keepalive(self, feed: ClientConnection) -> None:
        """Ping the auth service; no pong within the interval means the feed is lost.

        websockets' own keep-alive draws its ping payloads from the global `random`, which would
        disturb whatever else in the process relies on it (Hypothesis refuses to run when it is
        touched during generation); a counter is as good a payload.
        """
        interval = self._settings.feed_ping_interval
        for count in itertools.count():
            await asyncio.sleep(interval)
            pong = await feed.ping(count.to_bytes(8, "big"))
            try:
                await asyncio.wait_for(pong, interval)
            except TimeoutError:
                await feed.close(1011, "keepalive ping timeout")
                return

    # -- changes ----------------------------------------------------------------------------------
    def apply(self, message: dict[str, Any]) -> None:
        """One message of the feed: a snapshot replaces what was known, a change adds to it."""
        jti = {str(k): float(v) for k, v in (message.get("jti") or {}).items()}
        sid = {str(k): float(v) for k, v in (message.get("sid") or {}).items()}
        if message.get("snapshot"):
            self.denied_jti, self.denied_sid = jti, sid
        else:
            self.denied_jti.update(jti)
            self.denied_sid.update(sid)
        keys = message.get("keys")
        removed = self._jwks.restrict(keys) if isinstance(keys, dict) else []
        for found in (("jti", j) for j in jti), (("sid", s) for s in sid), (("kid", k) for k in removed):
            for key in found:
                for watch in list(self._watches.get(key, ())):
                    watch.fire()
        self.seq = int(message["seq"])
        self.live = self.synced = True
        if time.monotonic() - self._pruned_at > _PRUNE_EVERY:
            self._prune()

    def _prune(self) -> None:
        horizon = self._clock() - self._settings.leeway_seconds
        self.denied_jti = {k: v for k, v in self.denied_jti.items() if v > horizon}
        self.denied_sid = {k: v for k, v in self.denied_sid.items() if v > horizon}
        self._pruned_at = time.monotonic()

    # -- open connections -------------------------------------------------------------------------
    def watch(self, principal: Principal, on_revoked: Callable[[], None]) -> Callable[[], None]:
        """Call `on_revoked` (on the caller's loop) once the token of `principal` stops being valid
        by revocation or key removal; returns the function that stops watching."""
        keys: list[tuple[str, str]] = [("jti", principal.jti)]
        if principal.claims.get("sid") is not None:
            keys.append(("sid", str(principal.claims["sid"])))
        if principal.key_id is not None:
            keys.append(("kid", principal.key_id))
        watch = _Watch(asyncio.get_running_loop(), on_revoked, tuple(keys))
        for key in watch.keys:
            self._watches.setdefault(key, set()).add(watch)
        # Revoked between the handshake's check and now: say so at once.
        claims = principal.claims
        if (
            principal.jti in self.denied_jti
            or str(claims.get("sid")) in self.denied_sid
            or (principal.key_id is not None and self._jwks.removed(principal.key_id))
        ):
            watch.fire()

        def unwatch() -> None:
            for key in watch.keys:
                watchers = self._watches.get(key)
                if watchers is not None:
                    watchers.discard(watch)
                    if not watchers:
                        self._watches.pop(key, None)

        return unwatch
