"""The auth stub's token behaviours: grants, rotation, refresh reuse, revocation, throttling, expiry."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
from starlette.testclient import TestClient

from stubs.auth import create_app
from stubs.settings import AuthSettings
from tests.clock import FakeClock

ALICE = {"grant_type": "password", "username": "alice@example.com", "password": "alice-password"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> Iterator[TestClient]:
    settings = AuthSettings(
        clock=clock, key_grace_seconds=600, throttle_max_failures=3, throttle_lockout_seconds=30
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def login(client: TestClient, **overrides: str) -> dict[str, str]:
    response = client.post("/v2/auth/token", data={**ALICE, **overrides})
    assert response.status_code == 200, response.text
    return response.json()


def service_token(
    client: TestClient, client_id: str = "backend-service", audience: str = "auth", **extra: str
) -> str:
    response = client.post(
        "/v2/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": f"{client_id}-secret",
            "audience": audience,
            **extra,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def introspect(client: TestClient, token: str) -> dict[str, object]:
    response = client.post(
        "/v2/auth/introspect",
        data={"token": token},
        headers={"Authorization": f"Bearer {service_token(client)}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def userinfo(client: TestClient, token: str) -> int:
    return client.get("/v2/auth/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code


def test_password_grant_issues_rs256_access_token_with_kid_and_claims(client: TestClient) -> None:
    tokens = login(client, audience="websocket")
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "RS256" and header["typ"] == "at+jwt"
    jwks = client.get("/.well-known/jwks.json").json()
    assert header["kid"] in {k["kid"] for k in jwks["keys"]}
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(tokens["access_token"], key, algorithms=["RS256"], audience="websocket")
    assert {"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "tenant_id", "roles", "scope"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert claims["tenant_id"] == "acme" and claims["roles"] == ["member"]
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900


def test_wrong_password_and_unknown_account_answer_the_same_body(client: TestClient) -> None:
    wrong = client.post("/v2/auth/token", data={**ALICE, "password": "nope"})
    unknown = client.post(
        "/v2/auth/token", data={**ALICE, "username": "nobody@example.com", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 400
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_reuse_revokes_the_whole_family(client: TestClient) -> None:
    first = login(client)
    second = client.post(
        "/v2/auth/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert userinfo(client, rotated["access_token"]) == 200

    reuse = client.post(
        "/v2/auth/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    # The family is gone: the latest refresh token and every access token of the session.
    again = client.post(
        "/v2/auth/token", data={"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]}
    )
    assert again.status_code == 400
    assert userinfo(client, rotated["access_token"]) == 401
    assert userinfo(client, first["access_token"]) == 401
    assert introspect(client, rotated["access_token"]) == {"active": False}


def test_revoked_access_token_is_inactive_at_once(client: TestClient) -> None:
    tokens = login(client)
    assert introspect(client, tokens["access_token"])["active"] is True
    assert client.post("/v2/auth/revoke", data={"token": tokens["access_token"]}).status_code == 200
    assert introspect(client, tokens["access_token"]) == {"active": False}
    assert userinfo(client, tokens["access_token"]) == 401
    # The refresh token of the session is still good: revoking one access token is not a logout.
    refreshed = client.post(
        "/v2/auth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200


def test_revoking_a_refresh_token_revokes_its_family(client: TestClient) -> None:
    tokens = login(client)
    assert client.post("/v2/auth/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    assert introspect(client, tokens["refresh_token"]) == {"active": False}
    assert introspect(client, tokens["access_token"]) == {"active": False}


def test_revoke_answers_200_for_unknown_tokens(client: TestClient) -> None:
    assert client.post("/v2/auth/revoke", data={"token": "not-a-token"}).status_code == 200


def test_v1_logout_revokes_access_and_refresh(client: TestClient) -> None:
    tokens = client.post(
        "/v1/auth/login", json={"email": "bob@example.com", "password": "bob-password"}
    ).json()
    response = client.post(
        "/v1/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code == 204
    assert (
        client.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code
        == 401
    )
    assert client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_rotation_keeps_previous_key_for_the_grace_period_then_removes_it(
    client: TestClient, clock: FakeClock
) -> None:
    old = login(client)["access_token"]
    old_kid = jwt.get_unverified_header(old)["kid"]
    rotated = client.post("/_contractgate/keys/rotate").json()
    assert rotated["previous_kid"] == old_kid and rotated["kid"] != old_kid
    assert {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]} == {
        old_kid,
        rotated["kid"],
    }
    new = login(client)["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == rotated["kid"]
    assert userinfo(client, old) == 200  # within the grace period

    clock.advance(601)  # past the grace period (tokens last 900 s, so only the key decides)
    assert {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]} == {rotated["kid"]}
    assert userinfo(client, old) == 401
    assert introspect(client, old) == {"active": False}
    assert userinfo(client, new) == 200


def test_retire_removes_the_previous_key_at_once(client: TestClient) -> None:
    old = login(client)["access_token"]
    client.post("/_contractgate/keys/rotate")
    assert client.post("/_contractgate/keys/retire").json()["removed"] == [
        jwt.get_unverified_header(old)["kid"]
    ]
    assert userinfo(client, old) == 401


def test_expiry_is_enforced_without_leeway(client: TestClient, clock: FakeClock) -> None:
    token = login(client)["access_token"]
    clock.advance(899)
    assert userinfo(client, token) == 200
    clock.advance(2)
    response = client.get("/v2/auth/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_refresh_token_is_not_an_access_token(client: TestClient) -> None:
    tokens = login(client)
    assert userinfo(client, tokens["refresh_token"]) == 401


def test_service_tokens_are_audience_and_scope_bound(client: TestClient) -> None:
    token = service_token(client, "websocket-service", "backend")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (
        claims["aud"] == "backend"
        and claims["scope"] == "runs:read"
        and claims["client_id"] == "websocket-service"
    )
    assert "tenant_id" not in claims

    denied_scope = client.post(
        "/v2/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "websocket-service",
            "client_secret": "websocket-service-secret",
            "audience": "backend",
            "scope": "runs:write",
        },
    )
    assert denied_scope.status_code == 400 and denied_scope.json()["error"] == "invalid_scope"
    denied_audience = client.post(
        "/v2/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "backend-service",
            "client_secret": "backend-service-secret",
            "audience": "websocket",
        },
    )
    assert denied_audience.status_code == 400 and denied_audience.json()["error"] == "invalid_target"
    bad_secret = client.post(
        "/v2/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "backend-service",
            "client_secret": "x",
            "audience": "auth",
        },
    )
    assert bad_secret.status_code == 401 and bad_secret.headers["www-authenticate"].startswith("Basic ")


def test_client_secret_basic_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/v2/auth/token",
        data={"grant_type": "client_credentials", "audience": "auth"},
        auth=("backend-service", "backend-service-secret"),
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "auth:introspect"


def test_introspection_requires_the_scope_and_the_auth_audience(client: TestClient) -> None:
    user = login(client)["access_token"]
    wrong_audience = service_token(client, "websocket-service", "backend")
    for bearer, status in ((user, 403), (wrong_audience, 403), ("garbage.token.here", 401)):
        response = client.post(
            "/v2/auth/introspect", data={"token": user}, headers={"Authorization": f"Bearer {bearer}"}
        )
        assert response.status_code == status, (bearer, response.text)
    assert client.post("/v2/auth/introspect", data={"token": user}).status_code == 401


def test_service_token_is_not_a_user_token(client: TestClient) -> None:
    assert userinfo(client, service_token(client)) == 403


def test_brute_force_throttling_locks_known_and_unknown_accounts_alike(
    client: TestClient, clock: FakeClock
) -> None:
    for username in ("alice@example.com", "ghost@example.com"):
        statuses = [
            client.post("/v2/auth/token", data={**ALICE, "username": username, "password": "bad"}).status_code
            for _ in range(3)
        ]
        assert statuses == [400, 400, 400]
        locked = client.post("/v2/auth/token", data={**ALICE, "username": username, "password": "bad"})
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["retry-after"]) <= 30
    # Even the right password waits out the lockout, over v1 too.
    assert client.post("/v2/auth/token", data=ALICE).status_code == 429
    assert (
        client.post(
            "/v1/auth/login", json={"email": "alice@example.com", "password": "alice-password"}
        ).status_code
        == 429
    )
    clock.advance(31)
    assert client.post("/v2/auth/token", data=ALICE).status_code == 200


def test_v1_responses_carry_deprecation_headers_and_v2_do_not(client: TestClient) -> None:
    responses = [
        client.post("/v1/auth/login", json={"email": "alice@example.com", "password": "alice-password"}),
        client.get("/v1/auth/me"),
        client.post("/v1/auth/login", json={"email": "alice@example.com"}),
        client.get("/v1/auth/unknown"),
    ]
    assert [r.status_code for r in responses] == [200, 401, 422, 404]
    for response in responses:
        assert response.headers["deprecation"].startswith("@")
        assert response.headers["sunset"].endswith("GMT")
        assert 'rel="successor-version"' in response.headers["link"]
    assert client.get("/v1/auth/me").headers["link"] == '</v2/auth/userinfo>; rel="successor-version"'
    v2 = client.post("/v2/auth/token", data=ALICE)
    assert "deprecation" not in v2.headers and "sunset" not in v2.headers


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"{", "headers": {"content-type": "application/json"}}, 400),
        ({"content": b"email=x", "headers": {"content-type": "text/plain"}}, 415),
        ({"json": {"email": "not-an-email", "password": "x"}}, 422),
        ({"json": {"email": "a@example.com", "password": "x", "admin": True}}, 422),
        ({"json": ["a", "b"]}, 422),
        ({"content": b"\xff\xfe", "headers": {"content-type": "application/json"}}, 400),
    ],
)
def test_bad_input_is_a_problem_not_a_500(client: TestClient, kwargs: dict[str, object], status: int) -> None:
    response = client.post("/v1/auth/login", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_token_endpoint_rejects_duplicate_and_unknown_form_fields(client: TestClient) -> None:
    duplicated = client.post(
        "/v2/auth/token",
        content=b"grant_type=password&grant_type=password&username=a&password=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert duplicated.status_code == 422
    unknown = client.post("/v2/auth/token", data={**ALICE, "is_admin": "true"})
    assert unknown.status_code == 422


def test_an_unreadable_token_request_is_an_oauth_invalid_request(client: TestClient) -> None:
    # RFC 6749 §5.2, as the contract's OAuthError response says: `error` member, never cached.
    response = client.post(
        "/v2/auth/token",
        content=b"grant_type",  # not a form
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == "invalid_request"
    revoke = client.post(
        "/v2/auth/revoke", content=b"token", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert revoke.status_code == 400 and "error" not in revoke.json()


def test_malformed_authorization_headers_are_refused(client: TestClient) -> None:
    token = login(client)["access_token"]
    for header in (
        f"Bearer  {token}",
        f"Basic {token}",
        f"Bearer {token} {token}",
        "Bearer",
        "",
        f"Token {token}",
    ):
        response = client.get("/v2/auth/userinfo", headers={"Authorization": header})
        assert response.status_code == 401, header
    assert userinfo(client, token) == 200


def test_provider_states_answer_values_for_generators(client: TestClient) -> None:
    def state(name: str, **params: object) -> dict[str, object]:
        response = client.post(
            "/_contractgate/provider-states", json={"state": name, "params": params, "action": "setup"}
        )
        assert response.status_code == 200, response.text
        return response.json()

    logged_in = state("a user is logged in", user="bob@example.com", audience="websocket")
    assert str(logged_in["token"]).startswith("Bearer ")
    assert userinfo(client, str(logged_in["access_token"])) == 200
    assert userinfo(client, str(state("a revoked access token exists")["access_token"])) == 401
    assert userinfo(client, str(state("an expired access token exists")["access_token"])) == 401
    spent = state("a spent refresh token exists")
    assert client.post("/v1/auth/refresh", json={"refresh_token": spent["refresh_token"]}).status_code == 401
    assert state("login is throttled", user="bob@example.com")["retry_after"] > 0
    assert (
        client.post(
            "/v1/auth/login", json={"email": "bob@example.com", "password": "bob-password"}
        ).status_code
        == 429
    )
    client.post(
        "/_contractgate/provider-states",
        json={"state": "login is throttled", "params": {"user": "bob@example.com"}, "action": "teardown"},
    )
    assert (
        client.post(
            "/v1/auth/login", json={"email": "bob@example.com", "password": "bob-password"}
        ).status_code
        == 200
    )
    wrong_issuer = state("a signed token", claims={"iss": "https://evil.example"})
    assert userinfo(client, str(wrong_issuer["access_token"])) == 401
    assert userinfo(client, str(state("a signed token")["access_token"])) == 200
    assert userinfo(client, str(state("a token signed by a removed key")["access_token"])) == 401
    unknown = client.post("/_contractgate/provider-states", json={"state": "no such state"})
    assert unknown.status_code == 400 and "a user is logged in" in unknown.json()["known_states"]
