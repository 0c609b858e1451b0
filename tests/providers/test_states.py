"""Provider states reached through the public API: what a live target without the hook runs instead.

The reference stubs are served by URL without their hook (as staging is), with a sandbox that allows
writes; each declared state of the reference manifest is set up through their public API as the pact's
consumer names it, yields the values the pacts' generators read, and is undone afterwards — counted in
the backend stub's store — and what cannot be undone is listed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from contracts import PACKAGE_ROOT
from providers.credentials import ConfigError
from providers.results import Skip
from providers.sandbox import Sandbox
from providers.states import States, fill
from providers.suite import RunContext
from providers.target import Target
from stubs.platform import Platform
from tests.providers.sandbox_support import LOCKOUT, opened, pem, served, stored


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Platform, Target]]:
    with served() as found:
        yield found


@pytest.fixture
def ctx(live: tuple[Platform, Target]) -> Iterator[RunContext]:
    platform, target = live
    with opened(target, signing_key=pem(platform)) as context:
        yield context


def _get(ctx: RunContext, path: str, token: str) -> int:
    url = ctx.target.service("backend-service").url(path)
    return httpx.get(url, headers={"Authorization": token}, trust_env=False).status_code


def _interactions() -> list[tuple[str, str, dict]]:
    found = []
    for path in sorted((PACKAGE_ROOT / "pacts").glob("*.json")):
        pact = json.loads(path.read_text())
        for interaction in pact["interactions"]:
            if interaction.get("providerStates"):
                found.append((pact["provider"]["name"], interaction["description"], interaction))
    return found


@pytest.mark.parametrize(("provider", "description", "interaction"), _interactions(), ids=lambda v: str(v)[:60])
def test_every_state_of_the_reference_pacts_is_reached_and_undone(
    live: tuple[Platform, Target], ctx: RunContext, provider: str, description: str, interaction: dict
) -> None:
    platform, _ = live
    before = stored(platform)
    wanted = set(re.findall(r"\$\{([^}]+)\}", json.dumps(interaction)))
    states = States(ctx)
    with ExitStack() as stack:
        values: dict = {}
        for state in interaction["providerStates"]:
            values.update(stack.enter_context(states.reached(state["name"], state.get("params"), provider)))
        # What the interaction's generators read, the states answered.
        assert wanted <= set(values), f"{description}: missing {wanted - set(values)}"
    assert ctx.ledger.pending == [] and ctx.ledger.leftovers == []
    assert stored(platform) == before, f"{description}: left threads or runs behind"


def test_a_thread_is_created_through_the_api_and_deleted_after(ctx: RunContext) -> None:
    states = States(ctx)
    with states.reached(
        "a thread exists", {"user": "alice@example.com", "name": "Trip"}, "backend-service"
    ) as values:
        assert set(values) >= {"thread_id", "token", "access_token", "user", "name"}
        assert "uid" not in values and "username" not in values  # the setup's own, not captured
        assert values["token"].startswith("Bearer ")
        assert _get(ctx, f"/v2/threads/{values['thread_id']}", values["token"]) == 200
    assert _get(ctx, f"/v2/threads/{values['thread_id']}", values["token"]) == 404
    assert ctx.ledger.pending == [] and ctx.ledger.leftovers == [] and ctx.ledger.created == 1


def test_the_same_state_means_what_its_provider_means(ctx: RunContext) -> None:
    states = States(ctx)
    backend = states.setup("a user is logged in", {"user": "alice@example.com"}, "backend-service")
    websocket = states.setup("a user is logged in", {"user": "alice@example.com"}, "websocket-service")
    assert "subprotocol" in websocket and "subprotocol" not in backend
    assert ctx.tokens.credentials.user("member").username == "alice@example.com"


def test_nested_resources_and_another_accounts_resources(ctx: RunContext) -> None:
    states = States(ctx)
    run = states.setup("a run is in progress", {"user": "alice@example.com"}, "backend-service")
    other = states.setup("a thread of another tenant exists", {"owner": "bob@example.com"}, "backend-service")
    assert _get(ctx, f"/v2/runs/{run['run_id']}", run["token"]) == 200
    # Alice's token does not see Bob's thread: the state really belongs to the other account.
    assert _get(ctx, f"/v2/threads/{other['thread_id']}", run["token"]) == 404
    states.undo_all()
    assert ctx.ledger.pending == [] and ctx.ledger.leftovers == []


def test_the_user_has_no_threads_deletes_the_accounts_own_threads_only(
    live: tuple[Platform, Target], ctx: RunContext
) -> None:
    platform, _ = live
    states = States(ctx)
    mine = states.setup("a thread exists", {"user": "alice@example.com"}, "backend-service")
    bobs = states.setup("a thread of another tenant exists", {"owner": "bob@example.com"}, "backend-service")
    emptied = states.setup("the user has no threads", {"user": "alice@example.com"}, "backend-service")
    assert _get(ctx, f"/v2/threads/{mine['thread_id']}", emptied["token"]) == 404
    store = platform.backend_app.state.store  # type: ignore[attr-defined]
    assert bobs["thread_id"] in store._threads
    states.undo_all()  # the deleted thread's undo finds it gone: not a leftover
    assert ctx.ledger.leftovers == [] and bobs["thread_id"] not in store._threads


def test_a_throttled_login_is_waited_out_before_it_counts_as_undone(ctx: RunContext) -> None:
    states = States(ctx)
    form = {"grant_type": "password", "username": "alice@example.com", "password": "alice-password"}
    url = ctx.target.service("auth-service").url("/v2/auth/token")
    with states.reached("login is throttled", {"user": "alice@example.com"}, "auth-service") as values:
        assert 0 < int(values["retry_after"]) <= LOCKOUT
        assert httpx.post(url, data=form, trust_env=False).status_code == 429
    assert httpx.post(url, data=form, trust_env=False).status_code == 200


def test_at_the_end_of_a_run_a_lockout_is_not_waited_for(ctx: RunContext) -> None:
    states = States(ctx)
    form = {"grant_type": "password", "username": "admin@example.com", "password": "admin-password"}
    url = ctx.target.service("auth-service").url("/v2/auth/token")
    states.setup("login is throttled", {"user": "admin@example.com"}, "auth-service")
    states.undo_all()  # the run ends: nothing needs the account any more, so nothing waits
    assert ctx.ledger.pending == [] and ctx.ledger.leftovers == []
    assert httpx.post(url, data=form, trust_env=False).status_code == 429  # still locked: not waited
    time.sleep(LOCKOUT)  # the next test finds the account as it was


def test_tokens_only_the_issuer_or_its_key_can_make_are_skips_naming_the_setting(
    live: tuple[Platform, Target],
) -> None:
    with opened(live[1]) as ctx, pytest.raises(Skip, match="signing_key_env"):
        States(ctx).setup("an expired access token exists", {"user": "alice@example.com"}, "backend-service")


def test_a_write_outside_the_sandbox_is_a_skip_naming_the_setting(live: tuple[Platform, Target]) -> None:
    for sandbox, named in ((None, "sandbox"), (Sandbox(paths=("/v1/",)), "paths")):
        with opened(live[1], sandbox) as ctx:
            states = States(ctx)
            why = states.why_not("a thread exists", "backend-service", {"user": "alice@example.com"})
            assert why is not None and named in why
            with pytest.raises(Skip, match=named):
                states.setup("a thread exists", {"user": "alice@example.com"}, "backend-service")
            assert ctx.ledger.created == 0


def test_a_state_whose_undo_the_sandbox_refuses_is_not_set_up(live: tuple[Platform, Target]) -> None:
    sandbox = Sandbox(writes=("POST *",))  # creating allowed, deleting not: it would be left behind
    with opened(live[1], sandbox) as ctx:
        why = States(ctx).why_not("a thread exists", "backend-service", {"user": "alice@example.com"})
    assert why is not None and "DELETE /v2/threads/{thread_id}" in why


def test_a_state_acting_as_an_account_outside_the_sandbox_is_a_skip(live: tuple[Platform, Target]) -> None:
    with opened(live[1], Sandbox(accounts=("member", "admin"))) as ctx:
        why = States(ctx).why_not("a thread of another tenant exists", "backend-service", {"owner": "bob@example.com"})
    assert why is not None and "'other-tenant' is not a sandbox account" in why


def test_what_could_not_be_undone_is_listed(ctx: RunContext) -> None:
    states = States(ctx)
    states.setup("a thread exists", {"user": "alice@example.com"}, "backend-service")
    # The account's credentials stop working before the undo: the thread cannot be deleted.
    ctx.credentials = ctx.tokens.credentials = type(ctx.credentials)(
        issuer=ctx.credentials.issuer,
        users=tuple(
            type(u)(u.name, u.username, "no-longer-the-password", u.roles, u.tenant) for u in ctx.credentials.users
        ),
    )
    ctx.tokens._cache.clear()  # type: ignore[attr-defined]
    with pytest.raises(ConfigError):
        ctx.tokens.user("member")
    states.undo_all()
    assert ctx.ledger.pending == []
    assert len(ctx.ledger.leftovers) == 1 and "a thread exists" in ctx.ledger.leftovers[0]
    assert "Bearer" not in ctx.ledger.leftovers[0]


def test_templates_keep_the_type_of_a_lone_value_and_name_what_is_missing() -> None:
    assert fill("{count}", {"count": 2}) == 2
    assert fill({"a": ["x {n}"]}, {"n": 1}) == {"a": ["x 1"]}
    with pytest.raises(Skip, match="no value for {name}"):
        fill("{name}", {})
