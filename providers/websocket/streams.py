"""Stream checks: a run's events in order until its end, resume without loss or duplicates, and many
connections each with their own stream.

A run's events are judged through `x-message-fields.event`: `run` (which run an event belongs to),
`position` (its place in the run, consecutive from `position-start`, default 1) and `final` (the
value that ends the stream). Envelope numbering (`seq`) is not judged here but by `seq-order`, which
sees every frame of these connections too; `resume` judges the replayed frames, which `seq-order`
leaves to it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from providers.errors import ContractgateError
from providers.websocket.base import Env, Passed, Skip, check
from providers.websocket.client import Unexpected, WsConnection, excerpt
from providers.websocket.contract import WsContract

#: Pause between dropping a connection and resuming its session: events keep coming meanwhile.
RESUME_PAUSE = 0.3
#: Pings of the first connection of the resume check: messages the session must keep.
RESUME_PINGS = 3


def judge_events(contract: WsContract, events: list[dict[str, Any]], run: str) -> list[str]:
    """What is wrong with a run's stream of `event` messages (empty when it is whole and in order)."""
    problems = []
    own = []
    for message in events:
        belongs = contract.read(message, "event", "run")
        if belongs is not None and belongs != run:
            problems.append(f"an event of run {belongs!r}, which was not subscribed to: {excerpt(message)}")
        else:
            own.append(message)
    if contract.field("event", "position") is not None:
        positions = [contract.read(m, "event", "position") for m in own]
        start = int(contract.fields.get("event", {}).get("position-start", 1))
        if positions != list(range(start, start + len(positions))):
            problems.append(f"event positions {positions}, expected consecutive from {start}")
    finals = [i for i, message in enumerate(own) if contract.is_final(message)]
    if contract.final is not None:
        if not finals:
            problems.append("no final event")
        elif finals[0] != len(own) - 1:
            problems.append(f"{len(own) - 1 - finals[0]} event(s) after the final one")
    return problems


def _events(contract: WsContract, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if contract.is_role(m, "event")]


async def _subscribe(env: Env, connection: WsConnection, run: str) -> dict[str, Any]:
    """Subscribe to `run`; the reply, which must be the `subscribed` message."""
    message_id = connection.new_id("sub")
    await connection.send(env.build("subscribe", message_id, run=run))
    reply = await connection.reply_to(message_id, env.settings.reply_timeout, "answer to the subscription")
    if not env.contract.is_role(reply, "subscribed"):
        raise Unexpected(
            f"the subscription to a run of the account was answered {excerpt(reply)}", connection.reproduction
        )
    return reply


async def _until_final(env: Env, connection: WsConnection, run: str, timeout: float) -> None:
    """Receive until the run's final event (already received counts)."""

    def done() -> bool:
        return any(
            env.contract.is_final(m) and env.contract.read(m, "event", "run") in (run, None)
            for m in _events(env.contract, connection.received)
        )

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done():
        left = deadline - loop.time()
        if left <= 0:
            seen = len(_events(env.contract, connection.received))
            raise Unexpected(
                f"no final event of the run within {timeout:g} s ({seen} event(s) seen)",
                connection.reproduction,
            )
        await connection.next_of([env.contract.role("event")], left, "final event of the run")


def _require_run_roles(env: Env) -> None:
    env.require_role("subscribe", "subscribed", "event")
    if env.contract.final is None:
        raise Skip("x-message-fields.event declares no `final` value: the end of a run cannot be told")


async def _one_run(env: Env) -> str:
    runs = await env.material.runs(1)
    if not runs:
        raise Skip(
            "no run to subscribe to: the target has no provider-state hook to start one; "
            "set suite.websocket.run_id to a run of the account"
        )
    return runs[0]


@check(
    "run-stream",
    lambda env: (
        "subscribing to a run of the account is answered "
        f"{env.contract.role('subscribed')}, then every {env.contract.role('event')} of that run follows, "
        "in order from the first, until the final one, and nothing after it"
    ),
)
async def run_stream(env: Env) -> Passed:
    _require_run_roles(env)
    run = await _one_run(env)
    async with env.dialer.connect(await env.credential()) as connection:
        await connection.recv(env.settings.reply_timeout, "first message")
        reply = await _subscribe(env, connection, run)
        await _until_final(env, connection, run, env.settings.run_timeout)
        await connection.drain(min(0.5, env.settings.reply_timeout))  # anything after the end?
        received = connection.received
        early = _events(env.contract, received[: received.index(reply)])
        events = _events(env.contract, received[received.index(reply) + 1 :])
        problems = judge_events(env.contract, events, run)
        if early:
            problems.insert(0, f"{len(early)} event(s) before the subscription was answered")
        if problems:
            raise Unexpected("; ".join(problems), connection.reproduction)
        return Passed(
            f"{env.contract.role('subscribed')}, then {len(events)} events in order, the last one final",
            {"run": run, "events": len(events)},
            connection.reproduction,
        )


