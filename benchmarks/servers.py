"""The servers the benchmarks measure, each in its own process on a free loopback port.

Servers run outside the benchmark's process so that a Python load generator (the WebSocket rows)
never shares a GIL with the server it measures: `contractgate stubs serve` (the three stubs, as a
user runs them), `benchmarks/baseline.py` (bare Starlette on the same server setup) and `pact stub`
(pact-python-cli's stub server) for a given pact file. Each is stopped when its block ends, and each
yields a `Served`: its URL(s) and its process id, whose CPU time `cpu_seconds` reads (Linux `/proc`).
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}


@dataclass(frozen=True)
class Served:
    url: str
    pid: int
    #: Service name → base URL, for `stubs serve` (its `url` is the auth service's).
    urls: dict[str, str]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads) so far, or None without `/proc`."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
def _process(command: list[str], *, ready: str | None = None, port: int | None = None) -> Iterator[int]:
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
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def served_stubs() -> Iterator[Served]:
    """`contractgate stubs serve` on free ports (the three stubs in one process, as a user runs them)."""
    ports = {"auth-service": free_port(), "backend-service": free_port(), "websocket-service": free_port()}
    command = [str(BIN / "contractgate"), "stubs", "serve"]
    for name, port in ports.items():
        command += [f"--{name.split('-')[0]}-port", str(port)]
    with _process(command, ready="serving") as pid:
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        yield Served(urls["auth-service"], pid, urls)


@contextmanager
def served_baseline() -> Iterator[Served]:
    """Bare Starlette (`benchmarks/baseline.py`)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), str(port)]
    with _process(command, ready="serving") as pid:
        url = f"http://127.0.0.1:{port}"
        yield Served(url, pid, {"bare": url})


def pact_binary() -> Path | None:
    found = BIN / "pact"
    return found if found.exists() else None


@contextmanager
def served_pact(pact: Path) -> Iterator[Served]:
    """`pact stub -f PACT -p PORT`."""
    binary = pact_binary()
    assert binary is not None
    port = free_port()
    with _process([str(binary), "stub", "-f", str(pact), "-p", str(port), "-l", "error"], port=port) as pid:
        url = f"http://127.0.0.1:{port}"
        yield Served(url, pid, {"pact": url})
