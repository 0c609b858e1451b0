"""Provider states of the backend stub (`POST /_contractgate/provider-states`, stub mode only).

Tokens are genuine: they come from the auth service's token endpoint over the backend's peer
client (password grant with the demo user's password from `stubs.demo`; client credentials with the
demo client's secret), so a pact verified with them exercises the real signature, audience and
revocation checks. Data is written straight into this app's store. `user` and `owner` are demo
e-mails; an unknown one is a 400. Every setup answers the values below for `fromProviderState`
(`token` is the whole header value, `Bearer …`; `access_token` the bare JWT). Teardown is a no-op:
every state creates fresh resources with fresh ids, so interactions cannot see each other's data.

| state | params (defaults) | answers |
|---|---|---|
| `a user is logged in` | `user` (alice@example.com), `audience` (backend) | `token`, `access_token`, `user_id` |
| `the user has no threads` | `user` | deletes the user's threads; `token`, `access_token`, `user_id` |
| `a thread exists` | `user`, `name` ("Trip planning") | `thread_id`, `token`, `access_token`, `user_id` |
| `a thread with messages exists` | `user`, `count` (2; 1..100, alternating user/assistant) | `thread_id`, `message_id` (the first), `token`, `access_token`, `user_id` |
| `a thread of another tenant exists` | `owner` (bob@example.com, tenant globex) | `thread_id` |
| `a thread of another user exists` | `owner` (admin@example.com, alice's tenant acme) | `thread_id` |
| `a run of another user exists` | `owner` (bob@example.com) | `run_id`, `thread_id` (a run held in progress) |
| `a run is in progress` | `user` | `run_id`, `thread_id`, `token`, `access_token`, `user_id` |
| `a completed run exists` | `user` | `run_id`, `thread_id`, `token`, `access_token`, `user_id` |
| `a service token` | `client_id` (agent-worker), `scope` (every backend scope of the client) | `token`, `access_token` |
| `an expired access token exists` | `user` | `token`, `access_token` (signed by the auth stub, `exp` in the past), `user_id` |

"A run is in progress" is a *held* run: it is dated one event interval in the past, so it is
already `running` (its first event, `status: running`, is out), and its simulation stops there
(`hold_after=1`): it stays `running` with `event_count` 1 until cancelled through the internal API,
however slowly the verifier goes. "A completed run exists" is dated `(n + 2)` intervals (plus one)
in the past, so all `n + 2` events are out and it reads `completed` at once.
"""

from __future__ import annotations

from typing import Any

from stubs.backend.store import Owner, Store
from stubs.demo import DemoUser, client_by_id, user_by_email
from stubs.peers import PeerClient, PeerUnavailable
from stubs.problems import Problem
from stubs.provider_states import PROVIDER_STATES_PATH, ProviderStates, param
from stubs.settings import BackendSettings

DEFAULT_USER = "alice@example.com"


def demo_user(email: str) -> DemoUser:
    user = user_by_email(str(email))
    if user is None:
        raise Problem(400, f"no demo user {email!r}")
    return user


def owner_of(user: DemoUser) -> Owner:
    return Owner(user_id=user.id, tenant_id=user.tenant_id)


async def _token(auth: PeerClient, form: dict[str, str], who: str) -> str:
    try:
        response = await auth.request("POST", "/v2/auth/token", data=form)
    except PeerUnavailable as exc:
        raise Problem(503, f"the auth service could not be reached: {exc}") from None
    if response.status_code != 200:
        raise Problem(503, f"the auth service refused a token for {who} ({response.status_code})")
    return str(response.json()["access_token"])


