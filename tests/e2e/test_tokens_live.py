"""The tokens and crossauth suites against a target given by URL: `contractgate stubs serve` in its own process.

Nothing is in-process on the target side: the stubs run as the subprocess a developer would start,
and the suites reach them over loopback. With the stubs' provider-state hook (`--provider-states`),
the gate — run as the `contractgate gate` command — passes, the key holder's attacks included; without
it, those attacks (and the expired service token of the matrix) are skipped, never passed.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contractgate.credentials import demo_credentials
from contractgate.gate import GatePlan, run_gate
from providers.http import Limits
from providers.results import Verdict
from providers.target import url_target
from providers.tokens.catalogue import KEY_HOLDER, NAMES, select

ROOT = Path(__file__).resolve().parents[2]
KEY_HOLDER_ATTACKS = {a.name for a in select(None) if a.needs == KEY_HOLDER}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    auth, backend, websocket = free_ports(3)
    log_path = tmp_path_factory.mktemp("stubs") / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contractgate",
                "stubs",
                "serve",
                "--auth-port",
                str(auth),
                "--backend-port",
                str(backend),
                "--websocket-port",
                str(websocket),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        urls = {
            "auth-service": f"http://127.0.0.1:{auth}",
            "backend-service": f"http://127.0.0.1:{backend}",
            "websocket-service": f"http://127.0.0.1:{websocket}",
        }
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(urls["backend-service"] + "/health", timeout=1).raise_for_status()
                    httpx.get(urls["auth-service"] + "/.well-known/jwks.json", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"`contractgate stubs serve` did not come up: {log_path.read_text()}")
                    time.sleep(0.1)
            yield urls
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_gate_command_passes_both_suites_with_the_provider_state_hook(
    served: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "contractgate.toml"
    # The stubs are disposable: lift the live rate cap so the run stays short.
    config.write_text("[limits]\nrate = 5000\nburst = 500\nbudget = 20000\n")
    reports = tmp_path / "reports"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "contractgate",
            "gate",
            "--config",
            str(config),
            "--auth-url",
            served["auth-service"],
            "--backend-url",
            served["backend-service"],
            "--websocket-url",
            served["websocket-service"],
            "--suite",
            "tokens,crossauth",
            "--demo-credentials",
            "--provider-states",
            "--unsafe",
            "--report-dir",
            str(reports),
            "-q",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    results = json.loads((reports / "gate.json").read_text())["results"]
    assert {r["suite"] for r in results} == {"tokens", "crossauth"}
    assert [r for r in results if r["verdict"] != "pass" and r["check"] != "wrong-audience:genuine"] == []
    attacks = {r["check"] for r in results if r["suite"] == "tokens" and r["verdict"] == "pass"}
    assert set(NAMES) <= attacks  # the key holder's attacks and the attacker's server ones included
    assert any(r["check"] == "expired service token → 401" and r["verdict"] == "pass" for r in results)
    assert "[REDACTED]" in json.dumps(results) and "eyJ" not in json.dumps(results)


def test_without_the_provider_state_hook_the_key_holders_attacks_are_skipped_not_passed(
    served: dict[str, str],
) -> None:
    target = url_target("served", served, live=True, safe=False, states=False)
    outcome = run_gate(
        GatePlan(
            target=target,
            suites=("tokens", "crossauth"),
            credentials=demo_credentials(),
            limits=Limits(timeout=10),
        )
    )
    assert outcome.stopped is None
    bad = [r for r in outcome.results if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert bad == []
    holder = [r for r in outcome.results if r.suite == "tokens" and r.check in KEY_HOLDER_ATTACKS]
    assert holder and {r.verdict for r in holder} == {Verdict.SKIPPED}
    assert all("provider-state hook" in r.observed for r in holder)
    assert not [r for r in outcome.results if r.suite == "crossauth" and "expired" in r.check]
    # Everything else was attacked and refused.
    others = [
        r for r in outcome.results if r.suite == "tokens" and r.check in set(NAMES) - KEY_HOLDER_ATTACKS
    ]
    assert {r.verdict for r in others} == {Verdict.PASS, Verdict.SKIPPED}
    assert {r.check for r in others if r.verdict is Verdict.SKIPPED} == {"wrong-audience:genuine"}
