"""The gate on a platform it was not built with: taskboard (FastAPI + PyJWT), configured from `init`.

A team's path, as the README's "Gate your own platform" tells it: `contractgate init` on the service's
own `/openapi.json` and AsyncAPI document, then the few lines a person decides (the accounts and their
roles, who may call the admin operation, how the WebSocket takes its token and what its messages are,
the sandbox's writes and the issuer's signing key), credentials in the environment. The faithful service
passes with zero failures; each planted fault fails the gate (exit 1), named by the check that caught it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractgate.cli import main
from tests.platforms.taskboard import DEMO_ACCOUNTS, Settings, serve

TASKBOARD = Path(__file__).resolve().parents[1] / "platforms" / "taskboard"

#: What a person adds to what `init` wrote (the README shows the same lines).
MANIFEST_LINES = """
accounts:
  user: {roles: [user], tenant: northwind}
  other-user: {roles: [user], tenant: southpaw}
  admin: {roles: [admin], tenant: taskboard}
operations:
  GET /api/admin/stats: {roles: [admin]}
websocket:
  handshake: {auth: [header, query], query: token, refused-status: 403, token-kind: user}
  roles: {first: hello, ping: ping, pong: pong, error: error}
  error_codes: {unknown-type: unknown-type}
"""
SANDBOX = [
    "POST /api/projects",
    "DELETE /api/projects/{project_id}",
    "POST /api/projects/{project_id}/tasks",
    "DELETE /api/tasks/{task_id}",
]
ENVIRONMENT = {
    "CONTRACTGATE_USER_USERNAME": "ada@northwind.test",
    "CONTRACTGATE_USER_PASSWORD": "ada-correct-horse",
    "CONTRACTGATE_OTHER_USER_USERNAME": "brian@southpaw.test",
    "CONTRACTGATE_OTHER_USER_PASSWORD": "brian-battery-staple",
    "CONTRACTGATE_ADMIN_USERNAME": "root@taskboard.test",
    "CONTRACTGATE_ADMIN_PASSWORD": "root-admin-passphrase",
    "STAGING_SIGNING_KEY": Settings(DEMO_ACCOUNTS).secret,
}
EVERY_SUITE = "pacts,fuzz,websocket,versioning,tokens,crossauth"

#: fault → (the suites that judge it, the checks that must name it).
FAULTS = {
    "signature-not-verified": ("tokens", {("tokens", "bad-signature"), ("tokens", "tampered-claim")}),
    "audience-not-checked": ("tokens", {("tokens", "wrong-audience")}),
    "expiry-not-checked": ("tokens,crossauth,websocket", {("tokens", "expired"), ("crossauth", "expired")}),
    "idor": ("crossauth", {("crossauth", "other-owner")}),
    "websocket-no-auth": ("websocket", {("websocket", "handshake-missing-token")}),
    "long-input-500": ("fuzz", {("fuzz", "not_a_server_error")}),
    "response-field-dropped": ("fuzz", {("fuzz", "response_schema_conformance")}),
    "undeclared-status": ("fuzz", {("fuzz", "status_code_conformance")}),
    "int64-path-500": ("fuzz", {("fuzz", "not_a_server_error")}),
}


def configure(url: str, folder: Path) -> None:
    """`contractgate init` from the running service, then the documented lines."""
    assert main(["init", f"{url}/openapi.json", "--asyncapi", str(TASKBOARD / "asyncapi.yaml")]) == 0
    manifest = folder / "contracts" / "platform.yaml"
    text = manifest.read_text(encoding="utf-8")
    written = "accounts:\n  user:\n    roles: []\n  other-user:\n    roles: []\n"
    assert written in text, "init's accounts are replaced by the person's"
    manifest.write_text(text.replace(written, "") + MANIFEST_LINES, encoding="utf-8")
    config = folder / "contractgate.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("# allow_writes = []", f"allow_writes = {json.dumps(SANDBOX)}\n#", 1)
    text = text.replace("# signing_key_env", "signing_key_env", 1)
    text += '\n[targets.staging.users.admin]\nusername_env = "CONTRACTGATE_ADMIN_USERNAME"\n'
    text += 'password_env = "CONTRACTGATE_ADMIN_PASSWORD"\n'
    config.write_text(text, encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    yield tmp_path


def gate(folder: Path, suites: str, *extra: str) -> tuple[int, dict]:
    reports = folder / "reports"
    code = main(
        ["gate", "--target", "staging", "--suite", suites, "--report-dir", str(reports), "-q", *extra]
    )
    return code, json.loads((reports / "gate.json").read_text(encoding="utf-8"))


def failing(report: dict) -> set[tuple[str, str]]:
    """(suite, check family) of every blocking failure or error (advisories apart)."""
    return {
        (r["suite"], r["check"].split(":")[0])
        for r in report["results"]
        if r["verdict"] in ("fail", "error") and r["basis"] != "policy"
    }


def test_the_faithful_platform_passes_with_zero_failures(folder: Path) -> None:
    with serve(Settings(DEMO_ACCOUNTS)) as url:
        configure(url, folder)
        code, report = gate(folder, EVERY_SUITE)
    assert failing(report) == set()
    assert code == 0
    ran = {r["suite"] for r in report["results"] if r["verdict"] == "pass"}
    assert ran == {"fuzz", "websocket", "versioning", "tokens", "crossauth"}
    # Every skip names what would let it run.
    assert all(r["observed"] for r in report["results"] if r["verdict"] == "skipped")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_planted_fault_fails_the_gate_naming_its_check(folder: Path, fault: str) -> None:
    suites, named = FAULTS[fault]
    with serve(Settings(DEMO_ACCOUNTS, faults=frozenset({fault}))) as url:
        configure(url, folder)
        code, report = gate(folder, suites)
    assert code == 1, (fault, failing(report), report["stopped"])
    assert named <= failing(report), (fault, failing(report))
