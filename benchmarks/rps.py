"""Throughput of each stub endpoint, side by side with bare Starlette and with `pact stub`, in one run.

Rows: auth `GET /.well-known/jwks.json`, auth `GET /v2/auth/userinfo` (bearer), backend `GET /health`,
backend `GET /v2/users/me` (bearer), backend `GET /v2/threads` (bearer, an authenticated list of five
threads), WebSocket ping→pong round trips and WebSocket handshakes (bearer token, `welcome`).

- *bare*: `benchmarks/baseline.py`, bare Starlette on the stubs' own server setup (uvicorn, one worker):
  `GET /hello` for the HTTP rows, a WebSocket that greets and answers pings for the WebSocket rows.
- *pact stub*: for each HTTP row, `pact stub` serving a one-interaction pact of the very same request
  (path, `Authorization` header) and the very answer the stub just gave (status, content type, body),
  so both servers send the same bytes; the canned-answer server a consumer team could use instead.
  `pact stub` serves no WebSocket, so the WebSocket rows have no pact figure.

Same load for every row of a run: wrk, one thread, 32 connections, `--seconds` per figure for HTTP;
16 client connections (round trips) or 8 concurrent clients (handshakes) of the `websockets` library
for WebSocket rows. Two figures per row: operations per second, and the *server's CPU time per
operation* (its process's user + system time over the run, from `/proc`, divided by what it served).
The rate depends on everything else the machine runs; the CPU cost barely does, and it is the cost
that bounds a server's rate on a core of its own — read the `cpu` ratios when the machine is busy,
and for the handshake rows, whose rate a Python client bounds as much as the server. With
`--rounds N` every figure is taken N times, rows interleaved, and the median is shown. Servers are
separate processes; the load generator shares the cores. (`pact stub` runs on several threads; the
Python servers on one.)

Needs, and installs none of: `wrk` (Debian: `apt-get install wrk`) for the HTTP rows, and `pact`
from pact-python-cli (a dependency, in the venv) for the pact-stub column. Whatever is missing is
skipped with a line that names it.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from benchmarks.servers import Served, cpu_seconds, pact_binary, served_baseline, served_pact, served_stubs

WRK = ["wrk", "-t1", "-c32"]
ROUND_TRIP_CLIENTS = 16
HANDSHAKE_CLIENTS = 8


@dataclass
class Figure:
    """One thing measured over the rounds: rates, server CPU per operation, non-2xx answers and errors."""

    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0

    @property
    def cpu_us(self) -> float:
        return statistics.median(self.cpu) * 1e6 if self.cpu else 0.0

    def measure(self, server: Served, run: Callable[[], tuple[int, float, int]]) -> None:
        """`run` returns (operations, seconds, errors); the server's CPU time is read around it."""
        before = cpu_seconds(server.pid)
        operations, seconds, errors = run()
        after = cpu_seconds(server.pid)
        self.rates.append(operations / seconds if seconds else 0.0)
        if before is not None and after is not None and operations:
            self.cpu.append((after - before) / operations)
        self.errors += errors


