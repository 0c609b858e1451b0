"""The stubs' health operation: ready when every service it depends on answers its own health check.

`GET /health` answers `{"status": "ok", "dependencies": {name: {"status": "ok"}}}` (200) when each
dependency's `/health` answered 200 in time, else a 503 problem (RFC 9457, like every error of the
stubs) whose `dependencies` member names the one that did not and why — what a deployment's readiness
probe reads before sending it traffic. A service
without dependencies answers `{"status": "ok"}`. The probes run concurrently, each bounded by
`PROBE_TIMEOUT`, so a dead dependency makes the answer slow by at most that much.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.peers import PeerClient, PeerUnavailable
from stubs.problems import Problem

__all__ = ["HEALTH_PATH", "health_answer", "health_route"]

HEALTH_PATH = "/health"
PROBE_TIMEOUT = 2.0


async def _probe(peer: PeerClient) -> dict[str, str]:
    try:
        response = await peer.request("GET", HEALTH_PATH, timeout=PROBE_TIMEOUT)
    except PeerUnavailable as exc:
        return {"status": "down", "detail": str(exc)}
    if response.status_code != 200:
        return {"status": "down", "detail": f"{HEALTH_PATH} answered HTTP {response.status_code}"}
    return {"status": "ok"}


async def health_answer(dependencies: Mapping[str, PeerClient]) -> Response:
    """The health answer after probing `dependencies` (service name → its client)."""
    if not dependencies:
        return JSONResponse({"status": "ok"})
    states = await asyncio.gather(*(_probe(peer) for peer in dependencies.values()))
    report = dict(zip(dependencies, states, strict=True))
    if all(state["status"] == "ok" for state in states):
        return JSONResponse({"status": "ok", "dependencies": report})
    down = ", ".join(name for name, state in report.items() if state["status"] != "ok")
    return Problem(503, f"not ready: {down} down", kind="not-ready", dependencies=report).response(HEALTH_PATH)


def health_route(dependencies: Mapping[str, PeerClient]) -> Route:
    """`GET /health` as a plain route (for a stub whose HTTP surface has no OpenAPI document)."""

    async def health(request: Request) -> Response:
        return await health_answer(dependencies)

    return Route(HEALTH_PATH, health, methods=["GET"])
