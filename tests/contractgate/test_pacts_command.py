"""`contractgate pacts build|verify` and the `pacts` suite in `contractgate gate`: output and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.gate import SUITES
from contracts import pact_files


def test_build_writes_every_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pacts", "build", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.json"))
    assert written == sorted(p.name for p in pact_files())
    assert str(tmp_path / "web-frontend-websocket-service.json") in capsys.readouterr().out


def test_verify_prints_each_interaction_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["pacts", "verify", "--provider", "auth-service", "--consumer", "backend-service"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS    backend-service → auth-service: an introspection of a revoked user token" in out
    assert out.strip().splitlines()[-1].startswith("PASS  4 pass · 0 fail")


def test_a_failure_is_printed_with_its_mismatch_and_state_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(
        next(p for p in pact_files() if p.name == "backend-service-auth-service.json").read_text()
    )
    for interaction in document["interactions"]:
        if interaction["description"] == "an introspection of a revoked user token":
            interaction["response"]["body"]["content"]["active"] = True
    (tmp_path / "edited.json").write_text(json.dumps(document))
    code = main(["pacts", "verify", "--pacts", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL    backend-service → auth-service: an introspection of a revoked user token" in out
    assert "given: a service token exists" in out and "a revoked access token exists" in out
    assert "$.active:" in out
    assert "$ curl -X POST" in out


def test_a_malformed_pact_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(pact_files()[0], tmp_path)
    (tmp_path / "zz-broken.json").write_text('{"consumer": {"name": "x"}')
    assert main(["pacts", "verify", "--pacts", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "zz-broken.json" in err[0] and "not valid JSON" in err[0]


def test_nothing_verified_is_not_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pacts", "verify", "--provider", "no-such-service"]) == 2


def test_the_gate_runs_the_pacts_suite_first_with_the_embedded_stubs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert next(iter(SUITES)) == "pacts"
    code = main(["gate", "--suite", "pacts", "-q", "--no-reports"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out.splitlines()[-1] and "suites pacts" in out
