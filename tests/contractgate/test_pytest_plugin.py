"""The pytest plugin: fixtures for the running stubs, a token factory, and a switch to a live target."""

from __future__ import annotations

import pytest

from stubs.platform import Platform

INNER_TESTS = """
import httpx

def test_tokens_work_against_the_target(contractgate_urls, token_factory):
    backend = contractgate_urls["backend-service"]
    me = httpx.get(backend + "/v2/users/me", headers={"Authorization": "Bearer " + token_factory.user()})
    assert me.status_code == 200 and me.json()["email"] == "alice@example.com"
    admin = httpx.get(backend + "/v2/admin/usage", headers={"Authorization": "Bearer " + token_factory.user("admin")})
    assert admin.status_code == 200
    member = httpx.get(backend + "/v2/admin/usage", headers={"Authorization": "Bearer " + token_factory.user()})
    assert member.status_code == 403
    service = token_factory.service("backend", "runs:read")
    run = httpx.get(backend + "/internal/v1/runs/00000000-0000-4000-8000-000000000000",
                    headers={"Authorization": "Bearer " + service})
    assert run.status_code == 404

def test_expired_tokens_are_refused(contractgate_urls, token_factory):
    expired = token_factory.expired()
    me = httpx.get(contractgate_urls["backend-service"] + "/v2/users/me",
                   headers={"Authorization": "Bearer " + expired})
    assert me.status_code == 401

def test_which_target(contractgate_target, pytestconfig):
    expected = pytestconfig.getoption("contractgate_target") or "stubs"
    assert contractgate_target.name == expected
"""


def test_fixtures_serve_the_embedded_stubs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=3)


def test_the_same_tests_run_against_a_named_live_target(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Platform() as platform:
        pytester.makefile(
            ".toml",
            contractgate=f"""
[targets.staging]
services = {{ auth-service = "{platform.auth_url}", backend-service = "{platform.backend_url}" }}

[targets.staging.users.member]
username_env = "STAGING_MEMBER"
password_env = "STAGING_MEMBER_PASSWORD"
[targets.staging.users.admin]
username_env = "STAGING_ADMIN"
password_env = "STAGING_ADMIN_PASSWORD"
[targets.staging.clients.websocket-service]
secret_env = "STAGING_WS_SECRET"
grants = {{ backend = ["runs:read"] }}
""",
        )
        monkeypatch.setenv("STAGING_MEMBER", "alice@example.com")
        monkeypatch.setenv("STAGING_MEMBER_PASSWORD", "alice-password")
        monkeypatch.setenv("STAGING_ADMIN", "admin@example.com")
        monkeypatch.setenv("STAGING_ADMIN_PASSWORD", "admin-password")
        monkeypatch.setenv("STAGING_WS_SECRET", "websocket-service-secret")
        pytester.makepyfile(test_inner=INNER_TESTS)
        result = pytester.runpytest_subprocess(
            "-p",
            "no:cacheprovider",
            "-rs",
            "--contractgate-target",
            "staging",
            "--contractgate-config",
            "contractgate.toml",
        )
    # No state hook on a live target: the expired token cannot be minted there, so that test is skipped.
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*cannot mint expired tokens*"])
