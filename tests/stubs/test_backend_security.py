"""Who the backend stub lets in: tenant isolation, audiences, expiry, revocation, key rotation, scopes.

Tokens are real (minted by the auth stub) and the backend checks them as a deployment does: against
the auth service's JWKS, fetched over HTTP, and the denylist its revocation feed keeps up to date.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import jwt
import pytest

from stubs.settings import AuthSettings
from tests.clock import FakeClock
from tests.stubs.backend_support import ADMIN, ALICE, BOB, Backend, served


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with served(run_event_interval=0.05) as client:
        yield client


@pytest.fixture
def alice(backend: Backend) -> str:
    return backend.token(ALICE)


def challenge(response: object) -> str:
    return str(response.headers["www-authenticate"])  # type: ignore[attr-defined]


# tenant isolation: another user's or tenant's resource is a 404, exactly like a missing one


@pytest.mark.parametrize("intruder", [BOB, ADMIN], ids=["other-tenant", "same-tenant-other-user"])
def test_another_users_thread_is_not_found_on_every_operation(
    backend: Backend, alice: str, intruder: str
) -> None:
    thread_id = backend.new_thread(alice)
    backend.post(f"/v2/threads/{thread_id}/messages", alice, json={"content": "private"})
    other = backend.token(intruder)
    attempts = [
        backend.get(f"/v2/threads/{thread_id}", other),
        backend.get(f"/v2/threads/{thread_id}/messages", other),
        backend.post(f"/v2/threads/{thread_id}/messages", other, json={"content": "hi"}),
        backend.post(f"/v2/threads/{thread_id}/runs", other, json={"input": "go"}),
        backend.delete(f"/v2/threads/{thread_id}", other),
        backend.get(f"/v1/threads/{thread_id}", other),
        backend.get(f"/v1/threads/{thread_id}/messages", other),
        backend.delete(f"/v1/threads/{thread_id}", other),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    # Nothing changed for the owner.
    thread = backend.get(f"/v2/threads/{thread_id}", alice).json()
    assert thread["message_count"] == 1


def test_another_users_run_is_not_found(backend: Backend, alice: str) -> None:
    thread_id = backend.new_thread(alice)
    run_id = backend.post(f"/v2/threads/{thread_id}/runs", alice, json={"input": "go"}).json()["id"]
    for intruder in (BOB, ADMIN):
        token = backend.token(intruder)
        assert backend.get(f"/v2/runs/{run_id}", token).status_code == 404
        assert backend.get(f"/v1/runs/{run_id}", token).status_code == 404
    assert backend.get(f"/v2/runs/{run_id}", alice).status_code == 200


def test_not_yours_and_does_not_exist_answer_the_same(backend: Backend, alice: str) -> None:
    bob = backend.token(BOB)
    hidden = backend.get(f"/v2/threads/{backend.new_thread(alice)}", bob).json()
    missing = backend.get(f"/v2/threads/{uuid.uuid4()}", bob).json()
    assert {k: v for k, v in hidden.items() if k not in ("detail", "instance")} == {
        k: v for k, v in missing.items() if k not in ("detail", "instance")
    }


# tokens


def test_no_token_and_a_malformed_header_are_401_with_a_challenge(backend: Backend) -> None:
    missing = backend.get("/v2/threads")
    assert missing.status_code == 401 and challenge(missing) == 'Bearer realm="backend"'
    malformed = backend.get("/v2/threads", headers={"Authorization": "Token abc"})
    assert malformed.status_code == 401 and 'error="invalid_token"' in challenge(malformed)


def test_a_token_for_another_audience_is_refused(backend: Backend) -> None:
    websocket_token = backend.token(ALICE, audience="websocket")
    assert jwt.decode(websocket_token, options={"verify_signature": False})["aud"] == "websocket"
    response = backend.get("/v2/threads", websocket_token)
    assert response.status_code == 401
    assert 'error_description="wrong audience"' in challenge(response)


def test_a_tampered_token_is_refused(backend: Backend, alice: str) -> None:
    header, payload, signature = alice.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert backend.get("/v2/users/me", forged).status_code == 401


def test_a_revoked_token_is_refused_at_once(backend: Backend, alice: str) -> None:
    assert backend.get("/v2/users/me", alice).status_code == 200
    revoked = backend.auth.post("/v2/auth/revoke", data={"token": alice})
    assert revoked.status_code == 200
    response = backend.get("/v2/users/me", alice)
    assert response.status_code == 401
    assert 'error_description="token revoked"' in challenge(response)


def test_an_expired_token_is_refused() -> None:
    clock = FakeClock()
    with served(auth=AuthSettings(clock=clock)) as backend:
        token = backend.token(ALICE)
        assert backend.get("/v2/users/me", token).status_code == 200
        clock.advance(900 - 1)  # a second before `exp`: still good
        assert backend.get("/v2/users/me", token).status_code == 200
        clock.advance(30 + 2)  # past `exp` and the backend's 30 s leeway
        response = backend.get("/v2/users/me", token)
        assert response.status_code == 401
        assert 'error_description="token expired"' in challenge(response)
        # A fresh token works: the backend's own (also expired) service token was renewed.
        assert backend.get("/v2/users/me", backend.token(ALICE)).status_code == 200


def test_key_rotation_new_key_accepted_and_a_retired_key_refused() -> None:
    with served(peer={"jwks_refetch_interval": 0.0}) as backend:
        old = backend.token(ALICE)
        assert backend.get("/v2/users/me", old).status_code == 200
        fetches = backend.app.state.jwks.fetches

        rotated = backend.auth.post("/_contractgate/keys/rotate")
        assert rotated.status_code == 200
        new = backend.token(ALICE)
        assert jwt.get_unverified_header(new)["kid"] == rotated.json()["kid"]
        assert jwt.get_unverified_header(old)["kid"] == rotated.json()["previous_kid"]

        assert backend.get("/v2/users/me", new).status_code == 200  # unknown kid → JWKS refetched
        assert backend.app.state.jwks.fetches == fetches + 1
        assert backend.get("/v2/users/me", old).status_code == 200  # still in its grace period

        assert backend.auth.post("/_contractgate/keys/retire").status_code == 200
        refused = backend.get("/v2/users/me", old)
        assert refused.status_code == 401
        assert 'error="invalid_token"' in challenge(refused)
        assert backend.get("/v2/users/me", new).status_code == 200


def test_an_unreachable_auth_service_is_a_503_not_a_401() -> None:
    with served() as backend:
        token = backend.token(ALICE)
        assert backend.get("/v2/users/me", token).status_code == 200
        backend.platform.servers[0].stop()  # the auth service goes away; its keys stay cached
        response = backend.get("/v2/users/me", token)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"


# the internal API and token kinds


def test_a_user_token_on_the_internal_api_is_403_insufficient_scope(backend: Backend) -> None:
    state = backend.state("a run is in progress", user=ALICE)
    response = backend.get(f"/internal/v1/runs/{state['run_id']}", state["access_token"])
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in challenge(response)
    assert response.json()["type"].endswith("/insufficient-scope")


def test_a_service_token_on_a_user_operation_is_403(backend: Backend) -> None:
    service = backend.service_token("agent-worker")
    for path in ("/v2/threads", "/v2/users/me", "/v1/threads", "/v2/admin/usage"):
        assert backend.get(path, service).status_code == 403, path


def test_internal_operations_require_their_scope(backend: Backend) -> None:
    run_id = backend.state("a run is in progress", user=ALICE)["run_id"]
    reader = backend.service_token("websocket-service")  # runs:read only
    assert jwt.decode(reader, options={"verify_signature": False})["scope"] == "runs:read"
    assert backend.get(f"/internal/v1/runs/{run_id}", reader).status_code == 200
    assert backend.get(f"/internal/v1/runs/{run_id}/events", reader).status_code == 200
    denied = backend.post(f"/internal/v1/runs/{run_id}/cancel", reader)
    assert denied.status_code == 403 and 'scope="runs:write"' in challenge(denied)

    read_only_worker = backend.service_token("agent-worker", scope="runs:read")
    assert backend.post(f"/internal/v1/runs/{run_id}/cancel", read_only_worker).status_code == 403
    writer = backend.service_token("agent-worker")
    assert backend.post(f"/internal/v1/runs/{run_id}/cancel", writer).status_code == 200


def test_a_service_token_for_another_audience_is_refused(backend: Backend) -> None:
    response = backend.auth.post(
        "/v2/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "backend-service",
            "client_secret": "backend-service-secret",
            "audience": "auth",
            "scope": "auth:introspect",
        },
    )
    assert response.status_code == 200, response.text
    run_id = backend.state("a run is in progress")["run_id"]
    refused = backend.get(f"/internal/v1/runs/{run_id}", response.json()["access_token"])
    assert refused.status_code == 401 and "wrong audience" in challenge(refused)


def test_the_internal_api_sees_every_tenants_runs(backend: Backend) -> None:
    state = backend.state("a run of another user exists", owner=BOB)
    run = backend.get(
        f"/internal/v1/runs/{state['run_id']}", backend.service_token("websocket-service")
    ).json()
    assert run["tenant_id"] == "globex" and run["thread_id"] == state["thread_id"]
    assert backend.get(f"/internal/v1/runs/{uuid.uuid4()}", backend.service_token()).status_code == 404
