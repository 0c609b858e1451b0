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
for WebSocket rows — a Python client, so handshake figures are bounded by the client as much as by
the server (the ratio understates the difference). With `--rounds N` every figure is taken N times,
rows interleaved, and the median is shown: the machine may be busy, and interleaving spreads the
noise over every row alike. Servers are separate processes; the load generator shares the cores.

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
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.servers import pact_binary, served_baseline, served_pact, served_stubs

WRK = ["wrk", "-t1", "-c32"]
ROUND_TRIP_CLIENTS = 16
HANDSHAKE_CLIENTS = 8


@dataclass
class Figure:
    """Rates of one thing measured over the rounds, with any non-2xx answers it got."""

    rates: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


def wrk(url: str, seconds: float, headers: dict[str, str]) -> tuple[float, int]:
    """Requests per second and the count of non-2xx answers and socket errors."""
    command = [*WRK, f"-d{seconds:g}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return (float(rate.group(1)) if rate else 0.0), errors


def _pact(service: str, label: str, path: str, headers: dict[str, str], answer: httpx.Response) -> dict:
    """A V4 pact of one interaction: this request, answered exactly as the stub answered it."""
    request: dict = {"method": "GET", "path": path}
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
    pact_url: str | None = None


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


async def _round_trips(ws_url: str, headers: dict[str, str], seconds: float) -> float:
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
    return sum(await asyncio.gather(*(client(deadline) for _ in range(ROUND_TRIP_CLIENTS)))) / seconds


async def _handshakes(ws_url: str, headers: dict[str, str], seconds: float) -> float:
    from websockets.asyncio.client import connect

    async def client(deadline: float) -> int:
        done = 0
        while time.perf_counter() < deadline:
            async with connect(ws_url, additional_headers=headers, proxy=None, ping_interval=None) as socket_:
                await socket_.recv()  # welcome: the handshake was authenticated and served
            done += 1
        return done

    deadline = time.perf_counter() + seconds
    return sum(await asyncio.gather(*(client(deadline) for _ in range(HANDSHAKE_CLIENTS)))) / seconds


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:6.2f}x" if numerator and denominator else "     –"


def section_rps(seconds: float, rounds: int) -> list[str]:
    has_wrk = shutil.which("wrk") is not None
    has_pact = pact_binary() is not None
    lines = ["## 3. Requests per second: each stub endpoint against bare Starlette and against `pact stub`"]
    lines.append(
        f"load: wrk -t1 -c32, {seconds:g} s per figure (HTTP); {ROUND_TRIP_CLIENTS} connections (round trips), "
        f"{HANDSHAKE_CLIENTS} clients (handshakes); median of {rounds} interleaved round(s); "
        "every server its own process, on the cores the load generator uses"
    )
    if not has_wrk:
        lines.append("skipped: every HTTP row — wrk is not installed (Debian: apt-get install wrk)")
    elif not has_pact:
        lines.append("skipped: the pact stub column — `pact` (pact-python-cli) is not in this environment")
    bare_http, bare_trips, bare_shakes = Figure(), Figure(), Figure()
    trips, shakes = Figure(), Figure()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        bare = stack.enter_context(served_baseline())
        urls = stack.enter_context(served_stubs())
        rows = _http_rows(urls) if has_wrk else []
        for index, row in enumerate(rows):
            answer = httpx.get(urls[row.service] + row.path, headers=row.headers, trust_env=False)
            assert answer.status_code == 200, f"{row.label}: {answer.status_code} {answer.text[:200]}"
            if has_pact:
                pact = Path(folder) / f"row{index}.json"
                pact.write_text(json.dumps(_pact(row.service, row.label, row.path, row.headers, answer)))
                row.pact_url = stack.enter_context(served_pact(pact))
                canned = httpx.get(row.pact_url + row.path, headers=row.headers, trust_env=False)
                assert canned.status_code == 200 and canned.json() == answer.json(), (
                    f"pact stub: {canned.text}"
                )
        ws_url = urls["websocket-service"].replace("http", "ws", 1) + "/ws"
        ws_headers = {"Authorization": f"Bearer {_token(urls['auth-service'], 'websocket')}"}
        bare_ws = bare.replace("http", "ws", 1) + "/ws"
        for _ in range(rounds):
            if has_wrk:
                _add(bare_http, wrk(f"{bare}/hello", seconds, {}))
                for row in rows:
                    _add(row.stub, wrk(urls[row.service] + row.path, seconds, row.headers))
                    if row.pact_url is not None:
                        _add(row.pact, wrk(row.pact_url + row.path, seconds, row.headers))
            bare_trips.rates.append(asyncio.run(_round_trips(bare_ws, {}, seconds)))
            trips.rates.append(asyncio.run(_round_trips(ws_url, ws_headers, seconds)))
            bare_shakes.rates.append(asyncio.run(_handshakes(bare_ws, {}, seconds)))
            shakes.rates.append(asyncio.run(_handshakes(ws_url, ws_headers, seconds)))
    lines += _table(bare_http, rows, (bare_trips, trips), (bare_shakes, shakes))
    return lines


def _add(figure: Figure, measured: tuple[float, int]) -> None:
    figure.rates.append(measured[0])
    figure.errors += measured[1]


def _table(
    bare_http: Figure, rows: list[HttpRow], trips: tuple[Figure, Figure], shakes: tuple[Figure, Figure]
) -> list[str]:
    def flag(figure: Figure) -> str:
        return f"  [{figure.errors} non-2xx/errors]" if figure.errors else ""

    header = f"{'endpoint':<46} {'stub /s':>9} {'× bare':>8} {'pact stub /s':>13} {'× pact stub':>12}"
    lines = [header, "-" * len(header)]
    if rows:
        lines.append(f"{'bare Starlette GET /hello':<46} {bare_http.rate:9.0f} {'1.00x':>8}{flag(bare_http)}")
    for row in rows:
        pact = (
            f"{row.pact.rate:13.0f} {_ratio(row.stub.rate, row.pact.rate):>12}"
            if row.pact.rates
            else (f"{'–':>13} {'–':>12}")
        )
        lines.append(
            f"{row.label:<46} {row.stub.rate:9.0f} {_ratio(row.stub.rate, bare_http.rate):>8} {pact}"
            f"{flag(row.stub)}{flag(row.pact)}"
        )
    for label, (bare, stub) in (
        ("WebSocket ping→pong round trips", trips),
        ("WebSocket handshakes (bearer, welcome)", shakes),
    ):
        lines.append(f"{'bare Starlette ' + label.split(' ', 1)[1]:<46} {bare.rate:9.0f} {'1.00x':>8}")
        lines.append(
            f"{'websocket ' + label.split(' ', 1)[1]:<46} {stub.rate:9.0f} {_ratio(stub.rate, bare.rate):>8}"
            f" {'n/a: pact stub serves no WebSocket':>26}"
        )
    return lines
