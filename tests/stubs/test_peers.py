"""How a resource service reaches its peers: JWKS caching under concurrency and rotation, and a crowd of
requests kept out of the connection pool's queue."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from stubs.auth import create_app
from stubs.peers import MAX_IN_FLIGHT, PeerClient, RemoteJWKS
from stubs.settings import PeerSettings


class SlowTransport(httpx.AsyncBaseTransport):
    """The auth service over a slow network: concurrent callers really overlap."""

    def __init__(self, app: object) -> None:
        self._inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return await self._inner.handle_async_request(request)


def test_a_cold_jwks_cache_under_concurrent_requests_fetches_once_and_serves_everyone() -> None:
    auth = create_app()
    settings = PeerSettings(
        auth_url="http://auth",
        client_factory=lambda url: httpx.AsyncClient(transport=SlowTransport(auth), base_url=url),
    )
    jwks = RemoteJWKS(PeerClient("http://auth", settings), settings)
    kid = auth.state.service.keys.current.kid

    async def main() -> list[object]:
        return await asyncio.gather(*(jwks.get(kid) for _ in range(20)))

    keys = asyncio.run(main())
    assert all(key is not None for key in keys)
    assert jwks.fetches == 1


def test_an_unknown_kid_refetches_at_most_once_per_interval() -> None:
    auth = create_app()
    settings = PeerSettings(
        auth_url="http://auth",
        jwks_refetch_interval=3600,
        client_factory=lambda url: httpx.AsyncClient(transport=httpx.ASGITransport(app=auth), base_url=url),
    )
    jwks = RemoteJWKS(PeerClient("http://auth", settings), settings)

    async def main() -> None:
        assert await jwks.get(auth.state.service.keys.current.kid) is not None
        for forged in ("a", "b", "c"):
            assert await jwks.get(forged) is None

    asyncio.run(main())
    assert jwks.fetches == 1


def test_a_crowd_of_requests_waits_outside_the_pool_and_every_one_is_answered() -> None:
    in_flight = peak = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    settings = PeerSettings(
        auth_url="http://backend",
        client_factory=lambda url: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=url),
    )
    client = PeerClient("http://backend", settings)

    async def main() -> list[int]:
        responses = await asyncio.gather(*(client.request("GET", "/poll") for _ in range(5 * MAX_IN_FLIGHT)))
        return [response.status_code for response in responses]

    assert asyncio.run(main()) == [200] * (5 * MAX_IN_FLIGHT)
    assert peak == MAX_IN_FLIGHT
