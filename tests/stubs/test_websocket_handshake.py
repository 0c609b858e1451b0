"""The `/ws` handshake: refused with HTTP 401 problem+json for every bad token, accepted for a user's.

Real sockets against the three stubs on loopback (`stubs.platform.Platform`); the refused tokens are
minted by the auth stub itself (its provider states), so each one is wrong for exactly one reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from stubs.platform import Platform, PlatformOptions
from tests.stubs.websocket_support import ALICE, connected, password_token, provider_state, run


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with Platform(PlatformOptions(websocket={"heartbeat_interval": 5.0})) as started:
        yield started


def refusal(platform: Platform, token: str | None, *, via: str = "header", **kwargs: object) -> InvalidStatus:
    async def attempt() -> InvalidStatus:
        try:
            async with connected(platform, token, via=via, **kwargs):
                pass
        except InvalidStatus as exc:
            return exc
        raise AssertionError("the handshake was accepted")

    return run(attempt())


def assert_problem_401(exc: InvalidStatus, detail: str | None = None) -> None:
    response = exc.response
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = json.loads(bytes(response.body or b""))
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    if detail is not None:
        assert body["detail"] == detail


def test_no_token_is_refused(platform: Platform) -> None:
    assert_problem_401(refusal(platform, None), "a bearer token is required")


def test_garbage_token_is_refused(platform: Platform) -> None:
    assert_problem_401(refusal(platform, "abc.def.ghi"))


def test_malformed_authorization_header_is_refused(platform: Platform) -> None:
    exc = refusal(platform, None, additional_headers={"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="})
    assert_problem_401(exc, "malformed Authorization header")


def test_backend_audience_token_is_refused(platform: Platform) -> None:
    token = password_token(platform, ALICE, audience="backend")
    assert_problem_401(refusal(platform, token), "wrong audience")


def test_expired_token_is_refused(platform: Platform) -> None:
    token = provider_state(platform.auth_url, "an expired access token exists", audience="websocket")
    assert_problem_401(refusal(platform, token["access_token"]), "token expired")


def test_revoked_token_is_refused(platform: Platform) -> None:
    token = provider_state(platform.auth_url, "a revoked access token exists", audience="websocket")
    assert_problem_401(refusal(platform, token["access_token"]), "token revoked")


def test_garbage_subprotocol_token_is_refused(platform: Platform) -> None:
    assert_problem_401(refusal(platform, "abc.def.ghi", via="subprotocol"))


def test_header_token_is_accepted_without_subprotocol(platform: Platform) -> None:
    async def scenario() -> None:
        async with connected(platform, password_token(platform)) as client:
            assert client.connection.subprotocol is None
            welcome = await client.recv()
            assert welcome["type"] == "welcome" and welcome["seq"] == 1

    run(scenario())


def test_subprotocol_token_is_accepted_and_events_v1_selected(platform: Platform) -> None:
    async def scenario() -> None:
        async with connected(platform, password_token(platform), via="subprotocol") as client:
            assert client.connection.subprotocol == "events.v1"
            welcome = await client.recv()
            assert welcome["type"] == "welcome" and welcome["seq"] == 1

    run(scenario())


def test_logged_in_state_answers_a_usable_subprotocol(platform: Platform) -> None:
    state = provider_state(platform.websocket_http_url, "a user is logged in", user=ALICE)
    assert state["token"] == f"Bearer {state['access_token']}"
    assert state["subprotocol"] == f"bearer.{state['access_token']}"

    async def scenario() -> None:
        async with connected(platform, None, subprotocols=["events.v1", state["subprotocol"]]) as client:
            assert (await client.recv())["type"] == "welcome"

    run(scenario())
