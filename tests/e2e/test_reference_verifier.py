"""The Pact reference verifier (`pact verifier`, from pact-python-cli) against `contractgate stubs serve`.

Not the project's code on either side of the check: the stubs run as the `contractgate stubs serve`
subprocess a developer would start, and the verifier is the Rust binary the Pact Foundation ships.
Every HTTP pact in `contracts/pacts/` must verify green, with the stubs' provider-state route as the
state-change URL (setup and teardown).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import pact_files
from tests.e2e.conftest import ServedStubs

ROOT = Path(__file__).resolve().parents[2]
STATES_PATH = "/_contractgate/provider-states"


def pact_binary() -> str:
    found = shutil.which("pact", path=str(Path(sys.executable).parent)) or shutil.which("pact")
    if found is None:
        pytest.fail("the `pact` binary of pact-python-cli is not installed")
    return found


HTTP_PACTS = [
    p
    for p in pact_files()
    if any(i.get("type") == "Synchronous/HTTP" for i in json.loads(p.read_text())["interactions"])
]


@pytest.mark.parametrize("pact", HTTP_PACTS, ids=lambda p: p.stem)
def test_the_reference_verifier_verifies_the_pact(served: ServedStubs, pact: Path, tmp_path: Path) -> None:
    provider = json.loads(pact.read_text())["provider"]["name"]
    port = served.ports[provider]
    report = tmp_path / "report.json"
    completed = subprocess.run(
        [
            pact_binary(),
            "verifier",
            "--file",
            str(pact),
            "--hostname",
            "127.0.0.1",
            "--port",
            str(port),
            "--provider-name",
            provider,
            "--state-change-url",
            f"http://127.0.0.1:{port}{STATES_PATH}",
            "--state-change-teardown",
            "--json",
            str(report),
            "--no-colour",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    results = json.loads(report.read_text())
    verified = [r["description"] for r in results["interactionResults"] if r["result"] == "OK"]
    assert len(verified) == len(json.loads(pact.read_text())["interactions"])