def register(states: ProviderStates, store: Store, auth: PeerClient, settings: BackendSettings) -> None:
    clock = settings.peer.clock

    async def login(user: DemoUser, audience: str = settings.audience) -> dict[str, Any]:
        form = {"grant_type": "password", "username": user.email, "password": user.password}
        token = await _token(auth, {**form, "audience": audience}, user.email)
        return {"token": f"Bearer {token}", "access_token": token, "user_id": user.id}

    def thread_for(user: DemoUser, name: str = "Trip planning") -> str:
        return store.create_thread(owner_of(user), name, clock()).id

    def held_run(user: DemoUser) -> dict[str, str]:
        thread = store.create_thread(owner_of(user), "Run in progress", clock())
        now = clock()
        run = store.start_run(thread, "Plan the trip", now, created_at=now - store.run_interval, hold_after=1)
        return {"run_id": run.id, "thread_id": thread.id}

    @states.setup("a user is logged in")
    async def logged_in(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        return await login(user, str(param(params, "audience", settings.audience)))

    @states.setup("the user has no threads")
    async def no_threads(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        store.delete_threads_of(owner_of(user))
        return await login(user)

    @states.setup("a thread exists")
    async def thread_exists(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        thread_id = thread_for(user, str(param(params, "name", "Trip planning"))[:200] or "Trip planning")
        return {"thread_id": thread_id, **await login(user)}

    @states.setup("a thread with messages exists")
    async def thread_with_messages(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        try:
            count = int(param(params, "count", 2))
        except (TypeError, ValueError):
            raise Problem(400, "provider state parameter 'count' must be an integer") from None
        if not 1 <= count <= 100:
            raise Problem(400, "provider state parameter 'count' must be between 1 and 100")
        thread = store.create_thread(owner_of(user), "Thread with messages", clock())
        messages = [
            store.add_message(thread, "user" if i % 2 == 0 else "assistant", f"message {i + 1}", clock())
            for i in range(count)
        ]
        return {"thread_id": thread.id, "message_id": messages[0].id, **await login(user)}

    @states.setup("a thread of another tenant exists")
    async def other_tenant_thread(params: dict[str, Any]) -> dict[str, Any]:
        return {"thread_id": thread_for(demo_user(param(params, "owner", "bob@example.com")))}

    @states.setup("a thread of another user exists")
    async def other_user_thread(params: dict[str, Any]) -> dict[str, Any]:
        return {"thread_id": thread_for(demo_user(param(params, "owner", "admin@example.com")))}

    @states.setup("a run of another user exists")
    async def other_user_run(params: dict[str, Any]) -> dict[str, Any]:
        return held_run(demo_user(param(params, "owner", "bob@example.com")))

    @states.setup("a run is in progress")
    async def run_in_progress(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        return {**held_run(user), **await login(user)}

    @states.setup("a completed run exists")
    async def completed_run(params: dict[str, Any]) -> dict[str, Any]:
        user = demo_user(param(params, "user", DEFAULT_USER))
        thread = store.create_thread(owner_of(user), "Finished run", clock())
        now = clock()
        finished_at = (store.run_outputs + 3) * store.run_interval
        run = store.start_run(thread, "Summarise the thread", now, created_at=now - finished_at)
        return {"run_id": run.id, "thread_id": thread.id, **await login(user)}

    @states.setup("a service token")
    async def service_token(params: dict[str, Any]) -> dict[str, Any]:
        client_id = str(param(params, "client_id", "agent-worker"))
        client = client_by_id(client_id)
        if client is None:
            raise Problem(400, f"no demo client {client_id!r}")
        scopes = " ".join(client.scopes_by_audience.get(settings.audience, ()))
        form = {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
            "audience": settings.audience,
            "scope": str(param(params, "scope", scopes)),
        }
        token = await _token(auth, form, client_id)
        return {"token": f"Bearer {token}", "access_token": token}

    @states.setup("an expired access token exists")
    async def expired_token(params: dict[str, Any]) -> dict[str, Any]:
        # Only the auth service can sign one: ask the auth stub's own state hook (stub mode only).
        user = demo_user(param(params, "user", DEFAULT_USER))
        body = {
            "state": "an expired access token exists",
            "params": {"user": user.email, "audience": settings.audience},
        }
        try:
            response = await auth.request("POST", PROVIDER_STATES_PATH, json=body)
        except PeerUnavailable as exc:
            raise Problem(503, f"the auth service could not be reached: {exc}") from None
        if response.status_code != 200:
            raise Problem(
                503, f"the auth stub refused an expired token for {user.email} ({response.status_code})"
            )
        values = response.json()
        return {"token": values["token"], "access_token": values["access_token"], "user_id": user.id}
