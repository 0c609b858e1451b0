"""The backend stub's deprecated v1: its shapes, page numbers, the shared store, and the deprecation
headers on every v1 answer (errors included) and on no v2 answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest

from stubs.demo import demo_id
from tests.stubs.backend_support import ALICE, BOB, Backend, served


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with served(run_event_interval=0.05) as client:
        yield client


@pytest.fixture
def alice(backend: Backend) -> str:
    return backend.token(ALICE)


def assert_deprecated(backend: Backend, response: httpx.Response, successor: str) -> None:
    settings = backend.platform.backend_settings
    assert response.headers["deprecation"] == f"@{settings.v1_deprecated_at}"
    assert parsedate_to_datetime(response.headers["sunset"]).timestamp() == settings.v1_sunset_at
    assert response.headers.get_list("link") == [f'<{successor}>; rel="successor-version"']


def test_v1_threads_have_a_title_and_share_the_store_with_v2(backend: Backend, alice: str) -> None:
    created = backend.post("/v1/threads", alice, json={"title": "Old app thread"})
    assert created.status_code == 201
    thread = created.json()
    assert set(thread) == {"id", "title", "created_at", "updated_at", "message_count"}
    assert created.headers["location"] == f"/v1/threads/{thread['id']}"
    assert_deprecated(backend, created, "/v2/threads")

    seen_in_v2 = backend.get(f"/v2/threads/{thread['id']}", alice).json()
    assert seen_in_v2["name"] == "Old app thread" and "title" not in seen_in_v2
    v2_thread = backend.new_thread(alice, "New app thread")
    assert backend.get(f"/v1/threads/{v2_thread}", alice).json()["title"] == "New app thread"


def test_v1_messages_have_text(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    message = backend.post(f"/v1/threads/{thread_id}/messages", alice, json={"text": "from v1"}).json()
    assert message["text"] == "from v1" and message["role"] == "user" and "content" not in message
    v2 = backend.get(f"/v2/threads/{thread_id}/messages", alice).json()["data"]
    assert [m["content"] for m in v2] == ["from v1"]
    refused = backend.post(f"/v1/threads/{thread_id}/messages", alice, json={"content": "v2 shape"})
    assert refused.status_code == 422


def test_v1_page_numbers(backend: Backend) -> None:
    token = backend.state("the user has no threads", user=ALICE)["access_token"]
    created = [backend.new_thread(token, f"t{i}") for i in range(5)]
    second = backend.get("/v1/threads", token, params={"page": 2, "per_page": 2}).json()
    assert [t["id"] for t in second["items"]] == created[2:4]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 5)
    beyond = backend.get("/v1/threads", token, params={"page": 9, "per_page": 2}).json()
    assert beyond["items"] == [] and beyond["total"] == 5
    default = backend.get("/v1/threads", token).json()
    assert (default["page"], default["per_page"], len(default["items"])) == (1, 20, 5)
    assert backend.get("/v1/threads", token, params={"page": 0}).status_code == 422


def test_v1_runs_answer_run_id(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    accepted = backend.post(f"/v1/threads/{thread_id}/runs", alice, json={"input": "go"})
    assert accepted.status_code == 202
    body = accepted.json()
    assert set(body) == {"run_id", "status", "stream_url"} and body["status"] == "queued"
    assert accepted.headers["location"] == f"/v1/runs/{body['run_id']}"
    run = backend.get(f"/v1/runs/{body['run_id']}", alice)
    assert run.json()["thread_id"] == thread_id
    assert_deprecated(backend, run, f"/v2/runs/{body['run_id']}")
    assert backend.get(f"/v2/runs/{body['run_id']}", alice).json()["id"] == body["run_id"]


def test_v1_users_me_is_flat(backend: Backend, alice: str) -> None:
    me = backend.get("/v1/users/me", alice).json()
    assert me == {
        "id": demo_id(ALICE),
        "email": ALICE,
        "name": "Alice Example",
        "tenant_id": "acme",
        "roles": ["member"],
    }


def test_v1_usage_is_for_admins(backend: Backend, alice: str) -> None:
    assert backend.get("/v1/admin/usage", alice).status_code == 403
    usage = backend.get("/v1/admin/usage", backend.token("admin@example.com")).json()
    assert usage["tenant_id"] == "acme"


def test_deprecation_headers_on_every_kind_of_v1_answer(backend: Backend, alice: str) -> None:
    unknown = uuid.uuid4()
    answers = {
        200: (backend.get("/v1/threads", alice), "/v2/threads"),
        401: (backend.get("/v1/threads"), "/v2/threads"),
        403: (backend.get("/v1/admin/usage", alice), "/v2/admin/usage"),
        404: (backend.get(f"/v1/threads/{unknown}", backend.token(BOB)), f"/v2/threads/{unknown}"),
        422: (backend.post("/v1/threads", alice, json={"title": ""}), "/v2/threads"),
        415: (
            backend.post("/v1/threads", alice, content=b"x", headers={"Content-Type": "text/plain"}),
            "/v2/threads",
        ),
    }
    for status, (response, successor) in answers.items():
        assert response.status_code == status
        assert_deprecated(backend, response, successor)


def test_deprecation_headers_even_where_no_v1_route_matches(backend: Backend) -> None:
    response = backend.get("/v1/nothing here", conform=False)
    assert response.status_code == 404
    # The successor is percent-encoded, so the Link header stays well formed.
    assert_deprecated(backend, response, "/v2/nothing%20here")


def test_v2_answers_carry_no_deprecation_headers(backend: Backend, alice: str) -> None:
    for response in (
        backend.get("/v2/threads", alice),
        backend.get("/v2/threads"),
        backend.get(f"/v2/threads/{uuid.uuid4()}", alice),
        backend.get("/health"),
    ):
        assert "deprecation" not in response.headers and "sunset" not in response.headers
        assert "link" not in response.headers
