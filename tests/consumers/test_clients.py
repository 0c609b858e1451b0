"""The consumers' clients against the real stubs: one call of each kind, over real sockets.

The pacts prove the clients agree with what the consumers *say* they rely on; these tests prove the
clients actually work against faithful providers (and surface the errors the consumers branch on).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from consumers import realtime
from consumers.auth_v1 import LegacyAuthClient
from consumers.auth_v2 import AuthClient
from consumers.backend_v1 import LegacyBackendClient
from consumers.backend_v2 import BackendClient
from consumers.errors import BadRequest, Conflict, NotFound, Unauthorized
from consumers.internal import InternalRunsClient
from stubs.platform import Platform

ALICE = ("alice@example.com", "alice-password")
BOB = ("bob@example.com", "bob-password")


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with Platform() as running:
        yield running


@pytest.fixture(scope="module")
def auth(platform: Platform) -> Iterator[AuthClient]:
    with AuthClient(platform.auth_url) as client:
        yield client


def test_auth_v2_grants_userinfo_refresh_and_revocation(auth: AuthClient) -> None:
    tokens = auth.password_grant(*ALICE)
    assert tokens.token_type == "Bearer" and tokens.refresh_token
    assert auth.userinfo(tokens.access_token).email == ALICE[0]
    refreshed = auth.refresh(tokens.refresh_token)
    auth.revoke(refreshed.access_token)
    with pytest.raises(Unauthorized) as refused:
        auth.userinfo(refreshed.access_token)
    assert refused.value.challenge.startswith("Bearer ")
    with pytest.raises(BadRequest) as wrong:
        auth.password_grant(ALICE[0], "not-the-password")
    assert wrong.value.error == "invalid_grant"


def test_auth_v2_service_calls(auth: AuthClient) -> None:
    service = auth.client_credentials("backend-service", "backend-service-secret", "auth", "auth:introspect")
    assert service.refresh_token is None
    assert auth.jwks()[0]["kty"] == "RSA"
    user = auth.password_grant(*ALICE)
    seen = auth.introspect(user.access_token, service.access_token)
    assert seen.active and seen.tenant_id == "acme"
    auth.revoke(user.access_token)
    assert not auth.introspect(user.access_token, service.access_token).active


def test_auth_v1_reports_deprecation(platform: Platform) -> None:
    with LegacyAuthClient(platform.auth_url) as client:
        tokens = client.login(*ALICE)
        assert client.me(tokens.access_token).tenant_id == "acme"
        deprecation = client.last_deprecation
        assert deprecation is not None and deprecation.successor == "/v2/auth/userinfo"
        client.refresh(tokens.refresh_token)
        client.logout(tokens.access_token)
        with pytest.raises(Unauthorized):
            client.me(tokens.access_token)


def test_backend_v2_threads_runs_and_isolation(platform: Platform, auth: AuthClient) -> None:
    alice = auth.password_grant(*ALICE).access_token
    bob = auth.password_grant(*BOB).access_token
    with BackendClient(platform.backend_url) as client:
        thread = client.create_thread(alice, "Trip planning")
        assert thread.id in [t.id for t in client.threads(alice, page_size=1)]
        client.post_message(alice, thread.id, "Where to?")
        assert client.list_messages(alice, thread.id).data[0].content == "Where to?"
        run = client.start_run(alice, thread.id, "Plan it")
        assert run.location == f"/v2/runs/{run.id}" and run.stream_url.startswith("ws://")
        with pytest.raises(Conflict):
            client.start_run(alice, thread.id, "again")
        assert client.get_run(alice, run.id).thread_id == thread.id
        with pytest.raises(NotFound):
            client.get_thread(bob, thread.id)
        assert client.me(alice).tenant_id == "acme"
        client.delete_thread(alice, thread.id)


def test_backend_v1_and_the_internal_api(platform: Platform, auth: AuthClient) -> None:
    alice = auth.password_grant(*ALICE).access_token
    with LegacyBackendClient(platform.backend_url) as legacy:
        thread = legacy.create_thread(alice, "Legacy")
        legacy.post_message(alice, thread.id, "hello")
        assert legacy.list_messages(alice, thread.id).items[0].text == "hello"
        run = legacy.start_run(alice, thread.id, "go")
        assert legacy.get_run(alice, run.run_id).status in ("queued", "running", "completed")
        assert legacy.last_deprecation is not None
    service = auth.client_credentials("websocket-service", "websocket-service-secret", "backend", "runs:read")
    with InternalRunsClient(platform.backend_url) as internal:
        seen = internal.run(service.access_token, run.run_id)
        assert seen.visible_to(auth.userinfo(alice).sub, "acme")
        assert internal.events(service.access_token, run.run_id).run_id == run.run_id


def test_realtime_channel(platform: Platform, auth: AuthClient) -> None:
    token = auth.password_grant(*ALICE, audience="websocket").access_token
    backend_token = auth.password_grant(*ALICE).access_token
    with BackendClient(platform.backend_url) as backend:
        run = backend.start_run(backend_token, backend.create_thread(backend_token, "live").id, "go")
    with realtime.connect(platform.websocket_url, token) as first:
        assert first.ping().type == "pong"
        assert first.subscribe(run.id).payload["run_id"] == run.id
        event = first.receive()
        assert event.type == "run.event" and event.payload["event_seq"] == 1
        session, seen = first.session_id, first.last_seq
    with realtime.connect(platform.websocket_url, token, browser=True) as second:
        assert second.subprotocol == realtime.SUBPROTOCOL
        resumed = second.resume(session, seen)
        assert resumed.resumed.payload["session_id"] == session
        assert all(m.seq > seen for m in resumed.replayed)
        with pytest.raises(realtime.RealtimeError) as error:
            second.request("frobnicate", {})
        assert error.value.code == "unknown_type"
    with pytest.raises(realtime.HandshakeRefused) as refused:
        realtime.connect(platform.websocket_url, "not-a-token")
    assert refused.value.status == 401


def test_error_bodies_are_parsed(platform: Platform) -> None:
    with httpx.Client() as http, BackendClient(platform.backend_url, http=http) as client:
        with pytest.raises(Unauthorized) as missing:
            client.me("x.y.z")
    assert missing.value.status == 401 and missing.value.problem["status"] == 401
