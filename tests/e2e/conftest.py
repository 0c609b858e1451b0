"""`contractgate stubs serve` as the subprocess a developer would start, shared by the e2e tests."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("auth-service", "backend-service", "websocket-service")


@dataclass
class ServedStubs:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    #: What the command printed before "serving": one line per service with its URL.
    banner: list[str]

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Stop the command the way a terminal or an orchestrator would; its exit code and last words."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return self.process.returncode, out


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def serve_stubs(*options: str) -> ServedStubs:
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    command = [sys.executable, "-m", "contractgate", "stubs", "serve", *options]
    for name, port in ports.items():
        command += [f"--{name.split('-')[0]}-port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    banner: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:  # the command prints "serving" once every server is up
        if line.startswith("serving"):
            return ServedStubs(process, ports, banner)
        banner.append(line.rstrip("\n"))
    process.wait(timeout=10)
    pytest.fail("`contractgate stubs serve` did not come up:\n" + "\n".join(banner))


@pytest.fixture(scope="module")
def served() -> Iterator[ServedStubs]:
    stubs = serve_stubs()
    try:
        yield stubs
    finally:
        stubs.stop()
