"""The stubs' browser boundary and health, as the contracts declare them: CORS on the declared paths only,
the WebSocket refusing other origins, and health answers that report each dependency."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from stubs.platform import Platform, PlatformOptions
from tests.stubs.websocket_support import ALICE, password_token

APP = "https://app.example.com"
PREVIEW = "https://pr-7.preview.app.example.com"


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with Platform() as served:
        yield served


def preflight(url: str, origin: str, method: str = "GET") -> httpx.Response:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization",
    }
    return httpx.options(url, headers=headers)


def test_cors_covers_the_declared_paths_with_the_declared_grant(platform: Platform) -> None:
    granted = preflight(platform.backend_url + "/v2/threads", PREVIEW, "POST")
    assert granted.status_code == 200 and granted.headers["access-control-allow-origin"] == PREVIEW
    assert granted.headers["access-control-allow-credentials"] == "true"
    assert granted.headers["access-control-allow-methods"] == "GET, POST, DELETE"
    assert granted.headers["access-control-max-age"] == "600"
    assert "access-control-allow-origin" not in preflight(platform.backend_url + "/v1/threads", APP).headers
    assert (
        "access-control-allow-origin"
        not in preflight(platform.backend_url + "/v2/threads", "https://evil.invalid").headers
    )
    assert preflight(platform.auth_url + "/v2/auth/token", APP, "PUT").status_code == 400
    answer = httpx.get(platform.backend_url + "/v2/users/me", headers={"Origin": APP})
    assert answer.status_code == 401 and answer.headers["access-control-allow-origin"] == APP
    assert answer.headers["vary"] == "Origin"
    assert "WWW-Authenticate" in answer.headers["access-control-expose-headers"]


def handshake(platform: Platform, origin: str | None) -> int:
    token = password_token(platform, ALICE, "websocket")

    async def attempt() -> int:
        headers = [("Authorization", f"Bearer {token}")] + ([("Origin", origin)] if origin else [])
        try:
            async with connect(platform.websocket_url + "/ws", additional_headers=headers, proxy=None):
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return asyncio.run(attempt())


def test_the_websocket_refuses_other_origins_before_the_token(platform: Platform) -> None:
    assert handshake(platform, "https://evil.invalid") == 403
    assert handshake(platform, "null") == 403
    assert handshake(platform, APP) == 101
    assert handshake(platform, PREVIEW) == 101
    assert handshake(platform, None) == 101  # no Origin: not a browser


def test_health_reports_each_dependency(platform: Platform) -> None:
    assert httpx.get(platform.auth_url + "/health").json() == {"status": "ok"}
    assert httpx.get(platform.websocket_http_url + "/health").json() == {
        "status": "ok",
        "dependencies": {"auth-service": {"status": "ok"}, "backend-service": {"status": "ok"}},
    }


def test_health_is_a_503_naming_a_dependency_that_is_down() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with Platform(
        PlatformOptions(backend={"websocket_url": "ws://127.0.0.1:9"}, websocket={"backend_url": dead})
    ) as down:
        answer = httpx.get(down.websocket_http_url + "/health")
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["detail"] == "not ready: backend-service down"
    assert body["dependencies"]["auth-service"] == {"status": "ok"}
    assert body["dependencies"]["backend-service"]["status"] == "down"
    assert "ConnectError" in body["dependencies"]["backend-service"]["detail"]
