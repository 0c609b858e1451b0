"""The gate's fuzz suite is never weaker than the Schemathesis CLI on the same spec and service.

The planted service runs under uvicorn on a loopback port; for each seed the real CLI (a subprocess, in a
fresh working directory as on a fresh CI checkout) and the gate's fuzz suite — in-process and over HTTP —
fuzz the same spec with the same seed and example count. Whatever planted error the CLI reports, the gate
reports on the same operation, and the gate finds every planted error in every run, the ones the CLI
meets only by chance included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import ASGIApp

from providers.target import ServiceTarget, Target
from stubs.server import BackgroundServer, bind
from tests.providers.fuzz.planted import PLANTED, SERVICE, SPEC, Planted, create_app
from tests.providers.fuzz.support import gate_found, run_cli, run_gate, spec_file

SEEDS = (1, 2, 3)
EXAMPLES = 10
RUNNERS = ("cli", "gate in-process", "gate HTTP")
Found = dict[str, dict[int, set[Planted]]]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, ASGIApp]]:
    app = create_app()
    with BackgroundServer(app, bind(), name="planted", log_level="critical") as server:
        yield server.url, app


@pytest.fixture(scope="module")
def found(served: tuple[str, ASGIApp], tmp_path_factory: pytest.TempPathFactory) -> Found:
    """Runner → seed → the planted errors it reported."""
    url, app = served
    folder: Path = tmp_path_factory.mktemp("parity")
    spec = spec_file(SPEC, folder)
    target = Target("planted", {SERVICE: ServiceTarget(SERVICE, url, app=app)})
    result: Found = {runner: {} for runner in RUNNERS}
    for seed in SEEDS:
        cli = run_cli(spec, url, seed=seed, max_examples=EXAMPLES, workdir=folder / f"cli-{seed}")
        result["cli"][seed] = {p for p in PLANTED if (p.path, p.title) in cli}
        for runner, in_process in (("gate in-process", True), ("gate HTTP", False)):
            results = run_gate(
                target, spec, seed=seed, max_examples=EXAMPLES, suite={"in_process": in_process}
            )
            failures = gate_found(results)
            result[runner][seed] = {p for p in PLANTED if (p.operation, p.check) in failures}
    return result


def test_the_cli_finds_the_errors_planted_at_declared_bounds(found: Found) -> None:
    # The planted errors are real and reachable: the reference tool reports them too.
    reported_by_cli = set().union(*found["cli"].values())
    assert {p.name for p in reported_by_cli} >= {
        "path integer past 64 bits (int64 declared)",
        "query string past its maxLength",
        "header value at its boundary",
        "405 without Allow",
        "OPTIONS with a wrong Allow",
        "body property at its boundary",
    }


@pytest.mark.parametrize("runner", ["gate in-process", "gate HTTP"])
def test_the_gate_finds_every_error_the_cli_finds_with_the_same_seed(found: Found, runner: str) -> None:
    for seed in SEEDS:
        missed = found["cli"][seed] - found[runner][seed]
        assert not missed, f"seed {seed}: the CLI found, the {runner} missed: {[p.name for p in missed]}"


@pytest.mark.parametrize("runner", ["gate in-process", "gate HTTP"])
def test_the_gate_finds_every_planted_error_in_every_run(found: Found, runner: str) -> None:
    for seed in SEEDS:
        missed = set(PLANTED) - found[runner][seed]
        assert not missed, f"seed {seed}: the {runner} missed {[p.name for p in missed]}"
