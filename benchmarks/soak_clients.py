"""The WebSocket half of the soak: many clients at once, each following a run and checking every `seq`.

Each client, as `contracts/asyncapi/websocket.yaml` describes a server client: asks the auth stub for
its own tokens (audience `websocket` for the handshake, `backend` for the REST calls; the demo users take
turns), connects with `Authorization: Bearer`, reads `welcome`, and waits until every client is
connected (so they really are open at the same time). Then it creates a thread and a run, subscribes to
the run, and reads until the run's final status event, checking:

- the session's `seq`: 1 for `welcome`, then +1 on every server message (heartbeats included);
- the run's `event_seq`: 1, 2, … up to the run's last event, which is the final status;
- `subscribed` answers the `subscribe` by its `id`.

A number out of line is counted as lost (a gap), duplicated (seen before) or reordered (smaller than
one already seen, filling a gap). A client that cannot connect, is refused, gets an `error` or does not
reach the final event in time is a failure, named.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stubs.demo import USERS  # noqa: E402

FINAL = frozenset({"completed", "cancelled"})
#: REST calls (tokens, threads, runs) the clients have in flight at once: more only queue at the
#: backend ahead of the WebSocket stub's own calls, whose answers must come within its 5 s timeout.
REST_WIDTH = 16


@dataclass
class Sequence:
    """Numbers that must come as 1, 2, 3, …; what came otherwise is counted."""

    last: int = 0
    seen: set[int] = field(default_factory=set)
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0

    def add(self, n: int) -> None:
        if n in self.seen:
            self.duplicated += 1
            return
        self.seen.add(n)
        if n < self.last:  # fills a gap counted as lost when the larger one came
            self.reordered += 1
            self.lost -= 1
        elif n > self.last + 1:
            self.lost += n - self.last - 1
        self.last = max(self.last, n)

    def merge(self, other: Sequence) -> None:
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.reordered += other.reordered


@dataclass
class WsFigures:
    clients: int
    expected_events: int
    connected: int = 0
    peak: int = 0
    completed: int = 0
    messages: int = 0
    run_events: int = 0
    seconds: float = 0.0
    session: Sequence = field(default_factory=Sequence)
    events: Sequence = field(default_factory=Sequence)
    failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        """The figures as JSON-ready data (what the soak's main process reads)."""
        data = asdict(self)
        data["failures"] = dict(self.failures)
        for name in ("session", "events"):
            data[name].pop("seen")
            data[name].pop("last")
        data["problems"] = self.problems()
        return data

    def problems(self) -> int:
        """Numbers out of line, and clients that did not see it through (`failures` says why)."""
        lost = self.session.lost + self.events.lost
        twice = self.session.duplicated + self.events.duplicated
        order = self.session.reordered + self.events.reordered
        return lost + twice + order + (self.clients - self.completed)


class Crowd:
    """Where the clients meet: how many are open, the peak, the start signal, the streams allowed at
    once, and the end signal (every client stays connected, checking `seq`, until all are done)."""

    def __init__(self, size: int, streams: int) -> None:
        self.size = size
        self.open = 0
        self.peak = 0
        self.arrived = 0
        self.connected = 0
        self.finished = 0
        self.all_in = asyncio.Event()
        self.all_done = asyncio.Event()
        self.streams = asyncio.Semaphore(streams)

    def arrive(self, connected: bool) -> None:
        if connected:
            self.connected += 1
            self.open += 1
            self.peak = max(self.peak, self.open)
        self.arrived += 1
        if self.arrived == self.size:
            self.all_in.set()

    def finish(self) -> None:
        self.finished += 1
        if self.finished == self.size:
            self.all_done.set()

    def leave(self) -> None:
        self.open -= 1


class Rest:
    """The clients' REST calls (tokens, threads, runs) over one connection pool, `width` at a time:
    httpcore's pool does work per queued request on every change, so a thousand requests queued on it
    at once make the client, not the stubs, the bottleneck."""

    def __init__(self, client: httpx.AsyncClient, width: int) -> None:
        self._client = client
        self._slots = asyncio.Semaphore(width)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        async with self._slots:
            return await self._client.post(url, **kwargs)


async def token(http: Rest, auth_url: str, index: int, audience: str) -> str:
    user = USERS[index % len(USERS)]
    form = {"grant_type": "password", "username": user.email, "password": user.password, "audience": audience}
    response = await http.post(f"{auth_url}/v2/auth/token", data=form)
    if response.status_code != 200:
        raise ClientFailure(f"token {audience}: HTTP {response.status_code}")
    return str(response.json()["access_token"])


class ClientFailure(Exception):
    """What went wrong for one client, in a few words (the figures count them by kind)."""


async def start_run(http: Rest, backend_url: str, bearer: str, index: int) -> str:
    headers = {"Authorization": f"Bearer {bearer}"}
    thread = await http.post(f"{backend_url}/v2/threads", json={"name": f"soak {index}"}, headers=headers)
    if thread.status_code != 201:
        raise ClientFailure(f"create thread: HTTP {thread.status_code}")
    run = await http.post(
        f"{backend_url}/v2/threads/{thread.json()['id']}/runs", json={"input": "soak"}, headers=headers
    )
    if run.status_code != 202:
        raise ClientFailure(f"create run: HTTP {run.status_code}")
    return str(run.json()["id"])


async def one_client(index: int, urls: dict[str, str], http: Rest, crowd: Crowd, figures: WsFigures) -> None:
    session, events = Sequence(), Sequence()
    connected = finished = False
    stage = "tokens"
    try:
        ws_token = await token(http, urls["auth"], index, "websocket")
        backend_token = await token(http, urls["auth"], index, "backend")
        stage = "handshake"
        async with connect(
            f"{urls['ws']}/ws",
            additional_headers={"Authorization": f"Bearer {ws_token}"},
            open_timeout=120,
            ping_interval=None,
            max_queue=None,
        ) as socket:
            connected = True
            crowd.arrive(True)
            try:
                stage = "welcome"
                welcome = json.loads(await socket.recv())
                if welcome.get("type") != "welcome" or welcome.get("seq") != 1:
                    raise ClientFailure("first message is not welcome seq 1")
                session.add(1)
                figures.messages += 1
                await crowd.all_in.wait()
                async with crowd.streams:
                    stage = "creating the run"
                    run_id = await start_run(http, urls["backend"], backend_token, index)
                    stage = "following the run"
                    subscribe_id = f"sub-{index}"
                    message = {"type": "subscribe", "id": subscribe_id, "payload": {"run_id": run_id}}
                    await socket.send(json.dumps(message))
                    await follow(socket, subscribe_id, session, events, figures)
                if events.last != figures.expected_events:
                    raise ClientFailure(
                        f"final event at event_seq {events.last}, not {figures.expected_events}"
                    )
                crowd.finish()
                finished = True
                stage = "waiting for the others"
                await linger(socket, session, figures, crowd.all_done)
                figures.completed += 1
            finally:
                crowd.leave()
    except ClientFailure as exc:
        figures.failures[str(exc)] += 1
    except (OSError, WebSocketException, TimeoutError, httpx.HTTPError) as exc:
        cause = exc.__cause__ or exc.__context__
        why = f"{exc}" or (repr(cause) if cause is not None else "")
        figures.failures[f"{type(exc).__name__} while {stage}: {why[:80]}"] += 1
    finally:
        if not connected:
            crowd.arrive(False)
        if not finished:
            crowd.finish()
        figures.session.merge(session)
        figures.events.merge(events)


async def linger(socket: Any, session: Sequence, figures: WsFigures, all_done: asyncio.Event) -> None:
    """Stay connected until every client is done, still checking each message's `seq` (heartbeats)."""
    while not all_done.is_set():
        try:
            frame = await asyncio.wait_for(socket.recv(), 0.5)  # recv() may be cancelled without loss
        except TimeoutError:
            continue
        message = json.loads(frame)
        figures.messages += 1
        session.add(int(message["seq"]))
        if message["type"] == "error":
            raise ClientFailure(f"error {message['payload'].get('code')} while waiting")


async def follow(
    socket: Any, subscribe_id: str, session: Sequence, events: Sequence, figures: WsFigures
) -> None:
    subscribed = False
    while True:
        message = json.loads(await socket.recv())
        figures.messages += 1
        session.add(int(message["seq"]))
        kind, payload = message["type"], message["payload"]
        if kind == "subscribed":
            if message["id"] != subscribe_id:
                raise ClientFailure("subscribed answers another id")
            subscribed = True
        elif kind == "run.event":
            if not subscribed:
                raise ClientFailure("run.event before subscribed")
            figures.run_events += 1
            events.add(int(payload["event_seq"]))
            if payload["event"] == "status" and payload["data"].get("status") in FINAL:
                return
        elif kind == "error":
            raise ClientFailure(f"error {payload.get('code')}: {payload.get('message')}")


async def run_clients(
    *,
    auth_url: str,
    backend_url: str,
    ws_url: str,
    clients: int,
    streams: int,
    expected_events: int,
    timeout: float,
) -> WsFigures:
    figures = WsFigures(clients=clients, expected_events=expected_events)
    crowd = Crowd(clients, streams)
    urls = {"auth": auth_url, "backend": backend_url, "ws": ws_url}
    limits = httpx.Limits(max_connections=REST_WIDTH, max_keepalive_connections=REST_WIDTH)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=120, limits=limits, trust_env=False) as client:
        http = Rest(client, REST_WIDTH)
        tasks = [asyncio.create_task(one_client(i, urls, http, crowd, figures)) for i in range(clients)]
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            figures.failures[f"not finished within {timeout:g} s"] += len(pending)
    figures.seconds = time.monotonic() - started
    figures.connected = crowd.connected
    figures.peak = crowd.peak
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description="WebSocket clients of the soak; prints their figures as JSON"
    )
    parser.add_argument("--auth-url", required=True)
    parser.add_argument("--backend-url", required=True)
    parser.add_argument("--ws-url", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=100, help="runs being created and followed at once")
    parser.add_argument(
        "--expected-events", type=int, required=True, help="events of each run, final included"
    )
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * args.clients + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
        )
    figures = asyncio.run(
        run_clients(
            auth_url=args.auth_url,
            backend_url=args.backend_url,
            ws_url=args.ws_url,
            clients=args.clients,
            streams=args.streams,
            expected_events=args.expected_events,
            timeout=args.timeout,
        )
    )
    print(json.dumps(figures.summary()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
