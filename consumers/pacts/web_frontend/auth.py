"""web-frontend → auth-service v2: login (password grant), refresh, userinfo, logout (revocation).

Unhappy paths the frontend handles: a wrong password (400 invalid_grant: show the form again), a
throttled account (429: wait `Retry-After`), an expired token (401 with an `invalid_token`
challenge: refresh). The username and password come from the provider state "a user exists".
"""

from __future__ import annotations

from collections.abc import Callable

from pact import match

from consumers.auth_v2 import AuthClient
from consumers.errors import BadRequest, RateLimited, Unauthorized
from consumers.pacts.support import (
    ALICE,
    EXAMPLE_JWT,
    EXAMPLE_REFRESH_JWT,
    EXPIRED_CHALLENGE,
    PROBLEM_JSON,
    USER_ID,
    PactWriter,
    StateValue,
    bearer,
    email,
    jwt,
    problem,
    raises,
    serve_http,
    uuid,
    with_form,
)

CONSUMER = "web-frontend"
JSON = "application/json"
PROVIDER = "auth-service"

TOKENS = {
    "access_token": jwt(),
    "token_type": "Bearer",
    "expires_in": match.int(900),
    "refresh_token": jwt(EXAMPLE_REFRESH_JWT),
    "scope": match.str("openid profile email"),
}
USERNAME = StateValue(ALICE, "${username}")
PASSWORD = StateValue("alice-password", "${password}")


def password_grant(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        interaction = pact.upon_receiving("a password grant for a user").given("a user exists", user=ALICE)
        with_form(
            interaction.with_request("POST", "/v2/auth/token"),
            {"grant_type": "password", "username": USERNAME, "password": PASSWORD, "audience": "backend"},
        )
        interaction.will_respond_with(200).with_body(TOKENS, content_type=JSON)
        with serve_http(pact) as url, AuthClient(url) as client:
            tokens = client.password_grant(ALICE, "alice-password")
    assert tokens.refresh_token == EXAMPLE_REFRESH_JWT


def password_grant_wrong_password(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        interaction = pact.upon_receiving("a password grant with a wrong password").given(
            "a user exists", user=ALICE
        )
        with_form(
            interaction.with_request("POST", "/v2/auth/token"),
            {
                "grant_type": "password",
                "username": USERNAME,
                "password": "not-the-password",
                "audience": "backend",
            },
        )
        interaction.will_respond_with(400).with_body(
            problem(400, error="invalid_grant"), content_type=PROBLEM_JSON
        )
        with serve_http(pact) as url, AuthClient(url) as client, raises(BadRequest) as refused:
            client.password_grant(ALICE, "not-the-password")
    assert refused.value.error == "invalid_grant"


def password_grant_throttled(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        interaction = pact.upon_receiving("a password grant while the account is throttled").given(
            "login is throttled", user=ALICE
        )
        with_form(
            interaction.with_request("POST", "/v2/auth/token"),
            {
                "grant_type": "password",
                "username": ALICE,
                "password": "alice-password",
                "audience": "backend",
            },
        )
        (
            interaction.will_respond_with(429)
            .with_header("Retry-After", match.regex("60", regex=r"^[0-9]+$"))
            .with_body(problem(429), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, AuthClient(url) as client, raises(RateLimited) as throttled:
            client.password_grant(ALICE, "alice-password")
    assert throttled.value.retry_after == 60


def refresh_grant(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        interaction = pact.upon_receiving("a refresh token grant").given("a refresh token exists", user=ALICE)
        with_form(
            interaction.with_request("POST", "/v2/auth/token"),
            {
                "grant_type": "refresh_token",
                "refresh_token": StateValue(EXAMPLE_REFRESH_JWT, "${refresh_token}"),
            },
        )
        interaction.will_respond_with(200).with_body(TOKENS, content_type=JSON)
        with serve_http(pact) as url, AuthClient(url) as client:
            tokens = client.refresh(EXAMPLE_REFRESH_JWT)
    assert tokens.access_token == EXAMPLE_JWT


USER_INFO = {
    "sub": uuid(USER_ID),
    "email": email(),
    "name": match.str("Alice Example"),
    "tenant_id": match.str("acme"),
    "roles": match.each_like("member"),
}


def userinfo(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a userinfo request")
            .given("a user is logged in", user=ALICE, audience="backend")
            .with_request("GET", "/v2/auth/userinfo")
            .with_header("Authorization", bearer())
            .will_respond_with(200)
            .with_body(USER_INFO, content_type=JSON)
        )
        with serve_http(pact) as url, AuthClient(url) as client:
            info = client.userinfo(EXAMPLE_JWT)
    assert info.roles == ("member",)


def userinfo_expired(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        (
            pact.upon_receiving("a userinfo request with an expired token")
            .given("an expired access token exists", user=ALICE, audience="backend")
            .with_request("GET", "/v2/auth/userinfo")
            .with_header("Authorization", bearer())
            .will_respond_with(401)
            .with_header("WWW-Authenticate", EXPIRED_CHALLENGE)
            .with_body(problem(401), content_type=PROBLEM_JSON)
        )
        with serve_http(pact) as url, AuthClient(url) as client, raises(Unauthorized) as expired:
            client.userinfo(EXAMPLE_JWT)
    assert 'error="invalid_token"' in expired.value.challenge


def revoke(writer: PactWriter) -> None:
    with writer.pact(CONSUMER, PROVIDER) as pact:
        interaction = pact.upon_receiving("a revocation of the user's access token").given(
            "a user is logged in", user=ALICE, audience="backend"
        )
        with_form(
            interaction.with_request("POST", "/v2/auth/revoke"),
            {"token": StateValue(EXAMPLE_JWT, "${access_token}")},
        )
        interaction.will_respond_with(200)
        with serve_http(pact) as url, AuthClient(url) as client:
            client.revoke(EXAMPLE_JWT)


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    password_grant,
    password_grant_wrong_password,
    password_grant_throttled,
    refresh_grant,
    userinfo,
    userinfo_expired,
    revoke,
)
