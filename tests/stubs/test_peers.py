"""How a resource service reaches the auth service: JWKS caching under concurrency and rotation."""

from __future__ import annotations

import asyncio

import httpx

from stubs.auth import create_app
from stubs.peers import PeerClient, RemoteJWKS
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
