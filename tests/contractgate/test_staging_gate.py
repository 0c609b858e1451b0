"""The staging contract gate: a named target with a Pact Broker verifies what the broker says and
includes can-i-deploy in its verdict (the broker is the fake one proven faithful in tests/providers/broker)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractgate.cli import main
from stubs.backend import create_app as backend_app
from stubs.platform import Platform, PlatformOptions
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN
from tests.providers.pacts.broken_providers import EditJsonResponses, rename_field

CONSUMERS = ("web-frontend", "mobile-app-legacy", "backend-service", "websocket-service")


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        fake.create_environment("staging")
        monkeypatch.setenv("PACT_BROKER_BASE_URL", fake.url)
        monkeypatch.setenv("PACT_BROKER_TOKEN", TOKEN)
        monkeypatch.setenv("PACT_BROKER_HTTP_RETRIES", "0")
        yield fake


def renamed_backend(settings: object) -> object:
    """A provider change that renames a field web-frontend relies on."""
    return EditJsonResponses(backend_app(settings), "POST", r"/v2/threads", rename_field("name", "title"))


@pytest.fixture(params=["faithful", "broken"])
def staging(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    accounts = {
        "MEMBER": ("alice@example.com", "alice-password"),
        "ADMIN": ("admin@example.com", "admin-password"),
    }
    for name, (user, password) in accounts.items():
        monkeypatch.setenv(f"STAGING_{name}", user)
        monkeypatch.setenv(f"STAGING_{name}_PASSWORD", password)
    options = PlatformOptions(backend_factory=renamed_backend) if request.param == "broken" else None
    with Platform(options) as platform:
        config = tmp_path / "contractgate.toml"
        services = ", ".join(f'{name} = "{url}"' for name, url in platform.urls.items())
        config.write_text(
            f"""
[targets.staging]
services = {{ {services} }}
safe = false
provider_states = true

[targets.staging.users.member]
username_env = "STAGING_MEMBER"
password_env = "STAGING_MEMBER_PASSWORD"

[targets.staging.broker]
environment = "staging"
version = "p1"
provider_branch = "main"
publish_results = true
"""
        )
        yield config, request.param == "broken"


def test_the_staging_gate_verifies_from_the_broker_and_asks_can_i_deploy(
    broker: FakeBroker, staging: tuple[Path, bool], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, broken = staging
    assert main(["broker", "publish", "--consumer-version", "c1", "--branch", "main"]) == 0
    for consumer in CONSUMERS:
        command = f"broker record-deployment --pacticipant {consumer} --version c1 --environment staging"
        assert main(command.split()) == 0
    capsys.readouterr()

    reports = tmp_path / "reports"
    command = ["gate", "--config", str(config), "--target", "staging", "--suite", "pacts,broker"]
    code = main([*command, "--report-dir", str(reports)])
    out = capsys.readouterr().out
    report = json.loads((reports / "gate.json").read_text())
    deploy = {r["service"]: r for r in report["results"] if r["suite"] == "broker"}
    pacts = [r for r in report["results"] if r["suite"] == "pacts"]
    assert set(deploy) == {"auth-service", "backend-service", "websocket-service"}
    assert all(r["check"] == "can-i-deploy" for r in deploy.values())
    # The pacts came from the broker and their results went back to it, as the provider's version.
    assert {v.provider_version for v in broker.verifications("backend-service")} == {"p1"}
    if not broken:
        assert code == 0, out
        assert all(r["verdict"] == "pass" for r in [*deploy.values(), *pacts])
        return
    # The renamed field breaks web-frontend's pact. That pact was never verified on the provider's main
    # branch, so the broker serves it as pending: its failure does not fail the pacts suite (reported
    # pending), but the result is published and can-i-deploy says no — naming the interaction.
    assert code == 1, out
    [pending] = [r for r in pacts if r["verdict"] != "pass"]
    assert pending["operation"] == "web-frontend → backend-service: a new thread"
    assert pending["verdict"] == "skipped" and pending["details"]["pending"] is True
    assert deploy["backend-service"]["verdict"] == "fail"
    assert "a new thread" in json.dumps(deploy["backend-service"])
    assert deploy["auth-service"]["verdict"] == "pass"
