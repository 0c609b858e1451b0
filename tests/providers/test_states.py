"""Provider states reached through the public API: what a live target without the hook runs instead.

The reference stubs are served by URL without their hook (as staging is); each declared state of the
reference manifest is set up through their public API as the pact's consumer would name it, yields the
values the pacts' generators read, and is undone afterwards — and what cannot be undone is listed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contractgate.embedded import embedded_stubs
from providers.results import Skip
from providers.states import States, fill
from providers.suite import RunContext
from providers.target import Target, url_target
from tests.providers.tokens.support import opened

WRITES = [
    "POST /v2/threads",
    "DELETE /v2/threads/{thread_id}",
    "POST /v2/threads/{thread_id}/messages",
    "POST /v2/threads/{thread_id}/runs",
    "POST /v2/auth/revoke",
]


@pytest.fixture(scope="module")
def live() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        urls = {name: service.base_url for name, service in target.services.items()}
        yield url_target("staging", urls, live=True, safe=True)


@pytest.fixture
def ctx(live: Target) -> Iterator[RunContext]:
    with opened(live, allow_writes=WRITES) as context:
        yield context


def _get(ctx: RunContext, path: str, token: str) -> int:
    url = ctx.target.service("backend-service").url(path)
    return httpx.get(url, headers={"Authorization": token}, trust_env=False).status_code


def test_a_thread_is_created_through_the_api_and_deleted_after(ctx: RunContext) -> None:
    states = States(ctx)
    with states.reached(
        "a thread exists", {"user": "alice@example.com", "name": "Trip"}, "backend-service"
    ) as values:
        assert set(values) >= {"thread_id", "token", "access_token"}
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


def test_tokens_only_the_issuer_or_its_key_can_make_are_skips_naming_the_setting(ctx: RunContext) -> None:
    with pytest.raises(Skip, match="signing_key_env"):
        States(ctx).setup("an expired access token exists", {"user": "alice@example.com"}, "backend-service")


def test_a_write_the_sandbox_does_not_allow_is_a_skip_naming_allow_writes(live: Target) -> None:
    with opened(live) as ctx:
        states = States(ctx)
        why = states.why_not("a thread exists", "backend-service")
        assert why is not None and "allow_writes" in why
        with pytest.raises(Skip, match="allow_writes"):
            states.setup("a thread exists", {"user": "alice@example.com"}, "backend-service")
        assert ctx.ledger.created == 0


def test_what_could_not_be_undone_is_listed(ctx: RunContext) -> None:
    states = States(ctx)
    values = states.setup("a thread exists", {"user": "alice@example.com"}, "backend-service")
    # Someone deletes it first: the undo fails, and says so.
    url = ctx.target.service("backend-service").url(f"/v2/threads/{values['thread_id']}")
    assert httpx.delete(url, headers={"Authorization": values["token"]}, trust_env=False).status_code == 204
    states.undo_all()
    assert ctx.ledger.pending == []
    assert len(ctx.ledger.leftovers) == 1 and "a thread exists" in ctx.ledger.leftovers[0]
    assert "Bearer" not in ctx.ledger.leftovers[0]


def test_templates_keep_the_type_of_a_lone_value_and_name_what_is_missing() -> None:
    assert fill("{count}", {"count": 2}) == 2
    assert fill({"a": ["x {n}"]}, {"n": 1}) == {"a": ["x 1"]}
    with pytest.raises(Skip, match="no value for {name}"):
        fill("{name}", {})
