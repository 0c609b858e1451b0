"""`contractgate config check` reads the configuration as `gate` does; `config schema` describes it all."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.schema import tables
from providers.settings import keys_of


def test_check_names_the_file_or_the_mistake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "contractgate.toml"
    config.write_text('[targets.staging]\nservices = { api = "https://api.example" }\n')
    assert main(["config", "check", "--config", str(config)]) == 0
    assert capsys.readouterr().out == f"ok: {config}; targets: stubs, staging\n"
    config.write_text("[suite.tokens]\nattacks = 5\n")
    assert main(["config", "check", "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"contractgate: error: {config}: suite.tokens.attacks: must be a list of strings, got 5\n"
    )


def test_schema_lists_every_table_and_key_with_its_doc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema"]) == 0
    text = capsys.readouterr().out
    for name, cls, _ in tables():
        assert f"## {name or 'top level'}\n" in text
        for key in keys_of(cls):
            assert f"| `{key.name}` |" in text
    assert "| `open_timeout` | a number | `10.0` |" in text
    assert "| `rate` | a number | `20.0` | Requests per second across the run" in text  # the live defaults
