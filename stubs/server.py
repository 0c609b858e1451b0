"""Serving an ASGI app with uvicorn on a loopback socket, in a background thread.

The socket is bound before the app is built, so a stub can be told the URLs of its peers even when
every port is chosen by the OS. One code path serves the stubs for the gate, for tests and for
`contractgate stubs serve`; uvicorn installs no signal handlers off the main thread, so the caller
owns shutdown.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


class _QuietRefusedHandshakes(logging.Filter):
    """uvicorn logs an error for every WebSocket handshake refused with an HTTP response (a denial
    response), although the client got the intended 401; refusing is what the stubs mean to do."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing handshake" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietRefusedHandshakes())


#: How long an idle keep-alive connection stays open. Well above the 5 s after which httpx (the gate,
#: the stubs' own peer clients) stops reusing an idle connection: with uvicorn's default, also 5 s, a
#: client that picked a connection just before the server closed it sent its request into a closed
#: socket and got "Server disconnected" or a reset — under load, where the gap between picking and
#: writing grows, often enough to fail a run (found by benchmarks/soak.py).
KEEP_ALIVE_SECONDS = 30


class ServerError(Exception):
    """A stub server could not start (port taken, startup failed)."""


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 lets the OS choose a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


class BackgroundServer:
    """uvicorn serving one app on an already bound socket, in a daemon thread."""

    def __init__(
        self,
        app: ASGIApp,
        sock: socket.socket,
        *,
        name: str = "app",
        ws_max_size: int = 16 * 1024 * 1024,
        log_level: str = "warning",
    ) -> None:
        self.app = app
        self.name = name
        self.socket = sock
        self.url = url_of(sock)
        self.port: int = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level=log_level,
            lifespan="on",
            ws_max_size=ws_max_size,
            ws_ping_interval=None,
            access_log=False,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"stub-{name}", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self.socket])
        except BaseException as exc:  # surfaced by start()
            self._error = exc

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"{self.name} did not start on {self.url}: {self._error or 'timed out'}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self.socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
