"""How fast a revocation reaches the resource stubs: figures from real servers, no assertion.

Against `contractgate stubs serve` (its own process), `--trials` times each:
- the revocation's answer: `POST /v2/auth/revoke` sent → answered. The auth stub answers once every
  service following its revocation feed has acknowledged the change, so this bounds the propagation;
- the backend refusing: revocation sent → `GET /v2/users/me` with that token answered 401;
- an open WebSocket closing: revocation sent → close 4410 received.
Median and worst of the trials are printed. Needs nothing beyond the project's dependencies.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from benchmarks.servers import served_stubs

LOGIN = {"grant_type": "password", "username": "alice@example.com", "password": "alice-password"}


async def _trial(
    auth: httpx.AsyncClient, backend: httpx.AsyncClient, ws_url: str
) -> tuple[float, float, float]:
    token = (await auth.post("/v2/auth/token", data={**LOGIN, "audience": "backend"})).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await backend.get("/v2/users/me", headers=headers)).status_code == 200
    started = time.perf_counter()
    assert (await auth.post("/v2/auth/revoke", data={"token": token})).status_code == 200
    answered = time.perf_counter() - started
    assert (await backend.get("/v2/users/me", headers=headers)).status_code == 401
    refused = time.perf_counter() - started

    token = (await auth.post("/v2/auth/token", data={**LOGIN, "audience": "websocket"})).json()[
        "access_token"
    ]
    async with connect(
        ws_url, additional_headers={"Authorization": f"Bearer {token}"}, proxy=None
    ) as socket_:
        await socket_.recv()  # welcome
        started = time.perf_counter()
        await auth.post("/v2/auth/revoke", data={"token": token})
        try:
            while True:
                await asyncio.wait_for(socket_.recv(), 5)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4410, closed
        closed_after = time.perf_counter() - started
    return answered, refused, closed_after


async def _trials(urls: dict[str, str], trials: int) -> list[tuple[float, float, float]]:
    ws_url = urls["websocket-service"].replace("http", "ws", 1) + "/ws"
    async with (
        httpx.AsyncClient(base_url=urls["auth-service"], trust_env=False) as auth,
        httpx.AsyncClient(base_url=urls["backend-service"], trust_env=False) as backend,
    ):
        return [await _trial(auth, backend, ws_url) for _ in range(trials)]


def section_revocation(trials: int) -> list[str]:
    with served_stubs() as stubs:
        results = asyncio.run(_trials(stubs.urls, trials))
    lines = [f"## 4. Revocation reaching the resource stubs ({trials} trials, ms: median / worst)"]
    for index, label in enumerate(
        (
            "revoke answered (every follower has acknowledged)",
            "backend refuses the token (revoke sent → 401)",
            "open WebSocket closed (revoke sent → close 4410)",
        )
    ):
        figures = [r[index] * 1000 for r in results]
        lines.append(f"{label:<52} {statistics.median(figures):7.2f} / {max(figures):7.2f}")
    return lines
