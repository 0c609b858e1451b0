"""Sessions across connections: resume without loss or duplicates, refusals, take-over, expiry close."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from websockets.exceptions import ConnectionClosedError

from stubs.platform import Platform, PlatformOptions
from stubs.settings import AuthSettings
from stubs.tokens import Principal
from stubs.websocket.protocol import ProtocolError
from stubs.websocket.sessions import SessionStore
from tests.stubs.websocket_support import (
    ALICE,
    BOB,
    Client,
    assert_consecutive,
    connected,
    password_token,
    provider_state,
    run,
    start_run,
)

INTERVAL = 0.15
OUTPUTS = 6
EVENTS = OUTPUTS + 2


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    options = PlatformOptions(
        backend={"run_event_interval": INTERVAL, "run_output_events": OUTPUTS},
        websocket={"heartbeat_interval": 0.2, "session_ttl": 30.0},
    )
    with Platform(options) as started:
        yield started


def after_welcome(client: Client) -> list[dict[str, Any]]:
    assert client.received[0]["type"] == "welcome"
    return client.received[1:]


def test_resume_after_disconnect_loses_nothing_and_repeats_nothing(platform: Platform) -> None:
    token = password_token(platform)
    run_id = start_run(platform)

    async def scenario() -> None:
        async with connected(platform, token) as first:
            session_id = (await first.recv())["payload"]["session_id"]
            await first.request("subscribe", {"run_id": run_id})
            await first.next_of("run.event")
            await first.next_of("heartbeat")
        seen = list(first.received)
        # The client acknowledges only seq 2: what it received after that counts as lost with the
        # connection and must come again, identical (seq, id, ts), heartbeats included.
        last_seq = 2
        await asyncio.sleep(INTERVAL * 3)  # events of the run keep coming while nobody is connected

        async with connected(platform, token) as second:
            assert (await second.recv())["type"] == "welcome"
            resume_id = await second.send("resume", {"session_id": session_id, "last_seq": last_seq})
            resumed = await second.reply_to(resume_id)
            assert resumed["type"] == "resumed"
            replayed = after_welcome(second)[:-1]
            assert resumed["payload"] == {
                "session_id": session_id,
                "replayed": len(replayed),
                "last_seq": resumed["seq"] - 1,
            }
            assert replayed[: len(seen) - last_seq] == seen[last_seq:]
            assert len(replayed) > len(seen) - last_seq, "events produced meanwhile are replayed"
            await second.run_events(run_id)
            continued = after_welcome(second)

        stream = seen[:last_seq] + continued
        assert_consecutive(stream)  # one session, 1..n: no gap, no duplicate
        events = [m["payload"]["event_seq"] for m in stream if m["type"] == "run.event"]
        assert events == list(range(1, EVENTS + 1))
        ids = [m["id"] for m in stream if m["type"] in ("run.event", "heartbeat")]  # fresh ids
        assert len(set(ids)) == len(ids)

    run(scenario())


def test_resume_of_another_users_session_is_refused(platform: Platform) -> None:
    async def scenario() -> None:
        async with connected(platform, password_token(platform, ALICE)) as alice:
            alices_session = (await alice.recv())["payload"]["session_id"]
            async with connected(platform, password_token(platform, BOB)) as bob:
                await bob.recv()
                error = await bob.request("resume", {"session_id": alices_session, "last_seq": 0})
                assert error["type"] == "error" and error["payload"]["code"] == "invalid_resume"
                assert (await bob.request("ping", {}))["type"] == "pong"
            assert (await alice.request("ping", {}))["type"] == "pong", "alice's connection is untouched"

    run(scenario())


@pytest.mark.parametrize("case", ["unknown-session", "last-seq-ahead"])
def test_resume_that_cannot_be_served_is_refused(platform: Platform, case: str) -> None:
    token = password_token(platform)

    async def scenario() -> None:
        async with connected(platform, token) as first:
            session_id = (await first.recv())["payload"]["session_id"]
        async with connected(platform, token) as second:
            await second.recv()
            payload = (
                {"session_id": "A" * 24, "last_seq": 0}
                if case == "unknown-session"
                else {"session_id": session_id, "last_seq": 10_000}
            )
            error = await second.request("resume", payload)
            assert error["payload"]["code"] == "invalid_resume"
            assert (await second.request("ping", {}))["type"] == "pong"
            assert_consecutive(second.received)

    run(scenario())


def test_resuming_a_session_still_attached_takes_it_over(platform: Platform) -> None:
    token = password_token(platform)

    async def scenario() -> None:
        async with connected(platform, token) as first:
            welcome = await first.recv()
            async with connected(platform, token) as second:
                await second.recv()
                resumed = await second.request(
                    "resume", {"session_id": welcome["payload"]["session_id"], "last_seq": 1}
                )
                assert resumed["type"] == "resumed"
                with pytest.raises(ConnectionClosedError) as closed:
                    while True:
                        await first.recv()
                assert closed.value.rcvd is not None
                assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
                    4409,
                    "session resumed elsewhere",
                )
                assert (await second.request("ping", {}))["type"] == "pong"
                assert_consecutive(after_welcome(second), start=2)

    run(scenario())


def test_a_session_with_events_state_can_be_resumed(platform: Platform) -> None:
    state = provider_state(platform.websocket_http_url, "a session with events exists", user=ALICE)

    async def scenario() -> None:
        async with connected(platform, state["access_token"]) as client:
            await client.recv()
            resumed = await client.request(
                "resume", {"session_id": state["session_id"], "last_seq": state["last_seq"]}
            )
            assert resumed["type"] == "resumed" and resumed["payload"]["replayed"] >= 2
            replayed = after_welcome(client)[:-1]
            assert replayed[0]["type"] == "subscribed" and replayed[0]["seq"] == state["last_seq"] + 1
            assert any(m["type"] == "run.event" for m in replayed)

    run(scenario())


def test_token_expiry_closes_the_connection_with_4401() -> None:
    with Platform(PlatformOptions(auth=AuthSettings(access_token_ttl=2))) as platform:
        token = password_token(platform)

        async def scenario() -> float:
            async with connected(platform, token) as client:
                welcome = await client.recv()
                assert welcome["type"] == "welcome"
                with pytest.raises(ConnectionClosedError) as closed:
                    while True:
                        await client.recv(timeout=5)
                assert closed.value.rcvd is not None
                assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "token expired")
                return time.time()

        closed_at = run(scenario())
        exp = jwt.decode(token, options={"verify_signature": False})["exp"]
        assert exp - 0.5 <= closed_at <= exp + 1.5


def principal(subject: str, tenant: str = "acme") -> Principal:
    return Principal(
        subject=subject,
        kind="user",
        audiences=("websocket",),
        scopes=frozenset(),
        jti="j",
        expires_at=time.time() + 60,
        tenant_id=tenant,
    )


def test_a_session_keeps_only_its_last_messages_and_refuses_a_resume_it_cannot_serve() -> None:
    async def scenario() -> None:
        store = SessionStore(ttl=60, buffer_size=3, clock=time.time)
        session = store.create(principal("alice"))
        for _ in range(5):
            session.emit("heartbeat", {})
        assert [m["seq"] for m in store.resume(principal("alice"), session.id, 2)[1]] == [3, 4, 5]
        assert store.resume(principal("alice"), session.id, 5)[1] == []
        for last_seq, reason in ((1, "no longer kept"), (6, "ahead of the session")):
            with pytest.raises(ProtocolError, match=reason) as refused:
                store.resume(principal("alice"), session.id, last_seq)
            assert refused.value.code == "invalid_resume"
        for other in (principal("bob"), principal("alice", tenant="globex")):
            with pytest.raises(ProtocolError, match="no such session"):
                store.resume(other, session.id, 5)
        store.close_all()

    run(scenario())


def test_a_detached_session_expires_after_its_ttl() -> None:
    async def scenario() -> None:
        store = SessionStore(ttl=0.1, buffer_size=10, clock=time.time)
        session = store.create(principal("alice"))
        assert store.get(session.id) is session
        await asyncio.sleep(0.3)
        assert store.get(session.id) is None

    run(scenario())
