"""The servers the benchmarks measure, each in its own process on a free loopback port.

Servers run outside the benchmark's process so that a Python load generator (the WebSocket rows)
never shares a GIL with the server it measures: `contractgate stubs serve` (the three stubs, as a
user runs them), `benchmarks/baseline.py` (bare Starlette on the same server setup) and `pact stub`
(pact-python-cli's stub server) for a given pact file. Each is stopped when its block ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, process.args))} exited with {process.returncode}")  # type: ignore[arg-type]
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _ in process.stdout:
        pass


@contextmanager
def _process(command: list[str], *, ready: str | None = None, port: int | None = None) -> Iterator[None]:
    process = subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        if ready is not None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(ready):
                    break
            else:
                raise RuntimeError(f"{command[0]} did not start")
        if port is not None:
            wait_for_port(port, process)
        # Keep reading what it prints: a full pipe would stall a server that logs each request.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def served_stubs() -> Iterator[dict[str, str]]:
    """`contractgate stubs serve` on free ports: service name → base URL."""
    ports = {"auth-service": free_port(), "backend-service": free_port(), "websocket-service": free_port()}
    command = [str(BIN / "contractgate"), "stubs", "serve"]
    for name, port in ports.items():
        command += [f"--{name.split('-')[0]}-port", str(port)]
    with _process(command, ready="serving"):
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


@contextmanager
def served_baseline() -> Iterator[str]:
    """Bare Starlette (`benchmarks/baseline.py`): its base URL."""
    port = free_port()
    with _process([sys.executable, str(ROOT / "benchmarks" / "baseline.py"), str(port)], ready="serving"):
        yield f"http://127.0.0.1:{port}"


def pact_binary() -> Path | None:
    found = BIN / "pact"
    return found if found.exists() else None


@contextmanager
def served_pact(pact: Path) -> Iterator[str]:
    """`pact stub -f PACT -p PORT`: its base URL."""
    binary = pact_binary()
    assert binary is not None
    port = free_port()
    with _process([str(binary), "stub", "-f", str(pact), "-p", str(port), "-l", "error"], port=port):
        yield f"http://127.0.0.1:{port}"
