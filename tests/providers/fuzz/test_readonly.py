"""A staging-safe run sends only reads, and still finds every server error a read can reach.

The planted service runs under uvicorn and counts, at the server, the method of every request it gets. As a
live target in safe mode it is fuzzed through its read operations alone: path, query and header parameters
get the boundary, long and out-of-range values, and `OPTIONS` (safe) still checks `Allow`. With a sandbox
write allowed, the request body of that write is fuzzed too — and no other write is sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.results import Verdict
from providers.target import url_target
from stubs.server import BackgroundServer, bind
from tests.providers.fuzz.planted import PLANTED, SERVICE, SPEC, WRITES, create_app
from tests.providers.fuzz.support import gate_found, run_gate, spec_file

SAFE = {"GET", "HEAD", "OPTIONS"}
#: Found only by sending a method the path does not declare (a PUT, a TRACE): never on a live target.
UNDECLARED = {p for p in PLANTED if p.check == "unsupported_method"}
READS = {p for p in PLANTED if p.operation not in WRITES} - UNDECLARED


@pytest.fixture
def planted() -> Iterator[tuple[str, Counter[str]]]:
    methods: Counter[str] = Counter()
    with BackgroundServer(create_app(methods), bind(), name="planted", log_level="critical") as server:
        yield server.url, methods


@pytest.mark.parametrize("seed", [1, 2])
def test_a_read_only_run_finds_every_server_error_behind_a_read(
    planted: tuple[str, Counter[str]], tmp_path: Path, seed: int
) -> None:
    url, methods = planted
    target = url_target("staging", {SERVICE: url}, live=True)
    results = run_gate(target, spec_file(SPEC, tmp_path), seed=seed, max_examples=10)

    failures = gate_found(results)
    missed = [p.name for p in READS if (p.operation, p.check) not in failures]
    assert missed == []
    assert methods["GET"] > 0 and methods["OPTIONS"] > 0
    assert set(methods) <= SAFE, methods
    verdicts = {(r.operation, r.check): r.verdict for r in results}
    for write in WRITES:
        assert verdicts[(write, "not_a_server_error")] == Verdict.SKIPPED
    for probe in UNDECLARED:  # never passed unseen
        assert verdicts[(probe.operation, probe.check)] == Verdict.SKIPPED
    assert [r.observed for r in results if r.verdict == Verdict.ERROR] == []


def test_an_allowed_sandbox_write_has_its_body_fuzzed_and_no_other_write_is_sent(
    planted: tuple[str, Counter[str]], tmp_path: Path
) -> None:
    url, methods = planted
    target = url_target("staging", {SERVICE: url}, live=True)
    results = run_gate(target, spec_file(SPEC, tmp_path), seed=1, max_examples=10, allow_writes=WRITES)

    failures = gate_found(results)
    assert [p.name for p in PLANTED if p.operation in WRITES and (p.operation, p.check) not in failures] == []
    assert methods["POST"] > 0
    assert set(methods) <= SAFE | {"POST"}, methods
