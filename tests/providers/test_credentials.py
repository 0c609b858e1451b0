"""Genuine tokens come from the target's own issuer; refused credentials are config errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contractgate.credentials import default_env_credentials, demo_credentials, env_credentials
from providers.credentials import Credentials, TokenSource, UserAccount
from providers.errors import ConfigError
from providers.http import Limits, RequestGuard, TargetHttp
from providers.platform import of_folder
from providers.redact import Redactor
from providers.target import url_target
from stubs.auth import create_app
from stubs.server import BackgroundServer, bind


@pytest.fixture(scope="module")
def auth_url() -> Iterator[str]:
    with BackgroundServer(create_app(), bind(), name="auth") as server:
        yield server.url


@pytest.fixture
def http() -> Iterator[TargetHttp]:
    client = TargetHttp(RequestGuard(Limits(timeout=5)))
    yield client
    client.close()


def source(
    auth_url: str, http: TargetHttp, credentials: Credentials | None = None
) -> tuple[TokenSource, Redactor]:
    redactor = Redactor()
    target = url_target("t", {"auth-service": auth_url})
    return TokenSource(target, credentials or demo_credentials(), http, redactor), redactor


def test_user_and_service_tokens_are_genuine_and_registered_for_redaction(
    auth_url: str, http: TargetHttp
) -> None:
    tokens, redactor = source(auth_url, http)
    user = tokens.user("admin", "websocket")
    assert user.kind == "user" and user.claims["aud"] == "websocket" and "admin" in user.claims["roles"]
    assert tokens.user("admin", "websocket") is user  # cached
    service = tokens.service("backend", ("runs:write",))
    assert service is not None and service.claims["client_id"] == "agent-worker"
    assert tokens.service("backend", ("runs:delete",)) is None  # nobody may
    assert user.value not in redactor.text(f"x {user.value} y")
    assert "alice-password" not in redactor.text("password alice-password")


def test_refused_credentials_are_a_one_line_config_error(auth_url: str, http: TargetHttp) -> None:
    wrong = Credentials(
        issuer=of_folder().issuer, users=(UserAccount("member", "alice@example.com", "wrong-password"),)
    )
    tokens, _ = source(auth_url, http, wrong)
    with pytest.raises(ConfigError) as caught:
        tokens.user("member")
    message = str(caught.value)
    assert "refused the credentials of user 'member'" in message and "400" in message
    assert "wrong-password" not in message and "\n" not in message


def test_env_credentials_read_variables_and_name_the_missing_one() -> None:
    env = {"M_USER": "alice@example.com", "M_PASS": "alice-password"}
    platform = of_folder()
    users = {"member": {"username_env": "M_USER", "password_env": "M_PASS"}}
    creds = env_credentials(platform, users, {}, environ=env)
    assert creds.user("member").password == "alice-password"
    # Roles and tenant are the manifest's, unless the configuration says otherwise.
    assert creds.user("member").roles == ("member",) and creds.user("member").tenant == "acme"
    with pytest.raises(ConfigError, match="environment variable M_MISSING is not set"):
        env_credentials(
            platform, {"member": {"username_env": "M_USER", "password_env": "M_MISSING"}}, {}, environ=env
        )


def test_default_env_credentials_take_what_is_set_for_the_manifests_accounts_and_refuse_nothing_at_all() -> (
    None
):
    env = {
        "CONTRACTGATE_MEMBER_USERNAME": "alice@example.com",
        "CONTRACTGATE_MEMBER_PASSWORD": "pw",
        "CONTRACTGATE_CLIENT_AGENT_WORKER_SECRET": "s3cret",
    }
    creds = default_env_credentials(of_folder(), env)
    assert [u.name for u in creds.users] == ["member"]
    assert [c.client_id for c in creds.clients] == ["agent-worker"]
    assert creds.clients[0].grants["backend"] == ("runs:read", "runs:write")
    with pytest.raises(ConfigError, match="CONTRACTGATE_MEMBER_USERNAME"):
        default_env_credentials(of_folder(), {})
