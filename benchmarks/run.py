"""contractgate's speed, measured side by side in one run (figures and ratios, no assertions).

1. The gate on the embedded stubs (pacts + fuzz, and every suite) against the same work done the way a
   user would without contractgate: the Schemathesis CLI over each spec and the Pact reference verifier
   over each HTTP pact, one after another, against `contractgate stubs serve`.
2. Fuzz cases per second: the fuzz suite in-process (ASGI) against the same suite over HTTP.
3. Requests per second of each stub against a bare Starlette JSON endpoint on the same server setup
   (uvicorn in a thread, one worker), with wrk when it is installed and a Python client otherwise.
   The load generator shares the machine's cores with the server: compare ratios, not absolutes.

Every server is on 127.0.0.1 and every load run is bounded in time. Usage:

    python benchmarks/run.py [--examples 25] [--seed 1] [--seconds 3] [--skip SECTION …]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts import SpecFile, openapi_specs, pact_files  # noqa: E402
from providers.contract import operations_of  # noqa: E402
from stubs.server import BackgroundServer, bind  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(command: list[str], *, cwd: Path = ROOT) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=1800)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


@contextmanager
def served_stubs() -> Iterator[dict[str, str]]:
    """`contractgate stubs serve` in a subprocess on free ports, stopped afterwards."""
    ports = {"auth-service": free_port(), "backend-service": free_port(), "websocket-service": free_port()}
    process = subprocess.Popen(
        [
            str(BIN / "contractgate"),
            "stubs",
            "serve",
            "--auth-port",
            str(ports["auth-service"]),
            "--backend-port",
            str(ports["backend-service"]),
            "--websocket-port",
            str(ports["websocket-service"]),
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("serving"):
                break
        else:
            raise RuntimeError("contractgate stubs serve did not start")
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def token(auth_url: str, **form: str) -> str:
    response = httpx.post(f"{auth_url}/v2/auth/token", data=form, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


def user_token(auth_url: str) -> str:
    return token(auth_url, grant_type="password", username="alice@example.com", password="alice-password")


def service_token(auth_url: str, client: str, audience: str, scopes: tuple[str, ...]) -> str:
    return token(
        auth_url,
        grant_type="client_credentials",
        client_id=client,
        client_secret=f"{client}-secret",
        audience=audience,
        scope=" ".join(scopes),
    )


#: The service client a user would pick for each (audience, scopes) — the demo platform's.
CLIENTS = {"auth": "backend-service", "backend": "agent-worker"}


def cli_runs_of(spec: SpecFile, auth: str) -> Iterator[tuple[str, str, list[str]]]:
    """The Schemathesis CLI runs a user needs for one spec: (token kind, bearer token, operation ids).

    One run per token: a user token, or one service token per audience carrying every scope that
    audience's operations ask for (one run keeps their links together).
    """
    groups: dict[tuple[str, str], list[str]] = {}
    scopes: dict[str, set[str]] = {}
    for op in operations_of(spec):
        requirement = op.requirements[0] if op.requirements else None
        if requirement is None or requirement.kind == "user":
            key = ("user", "")
        else:
            key = ("service", requirement.audiences[0])
            scopes.setdefault(key[1], set()).update(requirement.scopes)
        groups.setdefault(key, []).append(op.operation_id)
    for (kind, audience), ids in groups.items():
        if kind == "user":
            yield kind, user_token(auth), ids
        else:
            yield kind, service_token(auth, CLIENTS[audience], audience, tuple(sorted(scopes[audience]))), ids


def tools_one_after_another(urls: dict[str, str], examples: int, seed: int) -> tuple[float, list[str]]:
    """The Schemathesis CLI per spec and token kind, then `pact verifier` per HTTP pact file."""
    notes: list[str] = []
    started = time.perf_counter()
    for spec in openapi_specs():
        for kind, bearer, ids in cli_runs_of(spec, urls["auth-service"]):
            command = [
                str(BIN / "schemathesis"),
                "run",
                str(spec.path),
                "--url",
                urls[spec.service],
                "--checks",
                "all",
                "--max-examples",
                str(examples),
                "--seed",
                str(seed),
                "-H",
                f"Authorization: Bearer {bearer}",
            ]
            for operation_id in ids:
                command += ["--include-operation-id", operation_id]
            _, code, output = timed(command)
            if code != 0:
                notes.append(f"schemathesis {spec.name} {kind}: exit {code}")
    for pact in pact_files():
        document = json.loads(pact.read_text())
        if not any(i.get("type") == "Synchronous/HTTP" for i in document.get("interactions", [])):
            continue  # message pacts: the reference verifier cannot drive a WebSocket
        provider = document["provider"]["name"]
        url = urls[provider]
        port = url.rsplit(":", 1)[1]
        command = [
            str(BIN / "pact"),
            "verifier",
            "-f",
            str(pact),
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-n",
            provider,
            "--state-change-url",
            f"{url}/_contractgate/provider-states",
            "--state-change-teardown",
        ]
        _, code, _ = timed(command)
        if code != 0:
            notes.append(f"pact verifier {pact.name}: exit {code}")
    return time.perf_counter() - started, notes


def gate(suites: str | None, examples: int, seed: int) -> tuple[float, int, str]:
    command = [str(BIN / "contractgate"), "gate", "--no-reports", "-q", "--max-examples", str(examples)]
    command += ["--seed", str(seed)]
    if suites:
        command += ["--suite", suites]
    with tempfile.TemporaryDirectory() as folder:
        return timed(command, cwd=Path(folder))


def section_gate_vs_tools(examples: int, seed: int) -> list[str]:
    lines = ["## 1. The gate against the same work with the tools run separately"]
    with served_stubs() as urls:
        tools_seconds, notes = tools_one_after_another(urls, examples, seed)
    gate_seconds, code, output = gate("pacts,fuzz", examples, seed)
    full_seconds, full_code, full_output = gate(None, examples, seed)
    summary = next((line for line in reversed(full_output.splitlines()) if line.strip()), "")
    lines += [
        f"tools one after another (Schemathesis CLI per spec + pact verifier per pact): {tools_seconds:7.1f} s"
        + (f"  [{'; '.join(notes)}]" if notes else ""),
        f"contractgate gate --suite pacts,fuzz (same work, embedded stubs):             {gate_seconds:7.1f} s"
        f"  (exit {code})",
        f"ratio tools / gate:                                                          {tools_seconds / gate_seconds:7.2f}x",
        f"contractgate gate, every suite:                                              {full_seconds:7.1f} s"
        f"  (exit {full_code}) {summary}",
    ]
    return lines


def fuzz_rate(in_process: bool, examples: int, seed: int) -> tuple[int, float]:
    from contractgate.credentials import demo_credentials
    from contractgate.embedded import embedded_stubs
    from contracts import asyncapi_spec
    from providers.credentials import TokenSource
    from providers.fuzz import run
    from providers.http import Limits, RequestGuard, TargetHttp
    from providers.redact import Redactor
    from providers.suite import RunContext, RunOptions

    with embedded_stubs() as (_, target):
        http = TargetHttp(RequestGuard(Limits()))
        redactor = Redactor()
        credentials = demo_credentials()
        ctx = RunContext(
            target=target,
            specs=openapi_specs(),
            asyncapi=asyncapi_spec(),
            credentials=credentials,
            tokens=TokenSource(target, credentials, http, redactor),
            http=http,
            redactor=redactor,
            options=RunOptions(seed=seed, max_examples=examples, suites={"fuzz": {"in_process": in_process}}),
        )
        started = time.perf_counter()
        results = list(run(ctx))
        seconds = time.perf_counter() - started
        http.close()
    cases: dict[str, int] = {}
    for result in results:
        if "cases" in result.details:
            cases[str(result.details["spec"])] = int(result.details["cases"])
    return sum(cases.values()), seconds


def section_fuzz(examples: int, seed: int) -> list[str]:
    in_cases, in_seconds = fuzz_rate(True, examples, seed)
    http_cases, http_seconds = fuzz_rate(False, examples, seed)
    in_rate, http_rate = in_cases / in_seconds, http_cases / http_seconds
    return [
        "## 2. Fuzz cases per second (all four specs, same seed)",
        f"in-process (ASGI): {in_cases:6d} cases in {in_seconds:5.1f} s = {in_rate:6.0f} cases/s",
        f"over HTTP:         {http_cases:6d} cases in {http_seconds:5.1f} s = {http_rate:6.0f} cases/s",
        f"ratio in-process / HTTP: {in_rate / http_rate:.2f}x",
    ]


def bare_app() -> Starlette:
    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/hello", hello)])


def load(url: str, seconds: float, headers: dict[str, str] | None = None, body: str | None = None) -> float:
    """Requests per second against one URL, with wrk if available, else threads of httpx clients."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", "-c32", f"-d{seconds:g}s", "--latency"]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        script = None
        if body is not None:
            script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
            script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n')
            script.close()
            command += ["-s", script.name]
        output = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
        if script is not None:
            os.unlink(script.name)
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if non_2xx:
            print(f"  note: {non_2xx.group(1)} non-2xx answers from {url}", file=sys.stderr)
        return float(match.group(1)) if match else 0.0
    count = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal count
        with httpx.Client(headers=headers) as client:
            while time.perf_counter() < deadline:
                if body is None:
                    client.get(url)
                else:
                    client.post(url, content=body)
                with lock:
                    count += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / seconds


