"""The tokens and crossauth suites against a target given by URL: `contractgate stubs serve` in its own process.

Nothing is in-process on the target side: the stubs run as the subprocess a developer would start,
and the suites reach them over loopback. With the stubs' provider-state hook (`--provider-states`),
the gate — run as the `contractgate gate` command — passes, the key holder's attacks included; without
it, those attacks (and the expired service token of the matrix) are skipped, never passed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from contractgate.credentials import demo_credentials
from contractgate.gate import GatePlan, run_gate
from providers.http import Limits
from providers.results import Verdict
from providers.target import url_target
from providers.tokens.catalogue import KEY_HOLDER, NAMES, select
from tests.e2e.conftest import ServedStubs

ROOT = Path(__file__).resolve().parents[2]
KEY_HOLDER_ATTACKS = {a.name for a in select(None) if a.needs == KEY_HOLDER}


def test_the_gate_command_passes_both_suites_with_the_provider_state_hook(
    served: ServedStubs, tmp_path: Path
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
            "--service",
            f"auth-service={served.urls['auth-service']}",
            "--service",
            f"backend-service={served.urls['backend-service']}",
            "--service",
            f"websocket-service={served.urls['websocket-service']}",
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
    # Only what no genuine token exists for is skipped: another audience of user tokens (auth's own
    # operations), a client without the introspection scope.
    unexpected = [
        r
        for r in results
        if r["verdict"] != "pass"
        and r["check"]
        not in ("wrong-audience:genuine", "wrong-audience:user", "missing-scope:auth:introspect")
    ]
    assert unexpected == []
    attacks = {r["check"] for r in results if r["suite"] == "tokens" and r["verdict"] == "pass"}
    assert set(NAMES) <= attacks  # the key holder's attacks and the attacker's server ones included
    assert any(
        r["check"] == "expired" and r["suite"] == "crossauth" and r["verdict"] == "pass" for r in results
    )
    assert "[REDACTED]" in json.dumps(results) and "eyJ" not in json.dumps(results)


def test_without_the_provider_state_hook_the_key_holders_attacks_are_skipped_not_passed(
    served: ServedStubs,
) -> None:
    target = url_target("served", served.urls, live=True, safe=False)
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
    assert all("provider-state hook" in r.observed and "signing_key_env" in r.observed for r in holder)
    # The expired cells are counted skips naming what would let them run, never absent.
    expired = [r for r in outcome.results if r.suite == "crossauth" and r.check == "expired"]
    assert expired and {r.verdict for r in expired} == {Verdict.SKIPPED}
    # Everything else was attacked and refused.
    others = [
        r for r in outcome.results if r.suite == "tokens" and r.check in set(NAMES) - KEY_HOLDER_ATTACKS
    ]
    assert {r.verdict for r in others} == {Verdict.PASS, Verdict.SKIPPED}
    assert {r.check for r in others if r.verdict is Verdict.SKIPPED} == {"wrong-audience:genuine"}
