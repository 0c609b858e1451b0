"""`contractgate init`: from a team's own spec to a contracts folder and configuration, never overwriting."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from contractgate.cli import main
from providers.platform import of_folder
from tests.providers.test_discovery import FASTAPI_LIKE


def test_init_writes_the_folder_the_manifest_and_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(FASTAPI_LIKE))
    monkeypatch.chdir(tmp_path)
    assert main(["init", str(spec), "--websocket", "ws://127.0.0.1:1/ws"]) == 0
    out = capsys.readouterr().out
    assert "login at /token" in out and "GET /admin" in out
    manifest = yaml.safe_load((tmp_path / "contracts" / "platform.yaml").read_text())
    assert manifest["documents"] == {"openapi/shop.yaml": {"service": "shop"}}
    assert manifest["tokens"]["issuer"] == "shop" and manifest["tokens"]["login"]["path"] == "/token"
    assert manifest["resources"]["order_id"] == {"state": "an order exists", "value": "order_id"}
    assert "DECIDE" in (tmp_path / "contracts" / "platform.yaml").read_text()
    config = tomllib.loads((tmp_path / "contractgate.toml").read_text())
    assert config["contracts"] == "contracts"
    assert config["targets"]["staging"]["users"]["user"]["username_env"] == "CONTRACTGATE_USER_USERNAME"
    asyncapi = yaml.safe_load((tmp_path / "contracts" / "asyncapi" / "shop.yaml").read_text())
    assert asyncapi["channels"]["events"]["address"] == "/ws"
    # What it wrote is a contracts folder the gate reads without complaint.
    platform = of_folder(tmp_path / "contracts")
    assert platform.issuer is not None and platform.issuer.login is not None
    assert platform.issuer.login.payload({"username": "u", "password": "p"}) == {
        "username": "u",
        "password": "p",
        "grant_type": "password",
    }
    assert platform.states["a line exists"]["steps"][0]["request"] == "POST /orders"


def test_init_never_overwrites_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(FASTAPI_LIKE))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contractgate.toml").write_text("seed = 1\n")
    assert main(["init", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "contractgate.toml exists" in err and err.count("\n") == 1
    assert (tmp_path / "contractgate.toml").read_text() == "seed = 1\n"
    assert main(["init", str(spec), "--force"]) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [("openapi: [", "not a JSON or YAML document"), ("swagger: '2.0'\n", "not an OpenAPI 3 document")],
)
def test_a_document_init_cannot_read_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["init", str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