def ping_rate(ws_url: str, bearer: str, seconds: float) -> float:
    """WebSocket round trips per second (ping → pong) on one connection per client task."""
    import asyncio

    from websockets.asyncio.client import connect

    async def client(deadline: float) -> int:
        done = 0
        async with connect(
            f"{ws_url}/ws", additional_headers={"Authorization": f"Bearer {bearer}"}
        ) as socket_:
            await socket_.recv()  # welcome
            while time.perf_counter() < deadline:
                await socket_.send(json.dumps({"type": "ping", "id": f"p{done}", "payload": {}}))
                while json.loads(await socket_.recv()).get("type") != "pong":
                    pass
                done += 1
        return done

    async def main() -> int:
        deadline = time.perf_counter() + seconds
        return sum(await asyncio.gather(*(client(deadline) for _ in range(16))))

    return asyncio.run(main()) / seconds


def section_rps(seconds: float) -> list[str]:
    from stubs.platform import Platform

    lines = ["## 3. Requests per second: each stub against a bare Starlette endpoint (same server setup)"]
    tool = "wrk -t1 -c32" if shutil.which("wrk") else "8 Python clients (wrk not installed)"
    lines.append(f"load generator: {tool}, {seconds:g} s per figure, on the same cores as the server")
    with BackgroundServer(bare_app(), bind(), name="bare") as bare:
        baseline = load(f"{bare.url}/hello", seconds)
    lines.append(f"bare Starlette GET /hello:                       {baseline:8.0f} req/s   1.00x")
    with Platform() as platform:
        alice = user_token(platform.auth_url)
        ws_bearer = token(
            platform.auth_url,
            grant_type="password",
            username="alice@example.com",
            password="alice-password",
            audience="websocket",
        )
        measured: list[tuple[str, float]] = [
            ("auth GET /.well-known/jwks.json", load(f"{platform.auth_url}/.well-known/jwks.json", seconds)),
            (
                "auth GET /v2/auth/userinfo (RS256 verify)",
                load(f"{platform.auth_url}/v2/auth/userinfo", seconds, {"Authorization": f"Bearer {alice}"}),
            ),
            ("backend GET /health", load(f"{platform.backend_url}/health", seconds)),
            (
                "backend GET /v2/users/me (verify + introspect)",
                load(f"{platform.backend_url}/v2/users/me", seconds, {"Authorization": f"Bearer {alice}"}),
            ),
            ("websocket ping/pong round trips", ping_rate(platform.websocket_url, ws_bearer, seconds)),
        ]
    for label, rate in measured:
        lines.append(f"{label:<48} {rate:8.0f} req/s   {rate / baseline:4.2f}x")
    return lines


SECTIONS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "tools": lambda args: section_gate_vs_tools(args.examples, args.seed),
    "fuzz": lambda args: section_fuzz(args.examples, args.seed),
    "rps": lambda args: section_rps(args.seconds),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--examples", type=int, default=25, help="Schemathesis examples per operation and phase"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each load figure")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(SECTIONS))
    args = parser.parse_args()
    print(f"contractgate benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, section in SECTIONS.items():
        if name in args.skip:
            continue
        print()
        for line in section(args):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
