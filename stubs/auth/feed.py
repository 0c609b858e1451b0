"""The auth service's revocation feed: how resource services learn of revocations without asking.

Real platforms do not introspect every token on every request: each resource service checks the
signature locally and keeps a *denylist* of revoked `jti`s (each until its `exp`), which the identity
provider pushes to it. This stub does the same over one WebSocket per subscribing service:

    GET /_contractgate/revocations   (upgrade; a service token for audience `auth` with the
                                      `auth:introspect` scope: whoever may ask about a token may be told)

    server → client  {"seq": n, "snapshot": true,  "jti": {jti: until}, "sid": {sid: until},
                      "keys": {kid: until | null}}                    first, the whole current state
    server → client  {"seq": n, "snapshot": false, "jti": {...}, "sid": {...}} or {..., "keys": {...}}
    client → server  {"ack": n}                                       after applying everything up to n

`jti` entries are revoked access tokens, `sid` entries revoked sessions (refresh-token families; any
access token carrying that `sid` is refused), each until the time after which no such token can be
valid anyway. `keys` is the full set of signing keys still valid, with the end of each one's grace
period: a key missing from it was removed, and tokens it signed must fail.

"At once for every service" (RFC 7009 revocation, logout, refresh reuse) is kept by acknowledgement:
`SettleRevocations` holds back the HTTP answer of any request during which a change was published until
every connected subscriber has acknowledged it — so a client that revoked a token and then calls any
service is refused on its very next request. The wait is bounded (`SETTLE_TIMEOUT`), and answers of
requests that published nothing never wait, so a stuck subscriber cannot hold the auth service
hostage (the keep-alive pings drop it within seconds). Acknowledgements take about a millisecond on
loopback; the bound is for a machine too busy to schedule the subscriber. A resource service that is
not connected to the feed cannot know what was revoked and answers 503 (`stubs.revocations`).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from stubs.auth.access import introspecting_service
from stubs.problems import Problem
from stubs.revocations import FEED_PATH

#: The longest an auth answer waits for subscribers to acknowledge what its request revoked.
SETTLE_TIMEOUT = 1.0

Snapshot = Callable[[], dict[str, Any]]


class Subscriber:
    """One connected resource service: the changes still to send it, and what it has applied."""

    def __init__(self, loop: asyncio.AbstractEventLoop, acked: int) -> None:
        self.loop = loop
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acked = acked

    def push(self, message: dict[str, Any]) -> None:
        """Queue a change; publishers may run on another thread (an in-process call on its own loop)."""
        try:
            same_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self.outbox.put_nowait(message)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, message)


class RevocationFeed:
    """Numbered changes to the denylist and the key set, fanned out to every subscriber."""

    def __init__(self, snapshot: Snapshot, *, settle_timeout: float = SETTLE_TIMEOUT) -> None:
        self._snapshot = snapshot
        self.settle_timeout = settle_timeout
        self.seq = 0
        #: Every subscriber has applied the changes up to here.
        self.settled = 0
        self._subscribers: set[Subscriber] = set()
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._lock = threading.Lock()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    @property
    def unsettled(self) -> bool:
        return self.settled < self.seq

    def publish(self, **change: dict[str, Any]) -> None:
        """Send one change (`jti=`, `sid=`, `keys=`) to every subscriber."""
        with self._lock:
            self.seq += 1
            message: dict[str, Any] = {"seq": self.seq, "snapshot": False, **change}
            subscribers = list(self._subscribers)
            if not subscribers:
                self.settled = self.seq
        for subscriber in subscribers:
            subscriber.push(message)

    def subscribe(self) -> tuple[Subscriber, dict[str, Any]]:
        """A new subscriber and the snapshot to send it first.

        Registering and reading the state happen under the publishers' lock: a change made before is
        in the snapshot, a change published after is queued for the subscriber (a change made before
        but published after is in both, and applying it twice changes nothing).
        """
        with self._lock:
            subscriber = Subscriber(asyncio.get_running_loop(), self.seq)
            self._subscribers.add(subscriber)
            snapshot = {"seq": self.seq, "snapshot": True, **self._snapshot()}
        return subscriber, snapshot

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)
        self._recompute()

    def ack(self, subscriber: Subscriber, seq: int) -> None:
        subscriber.acked = max(subscriber.acked, min(seq, self.seq))
        self._recompute()

    def _recompute(self) -> None:
        with self._lock:
            self.settled = min((s.acked for s in self._subscribers), default=self.seq)
            ready = [w for w in self._waiters if w[0] <= self.settled]
            self._waiters = [w for w in self._waiters if w[0] > self.settled]
        for _, loop, future in ready:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, future)

    async def settle(self, seq: int | None = None) -> bool:
        """Wait until every subscriber applied change `seq` (default: the latest), bounded; True if so."""
        target = self.seq if seq is None else seq
        loop = asyncio.get_running_loop()
        with self._lock:
            if self.settled >= target:
                return True
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.append((target, loop, future))
        try:
            await asyncio.wait_for(future, self.settle_timeout)
        except TimeoutError:
            with self._lock:
                self._waiters = [w for w in self._waiters if w[2] is not future]
            return False
        return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class SettleRevocations:
    """ASGI middleware: an HTTP answer leaves only once every subscriber knows what was revoked while
    its request ran."""

    def __init__(self, app: ASGIApp, *, feed: RevocationFeed) -> None:
        self.app = app
        self.feed = feed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        feed = self.feed
        before = feed.seq

        async def send_settled(message: Message) -> None:
            if message["type"] == "http.response.start" and feed.seq != before and feed.unsettled:
                await feed.settle()
            await send(message)

        await self.app(scope, receive, send_settled)


def _encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def feed_route(feed: RevocationFeed) -> WebSocketRoute:
    """The subscription endpoint: the snapshot, then every change; acknowledgements come back."""

    async def follow(websocket: WebSocket) -> None:
        try:
            introspecting_service(websocket)
        except Problem as problem:
            await websocket.send_denial_response(problem.response(websocket.url.path))
            return
        await websocket.accept()
        subscriber, snapshot = feed.subscribe()

        async def write() -> None:
            await websocket.send_text(_encode(snapshot))
            while True:
                await websocket.send_text(_encode(await subscriber.outbox.get()))

        writer = asyncio.create_task(write(), name="revocation-feed-writer")
        try:
            while True:
                try:
                    ack = json.loads(await websocket.receive_text()).get("ack")
                except (ValueError, AttributeError):
                    continue  # not an acknowledgement: nothing to learn from it
                if isinstance(ack, int):
                    feed.ack(subscriber, ack)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            feed.unsubscribe(subscriber)
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)

    return WebSocketRoute(FEED_PATH, follow)
