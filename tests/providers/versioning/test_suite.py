"""The `versioning` suite as `contractgate gate` runs it: all parts together, alone or beside `websocket`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.gate import SUITES, GatePlan, run_gate
from contracts import PACKAGE_ROOT
from providers.errors import ConfigError
from providers.results import Verdict
from providers.suite import RunOptions
from tests.providers.versioning.support import committed_contracts, git, of, stubs, versioning


def test_every_part_passes_on_the_real_stubs(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)
    with stubs() as target:
        results = versioning(target, contracts_root=str(contracts))
    assert [r for r in results if r.verdict is not Verdict.PASS] == []
    checks = {r.check for r in results}
    assert checks == {
        "breaking-change",
        "deprecation-header",
        "sunset-header",
        "successor-link",
        "no-deprecation-headers",
        "old-consumer-pact",
    }
    assert len(of(results, "breaking-change")) == 4  # one per document, none changed
    assert {r.suite for r in results} == {"versioning"}


def test_contractgate_gate_runs_it_beside_the_websocket_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = committed_contracts(tmp_path)
    shutil.copytree(PACKAGE_ROOT / "asyncapi", contracts / "asyncapi")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "asyncapi")
    monkeypatch.setenv("CONTRACTGATE_CONTRACTS", str(contracts))
    code = main(["gate", "--suite", "websocket,versioning", "--no-reports", "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "suites websocket, versioning" in out.splitlines()[-1]


def test_unknown_settings_are_a_configuration_error_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert SUITES["versioning"] == "providers.versioning.suite:run"

    def no_stubs() -> None:
        raise AssertionError("the stubs started")

    monkeypatch.setattr("contractgate.gate.embedded_stubs", no_stubs)
    plan = GatePlan(
        target=None,  # the embedded stubs: they must not even start
        suites=("versioning",),
        options=RunOptions(suites={"versioning": {"parts": ["headers", "sunsets"]}}),
    )
    with pytest.raises(ConfigError) as caught:
        run_gate(plan)
    assert str(caught.value) == (
        "suite.versioning.parts[1]: unknown value 'sunsets' (known: breaking, headers, pacts)"
    )
