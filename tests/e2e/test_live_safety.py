"""A live target in staging-safe mode: what reaches the servers is counted, not assumed.

The three stubs run behind a recorder; the whole gate runs against them as a named live target
(staging-safe by default, with a rate cap), and the suites that drive other programs (the Pact
verifier, the message relay) or fetch documents run against it with provider states: what the servers
saw must be exactly what the guard counted. Stub-to-stub calls carry their own User-Agent and are set
apart; everything else came from the gate. A dead or silent target ends the gate with exit 2 and the
URL, within the timeout.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from contractgate.cli import main
from providers.platform import DEFAULT_HOOK_PATH as STATES_PATH
from stubs.peers import PEER_USER_AGENT
from stubs.platform import Platform, PlatformOptions, _auth_factory, _backend_factory, _websocket_factory

RATE = 40.0
BURST = 5
#: The auth calls a run needs even on a read-only target: tokens, and revoking/introspecting its own.
AUTH_CALLS = {("POST", "/v2/auth/token"), ("POST", "/v2/auth/revoke"), ("POST", "/v2/auth/introspect")}


@dataclass(frozen=True)
class Seen:
    at: float
    method: str
    path: str
    peer: bool


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] in ("http", "websocket"):
                agent = dict(scope.get("headers", [])).get(b"user-agent", b"").decode()
                method = scope.get("method", "WS")
                with self.lock:
                    self.seen.append(Seen(time.monotonic(), method, scope["path"], agent == PEER_USER_AGENT))
            await app(scope, receive, send)

        return recorded

    def from_gate(self) -> list[Seen]:
        return [s for s in self.seen if not s.peer]


@pytest.fixture
def recorded_platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Platform, Recorder]]:
    """The stubs behind a recorder, and the accounts' credentials in the environment."""
    recorder = Recorder()
    options = PlatformOptions(
        auth_factory=lambda s: recorder.wrap(_auth_factory(s)),
        backend_factory=lambda s: recorder.wrap(_backend_factory(s)),
        websocket_factory=lambda s: recorder.wrap(_websocket_factory(s)),
    )
    accounts = {
        "MEMBER": ("alice@example.com", "alice-password"),
        "ADMIN": ("admin@example.com", "admin-password"),
        "OTHER_TENANT": ("bob@example.com", "bob-password"),
    }
    for name, (user, password) in accounts.items():
        monkeypatch.setenv(f"CONTRACTGATE_{name}_USERNAME", user)
        monkeypatch.setenv(f"CONTRACTGATE_{name}_PASSWORD", password)
    for client in ("backend-service", "websocket-service", "agent-worker"):
        monkeypatch.setenv(
            f"CONTRACTGATE_CLIENT_{client.upper().replace('-', '_')}_SECRET", f"{client}-secret"
        )
    with Platform(options) as platform:
        yield platform, recorder


def services_of(platform: Platform) -> str:
    return ", ".join(f'{name} = "{url}"' for name, url in platform.urls.items())


@pytest.fixture
def recorded_target(tmp_path: Path, recorded_platform: tuple[Platform, Recorder]) -> tuple[Path, Recorder]:
    platform, recorder = recorded_platform
    config = tmp_path / "contractgate.toml"
    config.write_text(
        f"[targets.staging]\nservices = {{ {services_of(platform)} }}\n"
        f"limits = {{ rate = {RATE}, burst = {BURST} }}\n"
    )
    return config, recorder


def assert_rate_capped(sent: list[Seen]) -> None:
    """In every window of one second, no more than the bucket allows: its burst plus a second of rate."""
    times = sorted(s.at for s in sent)
    start = 0
    for end, at in enumerate(times):
        while at - times[start] > 1.0:
            start += 1
        assert end - start + 1 <= RATE + BURST + 1, f"{end - start + 1} requests within one second"


def test_safe_mode_sends_no_write_and_never_exceeds_the_rate_cap(
    recorded_target: tuple[Path, Recorder], capsys: pytest.CaptureFixture[str]
) -> None:
    config, recorder = recorded_target
    code = main(
        ["gate", "--config", str(config), "--target", "staging", "--no-reports", "--max-examples", "2"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    sent = recorder.from_gate()
    assert len(sent) > 300, "the gate did reach the target"
    writes = {(s.method, s.path) for s in sent if s.method not in ("GET", "HEAD", "OPTIONS", "WS")}
    assert writes <= AUTH_CALLS, writes - AUTH_CALLS
    assert_rate_capped(sent)


def test_pacts_provider_states_and_spec_fetches_go_through_the_guard(
    tmp_path: Path, recorded_platform: tuple[Platform, Recorder], capsys: pytest.CaptureFixture[str]
) -> None:
    """The Pact verifier's requests, its provider-state changes, the message relay's sockets and the
    versioning suite's fetch of base documents: each one reaches the servers only through the guard,
    so what the servers saw is exactly what the guard counted, within the rate cap."""
    platform, recorder = recorded_platform
    backend = platform.urls["backend-service"]
    config = tmp_path / "contractgate.toml"
    config.write_text(
        f"[targets.staging]\nservices = {{ {services_of(platform)} }}\nprovider_states = true\n"
        f"limits = {{ rate = {RATE}, burst = {BURST} }}\n"
        f'[suite.versioning]\nbase = "{backend}/specs/{{file}}"\n'
    )
    reports = tmp_path / "reports"
    code = main(
        ["gate", "--config", str(config), "--target", "staging", "--suite", "pacts,versioning"]
        + ["--report-dir", str(reports), "-q"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads((reports / "gate.json").read_text())
    passed = Counter(r["check"] for r in report["results"] if r["verdict"] == "pass")
    assert passed["pact"] >= 25 and passed["old-consumer-pact"] >= 5 and passed["breaking-change"] >= 4, (
        passed
    )
    sent = recorder.from_gate()
    states = [s for s in sent if s.path == STATES_PATH]
    fetches = [s for s in sent if s.path.startswith("/specs/")]
    sockets = [s for s in sent if s.method == "WS"]
    assert len(states) >= 20 and len(fetches) >= 4 and len(sockets) >= 5, (
        len(states),
        len(fetches),
        len(sockets),
    )
    assert len(sent) == report["requests"], "every request the servers saw was counted by the guard"
    assert_rate_capped(sent)


def test_an_unreachable_target_exits_2_naming_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    config = tmp_path / "contractgate.toml"
    config.write_text(f'[targets.down]\nservices = {{ backend-service = "http://127.0.0.1:{port}" }}\n')
    started = time.monotonic()
    code = main(["gate", "--config", str(config), "--target", "down", "--demo-credentials"])
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - started < 10
    assert f"http://127.0.0.1:{port}/" in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_target_that_stops_answering_exits_2_within_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections, never answers
    port = silent.getsockname()[1]
    config = tmp_path / "contractgate.toml"
    config.write_text(f'[targets.silent]\nservices = {{ backend-service = "http://127.0.0.1:{port}" }}\n')
    try:
        started = time.monotonic()
        code = main(
            ["gate", "--config", str(config), "--target", "silent", "--demo-credentials", "--timeout", "1"]
        )
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    err = capsys.readouterr().err
    assert code == 2 and elapsed < 10, elapsed
    assert f"127.0.0.1:{port}" in err and "no answer within 1s" in err
