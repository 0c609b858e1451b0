"""The `/ws` protocol over real sockets: envelope, seq, heartbeat, ping, errors, frames, subscriptions.

Every server message a test receives is validated against the contract by `Client.recv`, and the
tests that read a whole stream also check that its `seq` runs 1, 2, 3 … with no gap.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import jwt
import pytest
from websockets.exceptions import ConnectionClosedError

from stubs.platform import Platform, PlatformOptions
from tests.stubs.websocket_support import (
    ALICE,
    BOB,
    assert_consecutive,
    connected,
    password_token,
    provider_state,
    run,
    start_run,
)

HEARTBEAT = 0.25
OUTPUTS = 3
EVENTS = OUTPUTS + 2  # running, the outputs, completed


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    options = PlatformOptions(
        backend={"run_event_interval": 0.05, "run_output_events": OUTPUTS},
        websocket={"heartbeat_interval": HEARTBEAT, "max_frame_bytes": 4096},
    )
    with Platform(options) as started:
        yield started


@pytest.fixture(scope="module")
def token(platform: Platform) -> str:
    return password_token(platform)


def test_welcome_is_first_with_seq_1_and_announces_the_connection(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            welcome = await client.recv()
            assert welcome["type"] == "welcome" and welcome["seq"] == 1
            payload = welcome["payload"]
            assert payload["heartbeat_interval_ms"] == HEARTBEAT * 1000
            assert payload["max_frame_bytes"] == 4096
            exp = jwt.decode(token, options={"verify_signature": False})["exp"]
            assert datetime.fromisoformat(payload["expires_at"]).timestamp() == exp
            assert platform.websocket_app.state.service.sessions.get(payload["session_id"]) is not None

    run(scenario())


def test_heartbeats_arrive_within_the_interval_and_seq_grows_by_one(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            started = time.monotonic()
            for _ in range(3):
                beat = await client.recv(timeout=HEARTBEAT * 2)
                assert beat["type"] == "heartbeat" and beat["payload"] == {}
            assert time.monotonic() - started < HEARTBEAT * 3 + 0.5
            assert_consecutive(client.received)

    run(scenario())


def test_ping_is_answered_by_pong_with_its_id_in_order(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            ids = [await client.send("ping", {}, f"ping-{n}") for n in range(5)]
            pongs = [await client.next_of("pong") for _ in ids]
            assert [p["id"] for p in pongs] == ids
            assert_consecutive(client.received)

    run(scenario())


def test_unknown_type_is_an_error_and_the_connection_still_answers(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            error = await client.request("frobnicate", {})
            assert error["type"] == "error" and error["payload"]["code"] == "unknown_type"
            assert error["payload"]["ref"] == "/type"
            assert (await client.request("ping", {}))["type"] == "pong"

    run(scenario())


@pytest.mark.parametrize(
    "frame",
    [
        "{not json",
        "[1, 2, 3]",
        json.dumps({"type": "ping", "payload": {}}),  # no id
        json.dumps({"type": "ping", "id": "p", "payload": {}, "seq": 1}),  # seq is the server's
        json.dumps({"type": "subscribe", "id": "s", "payload": {}}),  # no run_id
        json.dumps({"type": "subscribe", "id": "s", "payload": {"run_id": "../etc"}}),
        json.dumps({"id": "x", "payload": {}}),  # no type
    ],
    ids=["not-json", "not-object", "no-id", "client-seq", "no-run-id", "bad-run-id", "no-type"],
)
def test_invalid_messages_are_errors_and_the_connection_stays_usable(
    platform: Platform, token: str, frame: str
) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            await client.connection.send(frame)
            error = await client.next_of("error")
            assert error["payload"]["code"] == "invalid_message"
            sent_id = json.loads(frame).get("id") if frame.startswith('{"') else None
            if isinstance(sent_id, str):
                assert error["id"] == sent_id
            assert (await client.request("ping", {}))["type"] == "pong"

    run(scenario())


def test_binary_frame_is_an_invalid_message(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            await client.connection.send(b'{"type": "ping", "id": "b", "payload": {}}')
            assert (await client.next_of("error"))["payload"]["code"] == "invalid_message"

    run(scenario())


def test_oversized_frame_closes_with_1009(platform: Platform, token: str) -> None:
    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            await client.send("ping", {"padding": "x" * 5000})
            with pytest.raises(ConnectionClosedError) as closed:
                while True:
                    await client.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009

    run(scenario())


def test_subscribe_delivers_every_event_in_order_until_completion(platform: Platform, token: str) -> None:
    run_id = start_run(platform)

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            subscribed = await client.request("subscribe", {"run_id": run_id})
            assert subscribed["type"] == "subscribed"
            assert subscribed["payload"]["run_id"] == run_id
            events = await client.run_events(run_id)
            assert [e["event_seq"] for e in events] == list(range(1, EVENTS + 1))
            assert events[0] == {
                "run_id": run_id,
                "event_seq": 1,
                "event": "status",
                "data": {"status": "running"},
            }
            assert [e["event"] for e in events[1:-1]] == ["output"] * OUTPUTS
            assert events[-1]["data"] == {"status": "completed"}
            assert_consecutive(client.received)

    run(scenario())


def is_final(message: dict[str, Any]) -> bool:
    payload = message["payload"]
    return (
        message["type"] == "run.event"
        and payload["event"] == "status"
        and payload["data"]["status"] in ("completed", "cancelled")
    )


def test_subscribing_twice_answers_twice_but_streams_once(platform: Platform, token: str) -> None:
    run_id = start_run(platform)

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            for _ in range(2):
                assert (await client.request("subscribe", {"run_id": run_id}))["type"] == "subscribed"
            # Events may arrive while the second answer is awaited (they are recorded all the same).
            if not any(is_final(m) for m in client.received):
                await client.run_events(run_id)
            await client.request("ping", {})  # anything sent twice would have arrived by now
            events = [m["payload"] for m in client.received if m["type"] == "run.event"]
            assert [e["event_seq"] for e in events] == list(range(1, EVENTS + 1))

    run(scenario())


def test_subscribing_to_a_finished_run_replays_it_from_the_first_event(
    platform: Platform, token: str
) -> None:
    run_id = start_run(platform)
    time.sleep(0.05 * (EVENTS + 2))  # the run completes before anyone subscribes

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            subscribed = await client.request("subscribe", {"run_id": run_id})
            assert subscribed["payload"]["status"] == "completed"
            events = await client.run_events(run_id)
            assert [e["event_seq"] for e in events] == list(range(1, EVENTS + 1))

    run(scenario())


def test_another_users_run_is_not_found_and_the_connection_stays_open(platform: Platform, token: str) -> None:
    bobs_run = start_run(platform, BOB)

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            for run_id in (bobs_run, str(uuid.uuid4())):
                error = await client.request("subscribe", {"run_id": run_id})
                assert error["type"] == "error" and error["payload"]["code"] == "not_found"
            assert (await client.request("ping", {}))["type"] == "pong"
            await asyncio.sleep(0.3)  # bob's run produces events meanwhile: none may reach alice
            assert not [m for m in client.received if m["type"] == "run.event"]

    run(scenario())


def test_unsubscribe_stops_a_subscription_and_unknown_ones_are_not_found(
    platform: Platform, token: str
) -> None:
    run_id = start_run(platform)

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            assert (await client.request("subscribe", {"run_id": run_id}))["type"] == "subscribed"
            unsubscribed = await client.request("unsubscribe", {"run_id": run_id})
            assert unsubscribed["type"] == "unsubscribed" and unsubscribed["payload"] == {"run_id": run_id}
            again = await client.request("unsubscribe", {"run_id": run_id})
            assert again["type"] == "error" and again["payload"]["code"] == "not_found"

    run(scenario())


def test_too_many_subscriptions_is_an_error(platform: Platform, token: str) -> None:
    service = platform.websocket_app.state.service
    # Held runs stay in progress: runs that ended before the subscription would not count as followed.
    runs = [
        provider_state(platform.backend_url, "a run is in progress", user=ALICE)["run_id"] for _ in range(3)
    ]

    async def scenario() -> None:
        async with connected(platform, token) as client:
            await client.recv()
            for run_id in runs[:2]:
                assert (await client.request("subscribe", {"run_id": run_id}))["type"] == "subscribed"
            error = await client.request("subscribe", {"run_id": runs[2]})
            assert error["payload"]["code"] == "too_many_subscriptions"

    limit, service.max_subscriptions = service.max_subscriptions, 2
    try:
        run(scenario())
    finally:
        service.max_subscriptions = limit


def test_provider_states_give_a_run_in_progress_and_another_users_run(platform: Platform) -> None:
    mine = provider_state(platform.websocket_http_url, "a run is in progress", user=ALICE)
    theirs = provider_state(platform.websocket_http_url, "a run of another user exists")

    async def scenario() -> None:
        async with connected(platform, mine["access_token"]) as client:
            await client.recv()
            assert (await client.request("subscribe", {"run_id": mine["run_id"]}))["type"] == "subscribed"
            assert len(await client.run_events(mine["run_id"])) == EVENTS
            error = await client.request("subscribe", {"run_id": theirs["run_id"]})
            assert error["payload"]["code"] == "not_found"

    run(scenario())


def test_twenty_concurrent_connections_each_get_their_own_ordered_stream(
    platform: Platform, token: str
) -> None:
    runs = [start_run(platform) for _ in range(20)]

    async def one(run_id: str) -> None:
        async with connected(platform, token) as client:
            await client.recv()
            await client.request("subscribe", {"run_id": run_id})
            events = await client.run_events(run_id, timeout=15)
            assert [e["event_seq"] for e in events] == list(range(1, EVENTS + 1))
            assert all(m["payload"]["run_id"] == run_id for m in client.received if m["type"] == "run.event")
            assert_consecutive(client.received)

    async def scenario() -> None:
        await asyncio.gather(*(one(r) for r in runs))

    run(scenario(), timeout=60)
