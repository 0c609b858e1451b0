"""Revocation without a call per request: the auth stub's feed, followed by the resource stubs.

Real servers on loopback: revoke at the auth stub over HTTP, then poll each service until it refuses
the token, and watch an open WebSocket of that token close. The bound — every service refuses within
100 ms of the revocation — is part of the platform's promise (revocation "at once for every service"),
so it is asserted; how fast it really goes is the benchmarks' business.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from stubs.auth import create_app as auth_app
from stubs.auth.feed import RevocationFeed
from stubs.platform import Platform, PlatformOptions
from stubs.revocations import FEED_PATH
from stubs.server import BackgroundServer, bind
from stubs.settings import AuthSettings
from tests.stubs.websocket_support import ALICE, PASSWORDS, connected, run

BOUND = 0.1  # seconds from sending the revocation to the refusal
REVOKED_CLOSE = (4410, "token revoked")


class CountingAuth:
    """The auth stub, counting the HTTP requests and WebSocket connections that reach it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            self.requests.append(f"{scope.get('method', 'WS')} {scope['path']}")
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[Platform, CountingAuth]]:
    counting: dict[str, CountingAuth] = {}

    def factory(settings: AuthSettings) -> ASGIApp:
        counting["auth"] = CountingAuth(auth_app(settings))
        return counting["auth"]

    with Platform(PlatformOptions(auth_factory=factory)) as platform:
        yield platform, counting["auth"]


@pytest.fixture
def platform(counted: tuple[Platform, CountingAuth]) -> Platform:
    return counted[0]


