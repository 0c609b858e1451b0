"""The baseline the stubs are measured against: a bare Starlette app on the stubs' own server setup.

`GET /hello` answers a small JSON object; `/ws` accepts, sends one JSON message (as the stub's
`welcome`) and answers each text frame with a JSON `pong` (as the stub answers `ping`). No auth, no
validation, no middleware: what Starlette and uvicorn cost by themselves.

    python benchmarks/baseline.py PORT     # serves on 127.0.0.1:PORT until terminated
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stubs.server import BackgroundServer, bind  # noqa: E402


def bare_app() -> Starlette:
    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def channel(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(json.dumps({"type": "welcome", "seq": 1, "payload": {}}))
        try:
            while True:
                message = json.loads(await websocket.receive_text())
                await websocket.send_text(
                    json.dumps({"type": "pong", "id": message.get("id"), "payload": {}})
                )
        except WebSocketDisconnect:
            pass

    return Starlette(routes=[Route("/hello", hello), WebSocketRoute("/ws", channel)])


def main() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with BackgroundServer(bare_app(), bind("127.0.0.1", int(sys.argv[1])), name="bare"):
        print("serving", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