def _seq(env: Env, message: dict[str, Any]) -> int:
    value = env.contract.seq(message)
    return value if isinstance(value, int) else -1


@check(
    "resume",
    lambda env: (
        f"after a disconnect, {env.contract.role('resume')} from a last seen "
        f"{env.contract.sequence.field} replays every later message of the session once, unchanged and in "
        f"order, then {env.contract.role('resumed')}; the session (and its run) continues with nothing lost "
        "and nothing twice"
    ),
)
async def resume(env: Env) -> Passed:
    roles = env.require_role("first", "resume", "resumed", "ping")
    contract = env.contract
    step = contract.sequence.step
    if contract.field("first", "session") is None:
        raise Skip("x-message-fields.first declares no `session`: there is nothing to resume")
    run = None
    if contract.role("subscribe") and contract.final is not None and (runs := await env.material.runs(1)):
        run = runs[0]
    credential = await env.credential()
    async with env.dialer.connect(credential, "resume first") as first:
        welcome = await first.recv(env.settings.reply_timeout, "first message")
        session = contract.read(welcome, "first", "session")
        if session is None:
            raise Unexpected(f"the first message names no session: {excerpt(welcome)}", first.reproduction)
        if run is not None:
            await _subscribe(env, first, run)
        for _ in range(RESUME_PINGS):
            ping_id = first.new_id("ping")
            await first.send(env.build("ping", ping_id))
            await first.reply_to(ping_id, env.settings.reply_timeout, f"answer to {roles['ping']}")
        seen = list(first.received)
        first_reproduction = first.reproduction
    # Acknowledge only the first two messages: what came after must come again, unchanged.
    last_seq = _seq(env, seen[1])
    await asyncio.sleep(RESUME_PAUSE)

    async with env.dialer.connect(credential, "resume second") as second:
        own = await second.recv(env.settings.reply_timeout, "first message")
        resume_id = second.new_id("resume")
        await second.send_resume(env.build("resume", resume_id, session=session, last_seq=last_seq))
        own_next = _seq(env, own) + step
        window: list[dict[str, Any]] = []
        while True:
            got = await second.recv(env.settings.reply_timeout, f"answer to {roles['resume']}")
            if contract.reply_id(got) == resume_id and (
                contract.is_role(got, "resumed") or contract.is_role(got, "error")
            ):
                reply = got
                break
            if not window and _seq(env, got) == own_next and own_next <= last_seq:
                own_next += step  # the new connection's own session, before the resume was handled
                continue
            window.append(got)
        if not contract.is_role(reply, "resumed"):
            raise Unexpected(f"the resume was refused: {excerpt(reply)}", second.reproduction)
        if run is not None:
            await _until_final(env, second, run, env.settings.run_timeout)
        after = second.received[second.received.index(reply) + 1 :]
        problems = _judge_replay(env, seen, window, reply, after, last_seq)
        replayed = ", ".join(str(_seq(env, m)) for m in window) or "nothing"
        if run is not None:
            kept = [m for m in seen if _seq(env, m) <= last_seq]
            events = _events(contract, kept + window + after)
            problems += [f"run events across the resume: {p}" for p in judge_events(contract, events, run)]
        if problems:
            reproduction = f"{first_reproduction}\n# close; reconnect:\n{second.reproduction}"
            raise Unexpected(
                f"resumed from {contract.sequence.field} {last_seq}, replayed {replayed}, then "
                f"{contract.type_of(reply)} at {_seq(env, reply)}: " + "; ".join(problems),
                reproduction,
            )
        return Passed(
            f"resumed from {contract.sequence.field} {last_seq}: {len(window)} message(s) replayed "
            f"({replayed}), then {roles['resumed']} at {_seq(env, reply)}"
            + (", and the run continued to its end" if run is not None else ""),
            {"session_messages_seen": len(seen), "replayed": len(window), "run": run},
            second.reproduction,
        )


