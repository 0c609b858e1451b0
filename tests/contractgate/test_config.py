"""Configuration: discovered or named, typed, and every mistake one line naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgate.config import LIVE_LIMITS, discover, load
from providers.errors import ConfigError

GOOD = """
suites = ["pacts", "fuzz"]
seed = 7
max_examples = 5
report_dir = "out"

[limits]
rate = 3

[suite.fuzz]
config = "st.toml"

[targets.staging]
services = { auth-service = "https://auth.staging.test/", backend-service = "https://api.staging.test" }
allow_writes = ["post /v2/threads"]
limits = { budget = 100 }

[targets.staging.users.member]
username_env = "STAGING_USER"
password_env = "STAGING_PASSWORD"
roles = ["member"]

[targets.staging.clients.backend-service]
secret_env = "STAGING_BACKEND_SECRET"
grants = { auth = ["auth:introspect"] }
"""


def write(tmp_path: Path, text: str, name: str = "contractgate.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_full_configuration_is_typed(tmp_path: Path) -> None:
    config = load(write(tmp_path, GOOD))
    assert config.suites == ("pacts", "fuzz") and config.seed == 7 and config.max_examples == 5
    assert config.report_dir == tmp_path / "out"
    assert config.limits.rate == 3 and config.limits.budget == LIVE_LIMITS.budget
    assert config.suite_settings == {"fuzz": {"config": "st.toml"}}
    staging = config.target("staging")
    assert staging.services["auth-service"] == "https://auth.staging.test"
    assert staging.allow_writes == frozenset({"POST /v2/threads"})
    assert staging.limits.budget == 100 and staging.limits.rate == 3  # target limits on top of the file's
    assert staging.safe is True and staging.users["member"]["password_env"] == "STAGING_PASSWORD"


def test_pyproject_section_is_found_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\n[tool.contractgate]\nseed = 3\n', "pyproject.toml")
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert discover(nested) == tmp_path / "pyproject.toml"
    assert load(discover(nested)).seed == 3


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path, "seed = 1\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert discover(repo) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed = 'x'\n", "seed: must be an integer"),
        ("colour = true\n", "colour: unknown key"),
        (
            "[targets.staging]\nservices = { auth = 'ftp://x' }\n",
            "targets.staging.services.auth: 'ftp://x' is not an http(s) URL",
        ),
        ("[targets.staging]\nsafe = false\n", "targets.staging.services: required (a table of strings)"),
        (
            "[targets.s]\nservices = { a = 'http://a' }\n[targets.s.users.member]\npassword = 'hunter2'\n",
            "literal secrets are not allowed",
        ),
        ("[limits]\nrate = 0\n", "limits.rate: must be greater than 0"),
        ("[targets.stubs]\nservices = { a = 'http://a' }\n", "cannot be redefined"),
        ("max_examples = 0\n", "max_examples: must be at least 1"),
        (
            "[targets.s]\nservices = { a = 'http://a' }\nallow_writes = ['delete everything']\n",
            "is not 'METHOD /path/template'",
        ),
        ("seed = [\n", "not valid TOML"),
    ],
)
def test_mistakes_are_one_line_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value) and "hunter2" not in str(caught.value)


def test_unknown_target_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown target 'prod'.*known: stubs, staging"):
        load(write(tmp_path, GOOD)).target("prod")


def test_a_named_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load(tmp_path / "missing.toml")