def login(platform: Platform, audience: str, user: str = ALICE) -> dict[str, Any]:
    answer = httpx.post(
        f"{platform.auth_url}/v2/auth/token",
        data={"grant_type": "password", "username": user, "password": PASSWORDS[user], "audience": audience},
        trust_env=False,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def handshake_status(platform: Platform, token: str) -> int:
    """101 if the WebSocket service accepts the token, else the status it refused the upgrade with."""
    try:
        async with connect(f"{platform.websocket_url}/ws", additional_headers=bearer(token), proxy=None):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_a_request_costs_no_call_to_the_auth_service(counted: tuple[Platform, CountingAuth]) -> None:
    platform, auth = counted
    token = login(platform, "backend")["access_token"]
    with httpx.Client(base_url=platform.backend_url, headers=bearer(token), trust_env=False) as backend:
        assert backend.get("/v2/users/me").status_code == 200  # the first one may fetch the JWKS
        before = list(auth.requests)
        answers = [backend.get("/v2/users/me").status_code for _ in range(20)]
    assert answers == [200] * 20
    assert auth.requests == before, "a resource stub called the auth stub on the request path"
    # Both resource stubs follow the feed, over one connection each.
    assert platform.auth_app.app.state.service.feed.subscribers == 2  # type: ignore[attr-defined]


def test_a_revoked_token_is_refused_by_every_service_within_the_bound(platform: Platform) -> None:
    backend_token = login(platform, "backend")["access_token"]
    websocket_token = login(platform, "websocket")["access_token"]
    with (
        httpx.Client(base_url=platform.backend_url, trust_env=False) as backend,
        httpx.Client(base_url=platform.auth_url, trust_env=False) as auth,
    ):
        assert backend.get("/v2/users/me", headers=bearer(backend_token)).status_code == 200
        assert auth.get("/v2/auth/userinfo", headers=bearer(backend_token)).status_code == 200
        assert run(handshake_status(platform, websocket_token)) == 101

        checks = {
            "backend-service": lambda: backend.get("/v2/users/me", headers=bearer(backend_token)).status_code,
            "auth-service": lambda: auth.get("/v2/auth/userinfo", headers=bearer(backend_token)).status_code,
            "websocket-service": lambda: run(handshake_status(platform, websocket_token)),
        }
        started = time.perf_counter()
        for token in (backend_token, websocket_token):
            assert auth.post("/v2/auth/revoke", data={"token": token}).status_code == 200
        refused_after: dict[str, float] = {}
        for service, check in checks.items():
            while (status := check()) not in (401, 403):
                assert status in (200, 101), f"{service} answered {status}"
                assert time.perf_counter() - started < 5, f"{service} still accepts a revoked token"
            refused_after[service] = time.perf_counter() - started
    assert all(after < BOUND for after in refused_after.values()), refused_after


def test_an_open_websocket_closes_with_4410_within_the_bound_of_a_revocation(platform: Platform) -> None:
    token = login(platform, "websocket")["access_token"]

    async def scenario() -> float:
        async with (
            connected(platform, token) as client,
            httpx.AsyncClient(base_url=platform.auth_url, trust_env=False) as auth,
        ):
            assert (await client.recv())["type"] == "welcome"
            assert (await client.request("ping", {}))["type"] == "pong"  # open and served
            started = time.perf_counter()
            assert (await auth.post("/v2/auth/revoke", data={"token": token})).status_code == 200
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await client.connection.recv()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == REVOKED_CLOSE
            return time.perf_counter() - started

    assert run(scenario()) < BOUND


def test_revoking_the_refresh_token_closes_the_connections_of_its_session(platform: Platform) -> None:
    tokens = login(platform, "websocket")

    async def scenario() -> None:
        async with (
            connected(platform, tokens["access_token"]) as client,
            httpx.AsyncClient(base_url=platform.auth_url, trust_env=False) as auth,
        ):
            await client.recv()
            revoked = await auth.post("/v2/auth/revoke", data={"token": tokens["refresh_token"]})
            assert revoked.status_code == 200
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(client.connection.recv(), BOUND * 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == REVOKED_CLOSE[0]

    run(scenario())


def test_removing_a_signing_key_closes_the_connections_it_signed_and_keeps_the_others() -> None:
    with Platform() as platform:
        old = login(platform, "websocket")["access_token"]
        httpx.post(f"{platform.auth_url}/_contractgate/keys/rotate", trust_env=False).raise_for_status()
        new = login(platform, "websocket")["access_token"]

        async def scenario() -> None:
            async with connected(platform, old) as signed_by_old, connected(platform, new) as signed_by_new:
                await signed_by_old.recv()
                await signed_by_new.recv()
                async with httpx.AsyncClient(base_url=platform.auth_url, trust_env=False) as auth:
                    assert (await auth.post("/_contractgate/keys/retire")).status_code == 200
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(signed_by_old.connection.recv(), BOUND * 5)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == REVOKED_CLOSE[0]
                assert (await signed_by_new.request("ping", {}))["type"] == "pong"

        run(scenario())
        assert run(handshake_status(platform, old)) == 401
        answer = httpx.get(f"{platform.backend_url}/health", trust_env=False)
        assert answer.status_code == 200


def test_a_service_started_after_a_revocation_learns_it_from_the_snapshot(platform: Platform) -> None:
    token = login(platform, "backend")["access_token"]
    assert httpx.post(f"{platform.auth_url}/v2/auth/revoke", data={"token": token}).status_code == 200
    from stubs.backend import create_app as backend_app

    with BackgroundServer(backend_app(platform.backend_settings), bind(), name="late-backend") as late:
        answer = httpx.get(f"{late.url}/v2/users/me", headers=bearer(token), trust_env=False)
    assert answer.status_code == 401
    assert 'error_description="token revoked"' in answer.headers["www-authenticate"]


def test_the_feed_is_for_services_with_the_introspection_scope(platform: Platform) -> None:
    feed = platform.auth_url.replace("http", "ws", 1) + FEED_PATH
    user = login(platform, "backend")["access_token"]

    async def status(headers: dict[str, str]) -> int:
        try:
            async with connect(feed, additional_headers=headers, proxy=None):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert run(status({})) == 401
    assert run(status(bearer(user))) == 403


def test_an_acknowledgement_that_never_comes_holds_an_answer_for_the_bound_only() -> None:
    feed = RevocationFeed(lambda: {}, settle_timeout=0.05)

    async def scenario() -> tuple[bool, float, bool]:
        subscriber, snapshot = feed.subscribe()
        assert snapshot == {"seq": 0, "snapshot": True}
        feed.publish(jti={"a": 1.0})
        assert feed.unsettled and (await subscriber.outbox.get())["jti"] == {"a": 1.0}
        started = time.perf_counter()
        gave_up = await feed.settle()
        waited = time.perf_counter() - started
        feed.ack(subscriber, 1)
        return gave_up, waited, await feed.settle()

    gave_up, waited, settled = asyncio.run(scenario())
    assert not gave_up and 0.04 < waited < 1
    assert settled and not feed.unsettled
