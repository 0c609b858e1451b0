"""The backend stub's v2 user API: its contracts, threads, messages, pagination, validation, profile, usage.

Every answer is checked against the contract by `backend_support.Backend` as well as by the
assertions here. Tenant isolation, tokens and the internal API are in `test_backend_security.py`,
runs in `test_backend_runs.py`, v1 in `test_backend_v1.py`, provider states in `test_backend_states.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from openapi_spec_validator import validate

from stubs.backend import create_app
from stubs.demo import demo_id
from stubs.settings import BackendSettings, PeerSettings
from tests.stubs.backend_support import ADMIN, ALICE, BOB, V1_SPEC, V2_SPEC, Backend, served


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with served(run_event_interval=0.05) as client:
        yield client


@pytest.fixture
def alice(backend: Backend) -> str:
    return backend.token(ALICE)


def test_both_documents_are_valid_openapi_3_1_for_the_backend_service() -> None:
    for spec in (V1_SPEC, V2_SPEC):
        validate(spec.document)
        assert spec.service == "backend-service"
    assert (V1_SPEC.version, V2_SPEC.version) == ("v1", "v2")


def test_every_declared_operation_is_implemented() -> None:
    app = create_app(BackendSettings(peer=PeerSettings(auth_url="http://127.0.0.1:9")))
    routers = app.state.routers
    assert set(routers) == {"backend-v1", "backend-v2"}
    for router in routers.values():
        assert router.implemented(), router.spec.name
        assert router.unimplemented() == set(), router.spec.name


def test_health_is_public_and_ignores_a_bad_token(backend: Backend) -> None:
    assert backend.get("/health").json() == {"status": "ok", "dependencies": {"auth-service": {"status": "ok"}}}
    assert backend.get("/health", "not.a.token").status_code == 200


def test_create_read_and_delete_a_thread(backend: Backend, alice: str) -> None:
    created = backend.post("/v2/threads", alice, json={"name": "Trip to Lisbon"})
    assert created.status_code == 201
    thread = created.json()
    assert created.headers["location"] == f"/v2/threads/{thread['id']}"
    assert thread["name"] == "Trip to Lisbon" and thread["message_count"] == 0
    assert thread["created_at"] == thread["updated_at"]

    assert backend.get(f"/v2/threads/{thread['id']}", alice).json() == thread
    assert backend.delete(f"/v2/threads/{thread['id']}", alice).status_code == 204
    assert backend.get(f"/v2/threads/{thread['id']}", alice).status_code == 404
    assert backend.delete(f"/v2/threads/{thread['id']}", alice).status_code == 404


def test_deleting_a_thread_deletes_its_messages_and_runs(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    backend.post(f"/v2/threads/{thread_id}/messages", alice, json={"content": "hello"})
    run = backend.post(f"/v2/threads/{thread_id}/runs", alice, json={"input": "go"}).json()
    assert backend.delete(f"/v2/threads/{thread_id}", alice).status_code == 204
    assert backend.get(f"/v2/threads/{thread_id}/messages", alice).status_code == 404
    assert backend.get(f"/v2/runs/{run['id']}", alice).status_code == 404


def test_messages_are_added_and_listed_in_order(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    first = backend.post(f"/v2/threads/{thread_id}/messages", alice, json={"content": "one"})
    second = backend.post(f"/v2/threads/{thread_id}/messages", alice, json={"content": "two", "role": "user"})
    assert first.status_code == second.status_code == 201
    assert first.json()["role"] == "user" and first.json()["thread_id"] == thread_id
    listed = backend.get(f"/v2/threads/{thread_id}/messages", alice).json()
    assert [m["content"] for m in listed["data"]] == ["one", "two"]
    assert listed["next_cursor"] is None
    thread = backend.get(f"/v2/threads/{thread_id}", alice).json()
    assert thread["message_count"] == 2 and thread["updated_at"] >= thread["created_at"]


def test_a_user_lists_only_their_own_threads(backend: Backend, alice: str) -> None:
    mine = backend.new_thread(alice)
    bobs = backend.new_thread(backend.token(BOB))
    admins = backend.new_thread(backend.token(ADMIN))
    ids = {t["id"] for t in backend.get("/v2/threads", alice, params={"limit": 100}).json()["data"]}
    assert mine in ids and bobs not in ids and admins not in ids


def test_cursor_pagination_walks_every_thread_once_in_creation_order(backend: Backend) -> None:
    token = backend.state("the user has no threads", user=ALICE)["access_token"]
    created = [backend.new_thread(token, f"thread {i}") for i in range(5)]
    seen, cursors, cursor = [], [], None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = backend.get("/v2/threads", token, params=params).json()
        seen += [t["id"] for t in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    assert seen == created
    assert len(cursors) == 2 and len(set(cursors)) == 2


def test_message_pages_follow_the_cursor(backend: Backend) -> None:
    state = backend.state("a thread with messages exists", user=ALICE, count=5)
    path = f"/v2/threads/{state['thread_id']}/messages"
    first = backend.get(path, state["access_token"], params={"limit": 3}).json()
    assert [m["content"] for m in first["data"]] == ["message 1", "message 2", "message 3"]
    assert [m["role"] for m in first["data"]] == ["user", "assistant", "user"]
    rest = backend.get(path, state["access_token"], params={"cursor": first["next_cursor"]}).json()
    assert [m["content"] for m in rest["data"]] == ["message 4", "message 5"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "short", "", "A" * 12, "AAAA AAAAAAA"])
def test_an_invalid_cursor_is_a_422_naming_the_cursor(backend: Backend, alice: str, cursor: str) -> None:
    response = backend.get("/v2/threads", alice, params={"cursor": cursor})
    assert response.status_code == 422
    assert [e["location"] for e in response.json()["errors"]] == ["query/cursor"]


def test_a_well_formed_cursor_past_the_end_is_an_empty_last_page(backend: Backend, alice: str) -> None:
    page = backend.get("/v2/threads", alice, params={"cursor": "_" * 11}).json()
    assert page == {"data": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "location"),
    [({"limit": 0}, "query/limit"), ({"limit": 101}, "query/limit"), ({"limit": "ten"}, "query/limit")],
)
def test_an_out_of_range_limit_is_a_422(
    backend: Backend, alice: str, params: dict[str, object], location: str
) -> None:
    response = backend.get("/v2/threads", alice, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == location


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"name": ""}, ["body/name"]),
        ({"name": "x" * 201}, ["body/name"]),
        ({"name": 7}, ["body/name"]),
        ({}, ["body"]),
        ({"name": "ok", "owner": "someone-else"}, ["body"]),
        (["name"], ["body"]),
    ],
)
def test_a_thread_body_the_schema_rejects_is_a_422_with_locations(
    backend: Backend, alice: str, body: object, locations: list[str]
) -> None:
    response = backend.post("/v2/threads", alice, json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/validation-failed")
    assert [e["location"] for e in problem["errors"]] == locations


def test_message_and_run_bodies_are_validated(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    too_long = backend.post(f"/v2/threads/{thread_id}/messages", alice, json={"content": "x" * 4001})
    assert too_long.status_code == 422
    assistant = backend.post(
        f"/v2/threads/{thread_id}/messages", alice, json={"content": "hi", "role": "assistant"}
    )
    assert assistant.status_code == 422 and assistant.json()["errors"][0]["location"] == "body/role"
    empty_input = backend.post(f"/v2/threads/{thread_id}/runs", alice, json={"input": ""})
    assert empty_input.status_code == 422 and empty_input.json()["errors"][0]["location"] == "body/input"


def test_a_body_that_is_not_json_is_a_415_and_broken_json_a_400(backend: Backend, alice: str) -> None:
    text = backend.post("/v2/threads", alice, content=b"name=x", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    form = backend.post("/v2/threads", alice, data={"name": "x"})
    assert form.status_code == 415
    broken = backend.post(
        "/v2/threads", alice, content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.headers["content-type"] == "application/problem+json"


def test_a_missing_body_is_a_422(backend: Backend, alice: str) -> None:
    response = backend.post("/v2/threads", alice)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"location": "body", "message": "a request body is required"}]


def test_authentication_comes_before_validation(backend: Backend) -> None:
    response = backend.post("/v2/threads", json={"name": ""})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="backend"'


def test_an_id_that_is_not_a_uuid_names_nothing(backend: Backend, alice: str) -> None:
    assert backend.get("/v2/threads/not-a-uuid", alice).status_code == 404
    assert backend.get("/v2/runs/12345", alice).status_code == 404
    assert backend.get(f"/v2/threads/{uuid.uuid4()}", alice).status_code == 404


def test_users_me_describes_the_caller(backend: Backend, alice: str) -> None:
    me = backend.get("/v2/users/me", alice).json()
    assert me == {
        "id": demo_id(ALICE),
        "email": ALICE,
        "display_name": "Alice Example",
        "tenant": {"id": "acme"},
        "roles": ["member"],
    }
    assert backend.get("/v2/users/me", backend.token(ADMIN)).json()["roles"] == ["admin", "member"]


def test_usage_is_for_tenant_admins_and_counts_only_their_tenant(backend: Backend, alice: str) -> None:
    admin = backend.token(ADMIN)
    refused = backend.get("/v2/admin/usage", alice)
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    before = backend.get("/v2/admin/usage", admin).json()
    assert before["tenant_id"] == "acme"

    backend.new_thread(backend.token(BOB))  # another tenant's: not counted
    state = backend.state("a thread with messages exists", user=ALICE, count=3)
    backend.post(f"/v2/threads/{state['thread_id']}/runs", alice, json={"input": "go"})

    after = backend.get("/v2/admin/usage", admin).json()
    assert after == {
        "tenant_id": "acme",
        "threads": before["threads"] + 1,
        "messages": before["messages"] + 3,
        "runs": before["runs"] + 1,
    }
    assert backend.get("/v2/admin/usage", backend.token(BOB)).status_code == 403
