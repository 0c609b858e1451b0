"""The real Schemathesis CLI, as a team would run it against taskboard (`schemathesis run URL/openapi.json
--checks all` with a bearer token, default phases, no configuration file): no failure on the faithful app,
and a server error found for each of the two faults an API fuzzer can reach on its own."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.platforms.taskboard import serve
from tests.platforms.taskboard_support import ADA, ROOT, login, settings

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
INT64_MAX = 2**63 - 1


def schemathesis(url: str, token: str, cwd: Path, *options: str) -> tuple[int, str]:
    """The CLI's exit code and output. It runs in an empty folder, so no `schemathesis.toml` applies."""
    command = [SCHEMATHESIS, "run", f"{url}/openapi.json", "--checks", "all", "-H", f"Authorization: Bearer {token}"]
    completed = subprocess.run([*command, *options], cwd=cwd, capture_output=True, text=True, timeout=300)
    return completed.returncode, completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def faithful() -> Iterator[str]:
    with serve(settings()) as url:
        yield url


@pytest.mark.parametrize("seed", ["1", "2"])
def test_no_failure_on_the_faithful_app(faithful: str, tmp_path: Path, seed: str) -> None:
    code, output = schemathesis(faithful, login(faithful, ADA), tmp_path, "--max-examples", "10", "--seed", seed)
    assert code == 0, output[-4000:]
    assert "Tested: 14" in output and "Failures:" not in output


def test_no_failure_on_the_administrators_operation(faithful: str, tmp_path: Path) -> None:
    options = ("--include-operation-id", "admin_stats", "--max-examples", "10", "--seed", "1")
    code, output = schemathesis(faithful, login(faithful, ROOT), tmp_path, *options)
    assert code == 0, output[-4000:]
    assert "Tested: 1" in output


@pytest.mark.parametrize("seed", ["1", "2"])
def test_a_long_description_crashing_the_store_is_found(tmp_path: Path, seed: str) -> None:
    with serve(settings("long-input-500")) as url:
        options = ("--include-operation-id", "create_project", "--max-examples", "10", "--seed", seed)
        code, output = schemathesis(url, login(url, ADA), tmp_path, *options)
    assert code == 1, output[-4000:]
    assert "ST101 Server error" in output and "POST /api/projects" in output
    lengths = [len(d) for d in re.findall(r'"description": "([^"]*)"', output)]
    assert lengths and max(lengths) > 255


@pytest.mark.parametrize("seed", ["1", "2"])
def test_an_id_past_64_bits_crashing_the_lookup_is_found(tmp_path: Path, seed: str) -> None:
    with serve(settings("int64-path-500")) as url:
        options = ["--max-examples", "20", "--seed", seed]
        for operation in ("get_project", "list_tasks", "get_task"):
            options += ["--include-operation-id", operation]
        code, output = schemathesis(url, login(url, ADA), tmp_path, *options)
    assert code == 1, output[-4000:]
    assert "ST101 Server error" in output
    crashing_ids = [int(i) for i in re.findall(r"curl -X GET .*?/api/(?:projects|tasks)/(\d+)", output)]
    assert crashing_ids and all(i > INT64_MAX for i in crashing_ids)
