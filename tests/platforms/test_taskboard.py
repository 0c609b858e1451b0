"""The faithful taskboard over real HTTP under uvicorn: sign-in, tokens, CRUD, ownership, roles,
validation bounds and the 405 `Allow` header."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import jwt
import pytest

from tests.platforms.taskboard import serve
from tests.platforms.taskboard_support import ADA, BRIAN, ROOT, client, login, settings


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(settings()) as base:
        yield base


@pytest.fixture(scope="module")
def anon(url: str) -> Iterator[httpx.Client]:
    with client(url) as http:
        yield http


@pytest.fixture(scope="module")
def ada(url: str) -> Iterator[httpx.Client]:
    with client(url, login(url, ADA)) as http:
        yield http


@pytest.fixture(scope="module")
def brian(url: str) -> Iterator[httpx.Client]:
    with client(url, login(url, BRIAN)) as http:
        yield http


def test_health_is_public(anon: httpx.Client) -> None:
    response = anon.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_sign_in_answers_an_hs256_token_for_this_api(anon: httpx.Client) -> None:
    response = anon.post("/api/session", data={"email": ADA.email, "password": ADA.password})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    config = settings()
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    claims = jwt.decode(body["token"], config.secret, algorithms=["HS256"], audience="taskboard-api",
                        issuer=config.issuer)
    assert claims["sub"] == "1" and claims["exp"] - claims["iat"] == 900


@pytest.mark.parametrize("form", [
    {"email": ADA.email, "password": "wrong"},
    {"email": "nobody@northwind.test", "password": ADA.password},
])
def test_sign_in_refuses_bad_credentials_with_a_challenge(anon: httpx.Client, form: dict[str, str]) -> None:
    response = anon.post("/api/session", data=form)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "unknown e-mail or wrong password"}


def test_sign_in_is_a_form_not_json(anon: httpx.Client) -> None:
    response = anon.post("/api/session", json={"email": ADA.email, "password": ADA.password})
    assert response.status_code == 422


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", f"Basic {'x' * 8}", "Bearer"])
def test_protected_operations_answer_401_without_a_valid_bearer_token(
    anon: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = anon.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="taskboard"')


def test_me_names_the_signed_in_user(ada: httpx.Client) -> None:
    assert ada.get("/api/me").json() == {
        "id": 1, "email": ADA.email, "name": ADA.name, "org": "northwind", "role": "user"
    }


def test_a_project_is_created_read_listed_updated_and_deleted(ada: httpx.Client) -> None:
    created = ada.post("/api/projects", json={"name": "Launch", "description": "Q3"})
    assert created.status_code == 201
    project = created.json()
    assert isinstance(project["id"], int) and project["owner_id"] == 1 and project["task_count"] == 0
    assert ada.get(f"/api/projects/{project['id']}").json() == project
    listing = ada.get("/api/projects", params={"limit": 100}).json()
    assert project in listing["items"] and listing["total"] == len(listing["items"])
    renamed = ada.patch(f"/api/projects/{project['id']}", json={"name": "Liftoff"}).json()
    assert (renamed["name"], renamed["description"]) == ("Liftoff", "Q3")
    assert ada.patch(f"/api/projects/{project['id']}", json={"description": None}).json()["description"] is None
    assert ada.patch(f"/api/projects/{project['id']}", json={}).status_code == 200
    deleted = ada.delete(f"/api/projects/{project['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert ada.get(f"/api/projects/{project['id']}").status_code == 404


def test_listing_pages_with_limit_and_offset(ada: httpx.Client) -> None:
    ids = [ada.post("/api/projects", json={"name": f"page {n}"}).json()["id"] for n in range(3)]
    total = ada.get("/api/projects").json()["total"]
    page = ada.get("/api/projects", params={"limit": 2, "offset": total - 3}).json()
    assert [item["id"] for item in page["items"]] == ids[:2]
    assert (page["limit"], page["offset"], page["total"]) == (2, total - 3, total)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 100_001}, {"limit": "x"}])
def test_listing_bounds_are_enforced(ada: httpx.Client, params: dict[str, int | str]) -> None:
    assert ada.get("/api/projects", params=params).status_code == 422


def test_tasks_live_under_their_project(ada: httpx.Client) -> None:
    project = ada.post("/api/projects", json={"name": "Tasks"}).json()
    base = f"/api/projects/{project['id']}/tasks"
    first = ada.post(base, json={"title": "write"})
    assert first.status_code == 201
    task = first.json()
    assert (task["project_id"], task["status"], task["priority"]) == (project["id"], "todo", 3)
    ada.post(base, json={"title": "ship", "status": "done", "priority": 5})
    assert [t["title"] for t in ada.get(base, params={"status": "done"}).json()["items"]] == ["ship"]
    assert ada.get(f"/api/projects/{project['id']}").json()["task_count"] == 2
    replaced = ada.put(f"/api/tasks/{task['id']}", json={"title": "rewrite", "status": "doing", "priority": 1})
    assert replaced.json() | {"created_at": None} == task | {"title": "rewrite", "status": "doing", "priority": 1,
                                                             "created_at": None}
    assert ada.get(f"/api/tasks/{task['id']}").json()["title"] == "rewrite"
    assert ada.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert ada.get(f"/api/tasks/{task['id']}").status_code == 404
    ada.delete(f"/api/projects/{project['id']}")
    assert ada.get(base).status_code == 404


@pytest.mark.parametrize("body", [
    {"title": ""},
    {"title": "x" * 201},
    {"title": "x", "priority": 6},
    {"title": "x", "priority": "3"},
    {"title": "x", "priority": True},
    {"title": "x", "status": "blocked"},
    {"title": "x", "colour": "red"},
])
def test_task_bodies_are_validated_as_documented(ada: httpx.Client, body: dict[str, object]) -> None:
    project = ada.post("/api/projects", json={"name": "Validation"}).json()
    assert ada.post(f"/api/projects/{project['id']}/tasks", json=body).status_code == 422


def test_a_json_integer_written_as_a_float_is_an_integer(ada: httpx.Client) -> None:
    project = ada.post("/api/projects", json={"name": "Floats"}).json()
    created = ada.post(f"/api/projects/{project['id']}/tasks", json={"title": "x", "priority": 4.0})
    assert (created.status_code, created.json()["priority"]) == (201, 4)


def test_another_users_project_and_tasks_answer_404(ada: httpx.Client, brian: httpx.Client) -> None:
    project = ada.post("/api/projects", json={"name": "Private"}).json()
    task = ada.post(f"/api/projects/{project['id']}/tasks", json={"title": "secret"}).json()
    pid, tid = project["id"], task["id"]
    assert brian.get(f"/api/projects/{pid}").status_code == 404
    assert brian.patch(f"/api/projects/{pid}", json={"name": "Mine"}).status_code == 404
    assert brian.delete(f"/api/projects/{pid}").status_code == 404
    assert brian.get(f"/api/projects/{pid}/tasks").status_code == 404
    assert brian.post(f"/api/projects/{pid}/tasks", json={"title": "x"}).status_code == 404
    assert brian.get(f"/api/tasks/{tid}").status_code == 404
    assert brian.put(f"/api/tasks/{tid}", json={"title": "x", "status": "todo", "priority": 1}).status_code == 404
    assert brian.delete(f"/api/tasks/{tid}").status_code == 404
    assert pid not in [p["id"] for p in brian.get("/api/projects", params={"limit": 100}).json()["items"]]
    assert ada.get(f"/api/tasks/{tid}").json()["title"] == "secret"


def test_statistics_are_for_administrators_only(url: str, ada: httpx.Client) -> None:
    refused = ada.get("/api/admin/stats")
    assert (refused.status_code, refused.json()) == (403, {"detail": "administrators only"})
    with client(url, login(url, ROOT)) as root:
        stats = root.get("/api/admin/stats")
    assert stats.status_code == 200 and stats.json()["users"] == 3


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/api/projects", "GET, POST"),
    ("POST", "/api/projects/7", "DELETE, GET, PATCH"),
    ("OPTIONS", "/api/tasks/7", "DELETE, GET, PUT"),
    ("DELETE", "/healthz", "GET"),
])
def test_an_unsupported_method_is_405_with_every_method_of_the_path(
    anon: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = anon.request(method, path)
    assert (response.status_code, response.headers["allow"]) == (405, allow)


def test_a_short_lived_token_stops_working_when_it_expires() -> None:
    # `iat` and `exp` are whole seconds, so a 2-second token is valid for 1 to 2 seconds after issue.
    with serve(settings(token_lifetime=2)) as base:
        token = login(base, ADA)
        with client(base, token) as http:
            assert http.get("/api/me").status_code == 200
            claims = jwt.decode(token, options={"verify_signature": False})
            assert claims["exp"] - claims["iat"] == 2
            expires = claims["exp"]
            time.sleep(max(0.0, expires - time.time()) + 0.05)
            assert http.get("/api/me").status_code == 401