def wrk(url: str, seconds: float, headers: dict[str, str]) -> tuple[int, float, int]:
    """Requests served, over how long, and the count of non-2xx answers and socket errors."""
    command = [*WRK, f"-d{seconds:g}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    if done is None:
        return 0, seconds, errors + 1
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    return int(done.group(1)), float(done.group(2)) * scale, errors


def _pact(
    service: str, label: str, path: str, headers: dict[str, str], answer: httpx.Response
) -> dict[str, Any]:
    """A V4 pact of one interaction: this request, answered exactly as the stub answered it."""
    request: dict[str, Any] = {"method": "GET", "path": path}
    if headers:
        request["headers"] = {name: [value] for name, value in headers.items()}
    content_type = answer.headers.get("content-type", "application/json")
    return {
        "consumer": {"name": "benchmark"},
        "provider": {"name": service},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": label,
                "request": request,
                "response": {
                    "status": answer.status_code,
                    "headers": {"Content-Type": [content_type]},
                    "body": {"content": answer.json(), "contentType": content_type, "encoded": False},
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


@dataclass
class HttpRow:
    label: str
    service: str
    path: str
    headers: dict[str, str]
    stub: Figure = field(default_factory=Figure)
    pact: Figure = field(default_factory=Figure)
    pact_server: Served | None = None


def _token(auth: str, audience: str) -> str:
    answer = httpx.post(
        f"{auth}/v2/auth/token",
        data={
            "grant_type": "password",
            "username": "alice@example.com",
            "password": "alice-password",
            "audience": audience,
        },
        trust_env=False,
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _http_rows(urls: dict[str, str]) -> list[HttpRow]:
    auth, backend = urls["auth-service"], urls["backend-service"]
    bearer = {"Authorization": f"Bearer {_token(auth, 'backend')}"}
    for n in range(5):
        created = httpx.post(
            f"{backend}/v2/threads", json={"name": f"thread {n}"}, headers=bearer, trust_env=False
        )
        created.raise_for_status()
    return [
        HttpRow("auth GET /.well-known/jwks.json", "auth-service", "/.well-known/jwks.json", {}),
        HttpRow("auth GET /v2/auth/userinfo (bearer)", "auth-service", "/v2/auth/userinfo", bearer),
        HttpRow("backend GET /health", "backend-service", "/health", {}),
        HttpRow("backend GET /v2/users/me (bearer)", "backend-service", "/v2/users/me", bearer),
        HttpRow("backend GET /v2/threads (bearer, 5 items)", "backend-service", "/v2/threads", bearer),
    ]


async def _round_trips(ws_url: str, headers: dict[str, str], seconds: float) -> int:
    from websockets.asyncio.client import connect

    async def client(deadline: float) -> int:
        done = 0
        async with connect(ws_url, additional_headers=headers, proxy=None, ping_interval=None) as socket_:
            await socket_.recv()  # welcome
            while time.perf_counter() < deadline:
                await socket_.send(json.dumps({"type": "ping", "id": f"p{done}", "payload": {}}))
                while json.loads(await socket_.recv()).get("type") != "pong":
                    pass
                done += 1
        return done

    deadline = time.perf_counter() + seconds
    return sum(await asyncio.gather(*(client(deadline) for _ in range(ROUND_TRIP_CLIENTS))))


async def _handshakes(ws_url: str, headers: dict[str, str], seconds: float) -> int:
    from websockets.asyncio.client import connect

    async def client(deadline: float) -> int:
        done = 0
        while time.perf_counter() < deadline:
            async with connect(ws_url, additional_headers=headers, proxy=None, ping_interval=None) as socket_:
                await socket_.recv()  # welcome: the handshake was authenticated and served
            done += 1
        return done

    deadline = time.perf_counter() + seconds
    return sum(await asyncio.gather(*(client(deadline) for _ in range(HANDSHAKE_CLIENTS))))


def _timed(count: Callable[[], int]) -> tuple[int, float, int]:
    started = time.perf_counter()
    done = count()
    return done, time.perf_counter() - started, 0


def section_rps(seconds: float, rounds: int) -> list[str]:
    has_wrk = shutil.which("wrk") is not None
    has_pact = pact_binary() is not None
    lines = ["## 3. Throughput: each stub endpoint against bare Starlette and against `pact stub`"]
    lines.append(
        f"load: wrk -t1 -c32, {seconds:g} s per figure (HTTP); {ROUND_TRIP_CLIENTS} connections (round trips), "
        f"{HANDSHAKE_CLIENTS} clients (handshakes); median of {rounds} interleaved round(s); every server its "
        "own process, on the cores the load generator uses. /s: operations per second; cpu µs: the "
        "server's CPU time per operation; × ratios: higher is faster (rate, and inverse CPU cost)"
    )
    if not has_wrk:
        lines.append("skipped: every HTTP row — wrk is not installed (Debian: apt-get install wrk)")
    elif not has_pact:
        lines.append("skipped: the pact stub column — `pact` (pact-python-cli) is not in this environment")
    bare_http, bare_trips, bare_shakes = Figure(), Figure(), Figure()
    trips, shakes = Figure(), Figure()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        bare = stack.enter_context(served_baseline())
        stubs = stack.enter_context(served_stubs())
        urls = stubs.urls
        rows = _http_rows(urls) if has_wrk else []
        for index, row in enumerate(rows):
            answer = httpx.get(urls[row.service] + row.path, headers=row.headers, trust_env=False)
            assert answer.status_code == 200, f"{row.label}: {answer.status_code} {answer.text[:200]}"
            if has_pact:
                pact = Path(folder) / f"row{index}.json"
                pact.write_text(json.dumps(_pact(row.service, row.label, row.path, row.headers, answer)))
                row.pact_server = stack.enter_context(served_pact(pact))
                canned = httpx.get(row.pact_server.url + row.path, headers=row.headers, trust_env=False)
                assert canned.status_code == 200 and canned.json() == answer.json(), (
                    f"pact stub: {canned.text}"
                )
        ws_url = urls["websocket-service"].replace("http", "ws", 1) + "/ws"
        ws_headers = {"Authorization": f"Bearer {_token(urls['auth-service'], 'websocket')}"}
        bare_ws = bare.url.replace("http", "ws", 1) + "/ws"
        for _ in range(rounds):
            if has_wrk:
                bare_http.measure(bare, lambda: wrk(f"{bare.url}/hello", seconds, {}))
                for row in rows:
                    url = urls[row.service] + row.path
                    row.stub.measure(stubs, partial(wrk, url, seconds, row.headers))
                    if row.pact_server is not None:
                        pact_url = row.pact_server.url + row.path
                        row.pact.measure(row.pact_server, partial(wrk, pact_url, seconds, row.headers))
            bare_trips.measure(bare, lambda: _timed(lambda: asyncio.run(_round_trips(bare_ws, {}, seconds))))
            trips.measure(
                stubs, lambda: _timed(lambda: asyncio.run(_round_trips(ws_url, ws_headers, seconds)))
            )
            bare_shakes.measure(bare, lambda: _timed(lambda: asyncio.run(_handshakes(bare_ws, {}, seconds))))
            shakes.measure(
                stubs, lambda: _timed(lambda: asyncio.run(_handshakes(ws_url, ws_headers, seconds)))
            )
    lines += _table(bare_http, rows, (bare_trips, trips), (bare_shakes, shakes))
    return lines


def _ratio(figure: Figure, reference: Figure) -> str:
    rate = f"{figure.rate / reference.rate:.2f}" if figure.rate and reference.rate else "–"
    cpu = f"{reference.cpu_us / figure.cpu_us:.2f}" if figure.cpu_us and reference.cpu_us else "–"
    return f"{rate:>5} {cpu:>5}"


def _cells(figure: Figure) -> str:
    cpu = f"{figure.cpu_us:7.1f}" if figure.cpu else f"{'–':>7}"
    return f"{figure.rate:7.0f} {cpu}"


def _table(
    bare_http: Figure, rows: list[HttpRow], trips: tuple[Figure, Figure], shakes: tuple[Figure, Figure]
) -> list[str]:
    def flag(*figures: Figure) -> str:
        errors = sum(f.errors for f in figures)
        return f"  [{errors} non-2xx answers or socket errors]" if errors else ""

    header = (
        f"{'':<44} {'stub':>15} {'× bare':>11}   {'pact stub':>15} {'× pact stub':>11}\n"
        f"{'endpoint':<44} {'/s':>7} {'cpu µs':>7} {'/s':>5} {'cpu':>5}   {'/s':>7} {'cpu µs':>7} {'/s':>5} {'cpu':>5}"
    )
    lines = [*header.split("\n"), "-" * 106]
    if rows:
        lines.append(
            f"{'bare Starlette GET /hello':<44} {_cells(bare_http)} {'1.00':>5} {'1.00':>5}{flag(bare_http)}"
        )
    for row in rows:
        pact = f"{_cells(row.pact)} {_ratio(row.stub, row.pact)}" if row.pact.rates else "–"
        lines.append(
            f"{row.label:<44} {_cells(row.stub)} {_ratio(row.stub, bare_http)}   {pact}{flag(row.stub, row.pact)}"
        )
    for label, (bare, stub) in (("ping→pong round trips", trips), ("handshakes (token, welcome)", shakes)):
        lines.append(
            f"{'bare Starlette WS ' + label.split(' (')[0]:<44} {_cells(bare)} {'1.00':>5} {'1.00':>5}"
        )
        lines.append(
            f"{'websocket ' + label:<44} {_cells(stub)} {_ratio(stub, bare)}   n/a: pact stub serves no WebSocket"
        )
    return lines