def _judge_replay(
    env: Env,
    seen: list[dict[str, Any]],
    window: list[dict[str, Any]],
    reply: dict[str, Any],
    after: list[dict[str, Any]],
    last_seq: int,
) -> list[str]:
    field, step = env.contract.sequence.field, env.contract.sequence.step
    got = [_seq(env, m) for m in window]
    expected = list(range(last_seq + step, _seq(env, reply), step))
    problems = []
    highest_seen = max(_seq(env, m) for m in seen)
    if _seq(env, reply) <= highest_seen:
        problems.append(
            f"resumed at {field} {_seq(env, reply)} though the session had already sent {highest_seen}"
        )
    lost = sorted(set(expected) - set(got))
    if lost:
        problems.append(f"lost: {field} {lost} never replayed")
    twice = sorted(s for s, n in Counter(got).items() if n > 1)
    if twice:
        problems.append(f"replayed twice: {field} {twice}")
    stray = sorted(set(got) - set(expected))
    if stray:
        problems.append(f"replayed {field} {stray}, outside ({last_seq}, {_seq(env, reply)})")
    if got != sorted(got):
        problems.append(f"replayed out of order: {got}")
    before = {_seq(env, m): m for m in seen if _seq(env, m) > last_seq}
    changed = sorted(s for s, m in ((_seq(env, m), m) for m in window) if s in before and before[s] != m)
    if changed:
        problems.append(f"replayed {field} {changed} differ from the messages first sent")
    announced = env.contract.read(reply, "resumed", "replayed")
    if announced is not None and announced != len(window):
        problems.append(f"{env.contract.type_of(reply)} announces {announced} replayed, {len(window)} came")
    identities = {(env.contract.type_of(m), env.contract.reply_id(m)) for m in window}
    again = [m for m in after if (env.contract.type_of(m), env.contract.reply_id(m)) in identities]
    if again:
        problems.append(f"{len(again)} replayed message(s) sent again after the resume: {excerpt(again[0])}")
    return problems


@check(
    "concurrency",
    lambda env: (
        f"{env.settings.concurrency(env.live)} connections at once each get their own session, the "
        "answers to their own requests only and their own run's events, whole and in order "
        "(their numbering is judged by seq-order)"
    ),
)
async def concurrency(env: Env) -> Passed:
    roles = env.require_role("first", "ping", "pong")
    contract = env.contract
    count = env.settings.concurrency(env.live)
    can_follow = contract.role("subscribe") and contract.role("event") and contract.final is not None
    runs = await env.material.runs(count) if can_follow else []
    credential = await env.credential()

    async def one(index: int) -> tuple[Any, str | None, set[str], list[dict[str, Any]], str]:
        async with env.dialer.connect(credential, f"concurrent {index + 1}") as connection:
            welcome = await connection.recv(env.settings.reply_timeout, "first message")
            run = runs[index % len(runs)] if runs else None
            asked: set[str] = set()
            if run is not None:
                asked.add(str(contract.reply_id(await _subscribe(env, connection, run))))
            ping_id = connection.new_id("ping")
            await connection.send(env.build("ping", ping_id))
            asked.add(ping_id)
            pong = await connection.reply_to(
                ping_id, env.settings.reply_timeout, f"answer to {roles['ping']}"
            )
            if not contract.is_role(pong, "pong"):
                raise Unexpected(f"{roles['ping']} was answered {excerpt(pong)}", connection.reproduction)
            if run is not None:
                await _until_final(env, connection, run, env.settings.run_timeout)
            return (
                contract.read(welcome, "first", "session"),
                run,
                asked,
                connection.received,
                connection.reproduction,
            )

    outcomes = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    problems: list[str] = []
    reproduction = None
    finished = []
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, ContractgateError):
            raise outcome
        if isinstance(outcome, Unexpected):
            problems.append(f"connection {index + 1}: {outcome.observed}")
            reproduction = reproduction or outcome.reproduction
        elif isinstance(outcome, BaseException):
            problems.append(f"connection {index + 1}: {type(outcome).__name__}: {outcome}")
        else:
            finished.append((index, *outcome))
    sessions = Counter(session for _, session, *_ in finished if session is not None)
    shared = [s for s, n in sessions.items() if n > 1]
    if shared:
        problems.append(f"{len(shared)} session id(s) given to more than one connection")
    all_asked = {i: asked for i, _, _, asked, _, _ in finished}
    for index, _, run, _asked, received, connection_reproduction in finished:
        foreign = [
            m
            for m in received
            if any(contract.reply_id(m) in other for j, other in all_asked.items() if j != index)
        ]
        trouble = [f"{len(foreign)} answer(s) to another connection's requests"] if foreign else []
        if run is not None:
            trouble += judge_events(contract, _events(contract, received), run)
        if trouble:
            problems.append(f"connection {index + 1}: {'; '.join(trouble)}")
            reproduction = reproduction or connection_reproduction
    if problems:
        raise Unexpected(
            f"{len(problems)} of {count} connections went wrong: " + " | ".join(problems[:5]), reproduction
        )
    streams = (
        f", each following {'its own' if len(set(runs)) > 1 else 'the same'} run to its end" if runs else ""
    )
    return Passed(
        f"{count} concurrent connections, {len(sessions) or count} distinct sessions{streams}",
        {"connections": count, "runs": len(set(runs))},
    )
