"""The README's "two commands" and "Configuration" sections, tested against what they describe."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from contractgate.cli import build_parser
from contractgate.config import parse
from contractgate.schema import tables

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_configuration_example_is_valid_against_the_schema(tmp_path: Path) -> None:
    (example,) = blocks(section("Configuration"), "toml")
    (tmp_path / "contracts").mkdir()
    config = parse(tomllib.loads(example), tmp_path / "contractgate.toml")
    assert config.seed == 7 and config.target("staging").limits.budget == 2000
    assert set(config.suite_settings) == {"fuzz", "versioning"}


def test_the_example_names_the_signing_key_and_no_literal_secret(tmp_path: Path) -> None:
    (example,) = blocks(section("Configuration"), "toml")
    (tmp_path / "contracts").mkdir()
    config = parse(tomllib.loads(example), tmp_path / "contractgate.toml")
    assert config.target("staging").signing_key_env == "STAGING_SIGNING_KEY"
    assert not re.search(r"(password|secret) = ", example)


def test_every_table_of_the_schema_is_named() -> None:
    text = section("Configuration")
    missing = [name for name, _, _ in tables() if name and name not in text]
    assert missing == []


def test_the_test_command_is_the_script_ci_runs() -> None:
    commands = blocks(section("The two commands"), "sh")[0]
    assert "\nscripts/test\n" in commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'exec "$(dirname "$0")/../scripts/test" --fresh' in ci
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "apt-get install -y -q chromium" in script and '"$venv/bin/pytest" "$@"' in script


def test_the_sharding_recipes_are_valid_yaml_whose_commands_the_cli_takes() -> None:
    start = README.index("### Sharding in CI\n")
    recipes = blocks(README[start : README.index("\n## ", start)], "yaml")
    assert len(recipes) == 2
    lines = []
    for recipe in recipes:
        yaml.safe_load(recipe)
        lines += re.findall(r"contractgate (gate|report merge) (.*)", recipe)
    assert [command for command, _ in lines] == ["gate", "report merge"] * 2
    values = {"${{ matrix.shard }}": "2", "${{ github.run_id }}": "11", "$CI_NODE_INDEX": "2"}
    values |= {"$CI_NODE_TOTAL": "3", "$CI_PIPELINE_ID": "11"}
    for command, rest in lines:
        for name, value in values.items():
            rest = rest.replace(name, value)
        args = build_parser().parse_args([*command.split(), *shlex.split(rest)])
        assert args.shard == (2, 3) if command == "gate" else args.directories
