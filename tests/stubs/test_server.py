"""Serving a stub on loopback: an idle keep-alive connection stays open longer than clients reuse one.

httpx stops reusing an idle connection after 5 s. With uvicorn's default keep-alive (also 5 s) a client
that picked a connection just before the server closed it wrote its request into a closed socket
("Server disconnected without sending a response", or a reset); under load it failed runs of the soak
(benchmarks/soak.py). The server must keep an idle connection well past the clients' 5 s.
"""

from __future__ import annotations

import socket
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stubs.server import KEEP_ALIVE_SECONDS, BackgroundServer, bind

HTTPX_KEEPALIVE_EXPIRY = 5.0
REQUEST = b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def ok(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def answer(sock: socket.socket) -> bytes:
    """One whole response (the body is the 11 bytes of {"ok":true})."""
    data = b""
    while not data.endswith(b'{"ok":true}'):
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    return data


def test_an_idle_connection_outlives_the_clients_reuse_window() -> None:
    assert KEEP_ALIVE_SECONDS > 2 * HTTPX_KEEPALIVE_EXPIRY
    with BackgroundServer(Starlette(routes=[Route("/ok", ok)]), bind()) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(REQUEST)
            assert answer(sock).startswith(b"HTTP/1.1 200")
            time.sleep(HTTPX_KEEPALIVE_EXPIRY + 0.5)  # longer than any httpx client would wait
            sock.sendall(REQUEST)
            assert answer(sock).startswith(b"HTTP/1.1 200")
