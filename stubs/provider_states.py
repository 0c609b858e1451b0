"""Pact provider states: `POST /_contractgate/provider-states` on every stub (stub mode only).

The Pact verifier posts `{"state", "params", "action": "setup" | "teardown"}` before and after an
interaction. A setup handler prepares the named state and answers a JSON object whose values feed the
pact's `fromProviderState` generators (a fresh token, the id of a thread it created), which is how the
same pacts verify against any provider rather than one that trusts literal example values.
Unknown states are a 400 that lists the known ones: a typo in a pact must not verify by accident.
The empty state is Pact's "no state" (the verifier posts it around interactions without one): a no-op.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.problems import Problem

PROVIDER_STATES_PATH = "/_contractgate/provider-states"

StateHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]


class ProviderStates:
    def __init__(self) -> None:
        self._setup: dict[str, StateHandler] = {}
        self._teardown: dict[str, StateHandler] = {}

    def setup(self, name: str) -> Callable[[StateHandler], StateHandler]:
        def register(handler: StateHandler) -> StateHandler:
            self._setup[name] = handler
            return handler

        return register

    def teardown(self, name: str) -> Callable[[StateHandler], StateHandler]:
        def register(handler: StateHandler) -> StateHandler:
            self._teardown[name] = handler
            return handler

        return register

    @property
    def names(self) -> list[str]:
        return sorted(self._setup)

    async def apply(self, state: str, params: dict[str, Any], action: str = "setup") -> dict[str, Any]:
        if not state:
            return {}
        if action == "teardown":
            handler = self._teardown.get(state)
            return (await handler(params) or {}) if handler else {}
        if action != "setup":
            raise Problem(400, f"unknown action {action!r}; expected setup or teardown")
        handler = self._setup.get(state)
        if handler is None:
            raise Problem(400, f"unknown provider state {state!r}", known_states=self.names)
        return await handler(params) or {}

    def route(self) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                body = await request.json()
            except ValueError:
                raise Problem(400, "the state-change body must be JSON") from None
            if not isinstance(body, dict) or not isinstance(body.get("state"), str):
                raise Problem(400, "the state-change body needs a 'state' string")
            params = body.get("params") or {}
            if not isinstance(params, dict):
                raise Problem(400, "'params' must be an object")
            values = await self.apply(body["state"], params, str(body.get("action") or "setup"))
            return JSONResponse(values)

        return Route(PROVIDER_STATES_PATH, endpoint, methods=["POST"])


def param(params: dict[str, Any], name: str, default: Any = None) -> Any:
    """A state parameter, or a 400 that names the state parameter missing."""
    value = params.get(name, default)
    if value is None:
        raise Problem(400, f"provider state parameter {name!r} is required")
    return value
