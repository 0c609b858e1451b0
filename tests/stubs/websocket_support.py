"""Helpers of the WebSocket stub's tests: tokens and runs over real HTTP, and a checking client.

`Client` wraps a real `websockets` connection: every server frame it receives is validated against
the AsyncAPI contract's schema for its `type` and recorded, so each test also checks conformance
and `seq` ordering of everything it saw, not only the messages it asserts on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from websockets.asyncio.client import ClientConnection, connect

from contracts import asyncapi_spec
from stubs.platform import Platform
from stubs.provider_states import PROVIDER_STATES_PATH

T = TypeVar("T")
ALICE = "alice@example.com"
BOB = "bob@example.com"
PASSWORDS = {ALICE: "alice-password", BOB: "bob-password", "admin@example.com": "admin-password"}
CONTRACT = asyncapi_spec()
_URI = "urn:contractgate:test-asyncapi"
_REGISTRY: Registry = Registry().with_resource(
    _URI, Resource.from_contents(CONTRACT, default_specification=DRAFT7)
)


def message_schemas(action: str) -> dict[str, jsonschema.protocols.Validator]:
    """Wire type → validator, for the messages the service sends (`send`) or receives (`receive`)."""
    validators: dict[str, jsonschema.protocols.Validator] = {}
    resolver = _REGISTRY.resolver(_URI)
    for operation in CONTRACT["operations"].values():
        refs = list(operation.get("messages", [])) if operation["action"] == action else []
        if action == "send" and operation["action"] == "receive":
            refs += operation.get("reply", {}).get("messages", [])
        for ref in refs:
            message = resolver.lookup(ref["$ref"]).contents
            message = resolver.lookup(message["$ref"]).contents if "$ref" in message else message
            pointer = message["payload"]["$ref"]
            wire_type = resolver.lookup(pointer).contents["properties"]["type"]["const"]
            validators[wire_type] = jsonschema.Draft7Validator(
                {"$ref": f"{_URI}{pointer}"},
                registry=_REGISTRY,
                format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
            )
    return validators


SERVER_MESSAGES = message_schemas("send")


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    """Run a test's client side in its own loop (the stubs run in their servers' threads), bounded."""

    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def password_token(platform: Platform, user: str = ALICE, audience: str = "websocket") -> str:
    response = httpx.post(
        f"{platform.auth_url}/v2/auth/token",
        data={"grant_type": "password", "username": user, "password": PASSWORDS[user], "audience": audience},
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def provider_state(base_url: str, state: str, **params: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}{PROVIDER_STATES_PATH}",
        json={"state": state, "params": params, "action": "setup"},
        trust_env=False,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def start_run(platform: Platform, user: str = ALICE) -> str:
    """A new run of `user`, through the backend's public API (a fresh thread: one active run each)."""
    headers = {"Authorization": f"Bearer {password_token(platform, user, 'backend')}"}
    with httpx.Client(base_url=platform.backend_url, headers=headers, trust_env=False) as client:
        thread = client.post("/v2/threads", json={"name": "websocket test"})
        assert thread.status_code == 201, thread.text
        started = client.post(f"/v2/threads/{thread.json()['id']}/runs", json={"input": "hello"})
        assert started.status_code == 202, started.text
        return str(started.json()["id"])


class Client:
    """A `/ws` connection that checks and records every server message."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.received: list[dict[str, Any]] = []
        self._counter = 0

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.connection.recv(), timeout)
        assert isinstance(frame, str), "server frames are JSON text"
        message: dict[str, Any] = json.loads(frame)
        validator = SERVER_MESSAGES.get(message.get("type", ""))
        assert validator is not None, f"the contract declares no server message {message.get('type')!r}"
        errors = [e.message for e in validator.iter_errors(message)]
        assert not errors, f"{message} breaks its schema: {errors}"
        self.received.append(message)
        return message

    async def send(self, type_: str, payload: dict[str, Any], id_: str | None = None) -> str:
        if id_ is None:
            self._counter += 1
            id_ = f"c-{self._counter}"
        await self.connection.send(json.dumps({"type": type_, "id": id_, "payload": payload}))
        return id_

    async def next_of(self, *types: str, timeout: float = 5) -> dict[str, Any]:
        """The next message of one of `types`, skipping (but recording) the others."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.01, deadline - loop.time()))
            if message["type"] in types:
                return message

    async def reply_to(self, id_: str, timeout: float = 5) -> dict[str, Any]:
        """The server message answering the client message `id_`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.01, deadline - loop.time()))
            if message["id"] == id_:
                return message

    async def request(self, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.reply_to(await self.send(type_, payload))

    async def run_events(self, run_id: str, timeout: float = 10) -> list[dict[str, Any]]:
        """Every `run.event` of a run until its final status event."""
        events: list[dict[str, Any]] = []
        while True:
            message = await self.next_of("run.event", timeout=timeout)
            if message["payload"]["run_id"] != run_id:
                continue
            events.append(message["payload"])
            if message["payload"]["event"] == "status" and message["payload"]["data"]["status"] in (
                "completed",
                "cancelled",
            ):
                return events


def assert_consecutive(messages: list[dict[str, Any]], start: int = 1) -> None:
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(start, start + len(seqs))), f"seq not consecutive from {start}: {seqs}"


@asynccontextmanager
async def connected(
    platform: Platform, token: str | None, *, via: str = "header", **kwargs: Any
) -> AsyncIterator[Client]:
    """A connection to the platform's `/ws`, authenticated by header or by subprotocol."""
    options: dict[str, Any] = {"proxy": None, "open_timeout": 5, "close_timeout": 2, **kwargs}
    if token is not None and via == "header":
        options["additional_headers"] = {"Authorization": f"Bearer {token}"}
    elif token is not None:
        options["subprotocols"] = ["events.v1", f"bearer.{token}"]
    async with connect(f"{platform.websocket_url}/ws", **options) as connection:
        yield Client(connection)
