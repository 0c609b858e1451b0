"""Provider states of the WebSocket stub (`POST /_contractgate/provider-states`, stub mode only).

Nothing is faked: tokens come from the auth service's password grant with the demo passwords, runs
are created through the backend's public v2 API (`POST /v2/threads`, then
`POST /v2/threads/{id}/runs`) with a backend-audience token of the user, over the same peer clients
the service uses. `user` defaults to alice@example.com.

| state | params | answers |
|---|---|---|
| a user is logged in | user, audience (websocket) | token ("Bearer …"), access_token, subprotocol ("bearer.…") |
| a run is in progress | user | run_id, token, access_token (audience websocket) |
| a run of another user exists | owner (bob@example.com) | run_id |
| a session with events exists | user | session_id, last_seq, token, access_token |

"a session with events exists" opens a session without a connection — as if one had connected,
subscribed to a fresh run of the user and dropped — and waits until it has kept at least one
`run.event`. `last_seq` is 1 (the session's `welcome`), so resuming replays `subscribed` and the
events collected since.
"""

from __future__ import annotations

import asyncio
from typing import Any

from stubs.demo import DemoUser, user_by_email
from stubs.peers import PeerUnavailable
from stubs.problems import Problem
from stubs.provider_states import ProviderStates, param
from stubs.security import SUBPROTOCOL_PREFIX
from stubs.tokens import TokenRejected
from stubs.websocket.service import WebSocketService

DEFAULT_USER = "alice@example.com"
DEFAULT_OTHER_USER = "bob@example.com"
_EVENT_WAIT_SECONDS = 5.0


def _user(params: dict[str, Any], name: str = "user", default: str = DEFAULT_USER) -> DemoUser:
    email = str(param(params, name, default))
    user = user_by_email(email)
    if user is None:
        raise Problem(400, f"no demo user {email!r}")
    return user


def _bearer(token: str) -> dict[str, str]:
    return {"token": f"Bearer {token}", "access_token": token}


class _Platform:
    """The calls a state needs, made the way a client of the platform would make them."""

    def __init__(self, service: WebSocketService) -> None:
        self.service = service

    async def password_token(self, user: DemoUser, audience: str) -> str:
        response = await self.service.auth.request(
            "POST",
            "/v2/auth/token",
            data={
                "grant_type": "password",
                "username": user.email,
                "password": user.password,
                "audience": audience,
            },
        )
        if response.status_code != 200:
            raise Problem(503, f"the auth service answered {response.status_code} to the password grant")
        return str(response.json()["access_token"])

    async def start_run(self, user: DemoUser) -> str:
        headers = {"Authorization": f"Bearer {await self.password_token(user, 'backend')}"}
        backend = self.service.backend
        thread = await backend.request(
            "POST", "/v2/threads", json={"name": "provider state"}, headers=headers
        )
        if thread.status_code != 201:
            raise Problem(503, f"the backend answered {thread.status_code} to POST /v2/threads")
        thread_id = thread.json()["id"]
        run = await backend.request(
            "POST", f"/v2/threads/{thread_id}/runs", json={"input": "Summarise the thread."}, headers=headers
        )
        if run.status_code != 202:
            raise Problem(503, f"the backend answered {run.status_code} to POST /v2/threads/{{id}}/runs")
        return str(run.json()["id"])


def provider_states(service: WebSocketService) -> ProviderStates:
    states = ProviderStates()
    platform = _Platform(service)

    @states.setup("a user is logged in")
    async def logged_in(params: dict[str, Any]) -> dict[str, Any]:
        token = await platform.password_token(_user(params), str(params.get("audience") or "websocket"))
        return {**_bearer(token), "subprotocol": SUBPROTOCOL_PREFIX + token}

    @states.setup("a run is in progress")
    async def run_in_progress(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        run_id = await platform.start_run(user)
        return {"run_id": run_id, **_bearer(await platform.password_token(user, service.settings.audience))}

    @states.setup("a run of another user exists")
    async def other_users_run(params: dict[str, Any]) -> dict[str, Any]:
        return {"run_id": await platform.start_run(_user(params, "owner", DEFAULT_OTHER_USER))}

    @states.setup("a session with events exists")
    async def session_with_events(params: dict[str, Any]) -> dict[str, Any]:
        user = _user(params)
        token = await platform.password_token(user, service.settings.audience)
        try:
            principal = await service.validator.validate(token)
        except (TokenRejected, PeerUnavailable) as exc:
            raise Problem(503, f"the state's own token was not accepted: {exc}") from None
        run_id = await platform.start_run(user)
        session = service.sessions.create(principal)  # detached from the start: kept for session_ttl
        run = await service.runs.run(run_id)
        if run is None:
            raise Problem(503, "the backend does not know the run it just created")
        service.welcome(session, principal)
        session.emit("subscribed", {"run_id": run_id, "status": run.status})
        service.follow(session, run_id)
        deadline = asyncio.get_running_loop().time() + _EVENT_WAIT_SECONDS
        while not any(m["type"] == "run.event" for m in session.buffer):
            if asyncio.get_running_loop().time() > deadline:
                raise Problem(503, "the backend produced no event for the state's run in time")
            await asyncio.sleep(0.02)
        return {"session_id": session.id, "last_seq": 1, **_bearer(token)}

    return states
