"""Connection checks: heartbeat, the close at token expiry, an unknown message type, an oversized frame —
and the two judgements over everything the suite saw: `message-schema` and `seq-order`.

The values these checks hold the server to are the ones it announces in its first message (the
heartbeat interval, the frame limit, the token's expiry: `x-message-fields.first`) and the contract's
close codes by meaning (`token-expired`, `frame-too-large`) and `error` codes (`unknown-type`).
The two judgements run last: every frame of every connection of the run was checked as it arrived
(`client.WsConnection`), so a message the contract does not declare or a numbering slip is reported
once, by the check that owns it, whichever check's connection it came on.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

from websockets.exceptions import ConnectionClosed

from providers.keyholder import ENABLE
from providers.results import Finding
from providers.websocket.base import Env, Passed, Skip, check
from providers.websocket.client import Credential, Violation, closed_text, excerpt

#: Undeclared client message type sent by the unknown-type check.
UNDECLARED_TYPE = "contractgate.undeclared"
#: Frames larger than this are not sent even if the server announces such a limit.
MAX_OVERSIZED_FRAME = 16 * 1024 * 1024


def _instant(value: object) -> float | None:
    """Epoch seconds of an RFC 3339 text (None when it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _code(env: Env, meaning: str) -> int | None:
    code = env.contract.close_code(meaning)
    return code.code if code is not None else None


@check(
    "heartbeat",
    lambda env: (
        f"{env.contract.role('heartbeat')} arrives within the interval the first message announces "
        f"(+{env.settings.heartbeat_tolerance:.0%} +{env.settings.heartbeat_slack:g} s), twice in a row"
    ),
)
async def heartbeat(env: Env) -> Passed:
    roles = env.require_role("first", "heartbeat")
    async with env.dialer.connect(await env.credential()) as connection:
        first = await connection.recv(env.settings.reply_timeout, "first message")
        announced = env.contract.read(first, "first", "heartbeat-interval-ms")
        if isinstance(announced, int | float) and announced > 0:
            interval, source = announced / 1000, "announced"
        elif env.settings.heartbeat_interval:
            interval, source = env.settings.heartbeat_interval, "configured"
        else:
            raise Skip("the first message announces no heartbeat interval and none is configured")
        allowed = interval * (1 + env.settings.heartbeat_tolerance) + env.settings.heartbeat_slack
        if 2 * allowed > env.settings.max_heartbeat_wait:
            raise Skip(f"the interval ({interval:g} s) is too long to observe within max_heartbeat_wait")
        gaps = []
        loop = asyncio.get_running_loop()
        for after in ("the first message", "the previous heartbeat"):
            started = loop.time()
            await connection.next_of(
                [roles["heartbeat"]], allowed, f"{roles['heartbeat']} within {allowed:.2f} s of {after}"
            )
            gaps.append(loop.time() - started)
        return Passed(
            f"heartbeats {gaps[0]:.2f} s and {gaps[1]:.2f} s apart ({source} interval {interval:g} s)",
            {"interval": interval, "gaps": gaps},
        )


@check(
    "expiry-close",
    lambda env: (
        "a connection whose token expires is closed with "
        f"{_code(env, 'token-expired')} at the token's exp (within {env.settings.expiry_grace:g} s)"
    ),
    cites="the AsyncAPI x-close-codes token-expired; RFC 7519 §4.1.4 (exp)",
    needs=("the issuer's signing key or provider-state hook",),
)
async def expiry_close(env: Env) -> Passed:
    code = _code(env, "token-expired")
    if code is None:
        raise Skip("x-close-codes declares no token-expired close")
    made = await env.material.short_lived_token()
    if made is None:
        raise Skip(f"a token that expires while connected can only be signed by the issuer: {ENABLE}")
    token, exp = made
    credential = Credential(token, "header", f"{env.material.label()} expiring at its exp")
    async with env.dialer.connect(credential, "expiring") as connection:
        first = await connection.recv(env.settings.reply_timeout, "first message")
        announced = _instant(env.contract.read(first, "first", "expires-at"))
        if announced is not None and abs(announced - exp) > 1.0:
            raise Finding(
                f"the first message announces expiry at {announced:.0f}, the token's exp is {exp:.0f}",
                connection.reproduction,
            )
        deadline = exp - time.time() + env.settings.expiry_grace
        try:
            while True:
                await connection.recv(max(0.0, deadline))
                deadline = exp - time.time() + env.settings.expiry_grace
        except TimeoutError:
            raise Finding(
                f"still open {env.settings.expiry_grace:g} s after the token expired", connection.reproduction
            ) from None
        except ConnectionClosed as exc:
            closed_at = time.time()
            if exc.rcvd is None or exc.rcvd.code != code:
                raise Finding(f"{closed_text(exc)}, not {code}", connection.reproduction) from None
            if closed_at < exp - 1.0:
                raise Finding(
                    f"closed with {code} {exp - closed_at:.1f} s before the token expired",
                    connection.reproduction,
                ) from None
            return Passed(
                f"closed with {code} {exc.rcvd.reason!r} {closed_at - exp:+.2f} s from the token's exp",
                {"lateness": closed_at - exp},
                connection.reproduction,
            )


@check(
    "unknown-type",
    lambda env: (
        f"a message of an undeclared type is answered {env.contract.role('error')}"
        + (
            f" {env.contract.error_codes['unknown-type']}"
            if "unknown-type" in env.contract.error_codes
            else ""
        )
        + (f" with its {env.contract.sequence.reply_id_field}" if env.contract.sequence.numbered else "")
        + ", and the connection stays usable "
        f"({env.contract.role('ping')} → {env.contract.role('pong')})"
    ),
)
async def unknown_type(env: Env) -> Passed:
    roles = env.require_role("error", "ping", "pong")
    contract = env.contract
    async with env.dialer.connect(await env.credential()) as connection:
        await connection.recv(env.settings.reply_timeout, "first message")
        message_id = connection.new_id("unknown")
        message = env.build("ping", message_id)
        undeclared = UNDECLARED_TYPE
        while undeclared in contract.client_types | contract.server_types:
            undeclared += ".x"
        message[contract.type_field] = undeclared
        await connection.send(message)
        what = f"answer to type {undeclared!r}"
        if contract.sequence.numbered:
            reply = await connection.reply_to(message_id, env.settings.reply_timeout, what)
        else:  # replies are not correlated by the contract: the next error is the answer
            reply = await connection.next_of([roles["error"]], env.settings.reply_timeout, what)
        if not contract.is_role(reply, "error"):
            raise Finding(f"answered {excerpt(reply)}, not {roles['error']}", connection.reproduction)
        wanted = contract.error_codes.get("unknown-type")
        code = contract.read(reply, "error", "code")
        if wanted is not None and contract.field("error", "code") is not None and code != wanted:
            raise Finding(f"answered {roles['error']} {code!r}, not {wanted!r}", connection.reproduction)
        ping_id = connection.new_id("ping")
        await connection.send(env.build("ping", ping_id))
        pong = await connection.reply_to(
            ping_id, env.settings.reply_timeout, f"answer to {roles['ping']} after the {roles['error']}"
        )
        if not contract.is_role(pong, "pong"):
            raise Finding(
                f"after the {roles['error']}, {roles['ping']} was answered {excerpt(pong)}",
                connection.reproduction,
            )
        return Passed(
            f"{roles['error']} {code!r}, then {roles['ping']} answered {roles['pong']}",
            reproduction=connection.reproduction,
        )


@check(
    "oversized-frame",
    lambda env: (
        "a frame one byte larger than the max frame size the first message announces closes the "
        f"connection with {_code(env, 'frame-too-large')}, unanswered"
    ),
    cites="the AsyncAPI x-close-codes frame-too-large; RFC 6455 §7.4.1 (1009)",
)
async def oversized_frame(env: Env) -> Passed:
    env.require_role("first")
    code = _code(env, "frame-too-large")
    if code is None:
        raise Skip("x-close-codes declares no frame-too-large close")
    async with env.dialer.connect(await env.credential()) as connection:
        first = await connection.recv(env.settings.reply_timeout, "first message")
        limit = env.contract.read(first, "first", "max-frame-bytes") or env.settings.max_frame_bytes
        if not isinstance(limit, int) or limit <= 0:
            raise Skip("the first message announces no frame limit and none is configured")
        if limit >= MAX_OVERSIZED_FRAME:
            raise Skip(f"the announced frame limit ({limit} bytes) is too large to test")
        message_id = connection.new_id("big")
        message = env.build("ping", message_id) if env.contract.role("ping") else {}
        message = {**message, env.contract.sequence.reply_id_field: message_id, "padding": ""}
        padding = limit + 1 - len(json.dumps(message).encode())
        message["padding"] = "x" * max(0, padding)
        frame = json.dumps(message)
        await connection.send(frame)
        try:
            reply = await connection.reply_to(message_id, env.settings.reply_timeout)
        except TimeoutError:
            raise Finding(
                f"the connection was still open {env.settings.reply_timeout:g} s after a {len(frame)}-byte frame "
                f"(limit {limit})",
                connection.reproduction,
            ) from None
        except ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code != code:
                raise Finding(f"{closed_text(exc)}, not {code}", connection.reproduction) from None
            return Passed(f"a {len(frame)}-byte frame (limit {limit}) closed the connection with {code}")
        raise Finding(
            f"the {len(frame)}-byte frame (limit {limit}) was read and answered: {excerpt(reply)}",
            connection.reproduction,
        )


def _violations(kind: str, count: int, kept: list[Violation]) -> Finding:
    shown = "; ".join(f"{v.connection}: {v.problem} — {v.message}" for v in kept[:5])
    return Finding(f"{count} {kind}: {shown}", kept[0].reproduction)


@check(
    "message-schema",
    lambda env: (
        "every server frame on every connection of this run is a JSON text message the contract "
        "declares for the server, valid against its schema"
    ),
)
async def message_schema(env: Env) -> Passed:
    seen = env.observations
    if seen.schema_count:
        raise _violations("frame(s) broke the contract", seen.schema_count, seen.schema)
    if not seen.messages:
        raise Skip("no server message was received by the other checks")
    types = ", ".join(f"{t} ×{n}" for t, n in sorted(seen.by_type.items()))
    return Passed(f"{seen.messages} messages on {seen.connections} connections conform ({types})")


@check(
    "seq-order",
    lambda env: (
        f"on every connection, {env.contract.sequence.field} starts at {env.contract.sequence.start} "
        f"and grows by {env.contract.sequence.step} with every server message (replays judged by resume)"
    ),
)
async def seq_order(env: Env) -> Passed:
    if not env.contract.sequence.numbered:
        raise Skip("the channel declares no x-sequence: its messages are not numbered")
    seen = env.observations
    if seen.sequence_count:
        raise _violations("numbering slip(s)", seen.sequence_count, seen.sequence)
    if not seen.messages:
        raise Skip("no server message was received by the other checks")
    return Passed(
        f"{seen.messages} messages on {seen.connections} connections numbered without gap or repeat"
    )
