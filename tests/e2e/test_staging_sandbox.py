"""A staging run as strong as a stub run: the reference stubs served without their provider-state hook.

Configured as the README's staging section says — accounts and clients from the environment, a sandbox
that allows writes, the issuer's signing key — the gate reaches provider states through the public API,
runs at least 95% of the checks the contracts imply, and undoes every setup (counted in the backend
stub's store). Behind a proxy planting one fault each, the same staging gate exits 1 naming the check
that caught it. Each run is limited to the suites that judge its fault and to few examples.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stubs.platform import Platform
from tests.e2e.fault_proxy import FAULTS, fault_proxy
from tests.e2e.staging_support import SUITES, configure, gate, staging_stubs, stored


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with staging_stubs() as served:
        yield served


@pytest.fixture(autouse=True)
def pact_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")


def test_a_sandboxed_staging_run_covers_95_percent_and_leaves_nothing_behind(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, environment = configure(tmp_path, platform, sandbox=True, signing_key=True)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    before = stored(platform)
    code, report = gate(
        config, tmp_path / "reports", "--suite", SUITES, "--max-examples", "3", "--min-coverage", "95"
    )
    results = report["results"]
    bad = [
        (r["suite"], r["check"], r["operation"], r["observed"][:200])
        for r in results
        if r["verdict"] != "pass" and r["verdict"] != "skipped"
    ]
    assert code == 0 and bad == [], bad
    coverage = report["coverage"]
    ran = [r for r in results if r["verdict"] != "skipped"]
    assert (coverage["implied"], coverage["ran"]) == (len(results), len(ran))  # exact, not estimated
    assert coverage["percent"] >= 95, coverage["skipped"]
    # Every suite ran, pacts included: their provider states were reached through the public API.
    assert {r["suite"] for r in ran} == set(SUITES.split(","))
    pacts = [r for r in results if r["suite"] == "pacts"]
    assert pacts and all(r["verdict"] == "pass" for r in pacts)
    # The setups were made and undone: nothing is left, in the report or in the backend's store.
    assert report["sandbox"]["states_created"] > 0 and report["sandbox"]["leftovers"] == []
    assert stored(platform) == before


#: Suites whose implied checks depend most on writes and provider states.
JUDGED_READ_ONLY = "pacts,versioning,crossauth,fuzz"


def test_read_only_every_check_that_cannot_run_is_a_skip_naming_what_would_enable_it(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, environment = configure(tmp_path, platform, sandbox=False, signing_key=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    before = stored(platform)
    code, report = gate(config, tmp_path / "reports", "--suite", JUDGED_READ_ONLY, "--max-examples", "1")
    assert code == 0
    skipped = [r for r in report["results"] if r["verdict"] == "skipped"]
    assert skipped and report["coverage"]["percent"] < 95
    # A setting, a capability to give, or (no other audience declared) the check that covers the gap.
    enabling = (
        "sandbox",
        "signing_key_env",
        "allow_writes",
        "resource_id",
        "suite.",
        "configure",
        "issuer's key",
        "--target stubs",
    )
    assert [r["observed"] for r in skipped if not any(word in r["observed"] for word in enabling)] == []
    # States made of logins alone were still reached (read-only); nothing was written.
    assert report["sandbox"]["leftovers"] == [] and stored(platform) == before
    assert any(r["verdict"] == "pass" and r["details"].get("provider_states") for r in report["results"])
    # The same checks are implied whatever the target allows: the sandbox runs more of the same count.
    config, environment = configure(tmp_path, platform, sandbox=True, signing_key=True)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    _, sandboxed = gate(config, tmp_path / "sandboxed", "--suite", JUDGED_READ_ONLY, "--max-examples", "1")
    assert sandboxed["coverage"]["implied"] == report["coverage"]["implied"]
    assert sandboxed["coverage"]["ran"] > report["coverage"]["ran"]


#: fault → (the suites that judge it, the (suite, check) that must fail naming it).
JUDGED = {
    "expired-token-accepted": ("tokens", ("tokens", "expired")),
    "other-tenant-readable": ("crossauth", ("crossauth", "other-owner")),
    "internal-write-unscoped": ("crossauth", ("crossauth", "missing-scope")),
    "long-input-500": ("fuzz", ("fuzz", "not_a_server_error")),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_the_sandboxed_staging_gate_catches_each_fault_naming_the_check(
    platform: Platform, fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suites, (suite, check) = JUDGED[fault]
    with fault_proxy(platform, fault) as (url, proxy):
        urls = {**platform.urls, "backend-service": url}
        config, environment = configure(tmp_path, platform, urls, sandbox=True, signing_key=True)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        before = stored(platform)
        code, report = gate(config, tmp_path / "reports", "--suite", suites, "--max-examples", "3")
    assert proxy.planted > 0, "the fault was never reached"
    failed = {(r["suite"], r["check"].split(":")[0]) for r in report["results"] if r["verdict"] == "fail"}
    assert code == 1 and (suite, check) in failed, failed
    assert report["sandbox"]["leftovers"] == [] and stored(platform) == before


def test_a_terminated_sandboxed_run_undoes_its_setups_and_says_so(platform: Platform, tmp_path: Path) -> None:
    config, environment = configure(tmp_path, platform, sandbox=True, signing_key=True)
    before = stored(platform)
    command = [sys.executable, "-m", "contractgate", "gate", "--config", str(config), "--target", "staging"]
    command += ["--suite", "crossauth,versioning,pacts", "--no-reports", "-q"]
    env = {**os.environ, **environment, "PACT_DO_NOT_TRACK": "true"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while stored(platform) == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stored(platform) != before, "the run created nothing to interrupt"
        process.send_signal(signal.SIGTERM)  # mid-run: setups made, not yet undone
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 143, err
    assert "contractgate: terminated" in err and "all undone" in err, err
    assert "Traceback" not in err
    assert stored(platform) == before
