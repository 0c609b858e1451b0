"""`serve(settings)`: taskboard under uvicorn on a free 127.0.0.1 port, in a background thread, for as
long as a `with` block lasts (the project's own `stubs.server` does the serving)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from stubs.server import BackgroundServer, bind
from tests.platforms.taskboard.app import create_app
from tests.platforms.taskboard.settings import Settings


@contextmanager
def serve(settings: Settings, port: int = 0) -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:PORT`); the server stops when the block ends."""
    with BackgroundServer(create_app(settings), bind("127.0.0.1", port), name="taskboard") as server:
        yield server.url
