"""Sending forged credentials to an operation or to the WebSocket handshake, and judging the answers.

An attack passes when every variant it forged is refused the declared way: the operation's 401 (for
the handshake, `x-handshake.refused-status` or the `handshake-refused` close code), or another
refusal the `Forged` credential explicitly allows (a 403 for a token that also lacks a scope, a
size refusal for an oversized one). Anything else fails with the first variant that got through,
named, with a redacted reproduction. A token that lures the target to the attacker's server also
fails if the target fetched from it, whatever it answered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from providers.contract import Operation
from providers.handshakes import Answer, Channel, attempt, reproduction
from providers.requests import ExampleRequest
from providers.results import Verdict
from providers.suite import RunContext
from providers.tokens.attacker import AttackerServer
from providers.tokens.forge import AUTHORIZATION, Forged, Refusal

_TOO_LARGE = (413, 431)


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    observed: str
    reproduction: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _declared(op: Operation, status: int) -> str:
    return f"{status} " + ("(declared)" if op.declares(status) else "(not declared by the operation)")


def expectation(op: Operation | None, channel: Channel | None, forged: Sequence[Forged] = ()) -> str:
    """What the target must answer, in the contract's terms."""
    if channel is not None:
        refusal = f"refused with HTTP {channel.handshake.refused_status}"
        if channel.refused_close is not None:
            refusal += f" (or closed with {channel.refused_close} before any message)"
    else:
        assert op is not None
        refusal = f"refused with {_declared(op, 401)}"
    extras = []
    for reason_kind, why in dict.fromkeys(a for f in forged for a in f.also):
        if reason_kind is Refusal.FORBIDDEN:
            status = channel.handshake.forbidden_status if channel is not None else 403
            extras.append(f"or {status} ({why})")
        elif reason_kind is Refusal.TOO_LARGE:
            extras.append(f"or {'/'.join(map(str, _TOO_LARGE))} ({why})")
    if any(f.lure for f in forged):
        extras.append("and the attacker's key URL never fetched")
    return " ".join([refusal, *extras])


def _http_statuses(forged: Forged) -> set[int]:
    statuses = {401}
    for kind, _ in forged.also:
        statuses |= {403} if kind is Refusal.FORBIDDEN else set(_TOO_LARGE)
    return statuses


def _excerpt(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        said = body.get("detail") or body.get("title") or body.get("error")
        return f" ({str(said)[:120]})" if said else ""
    return f" ({json.dumps(body)[:120]})"


def judge_http(
    ctx: RunContext, request: ExampleRequest, forged: Sequence[Forged], server: AttackerServer | None
) -> Judgement:
    seen: list[str] = []
    statuses: list[int] = []
    for credential in forged:
        before = server.fetches() if server is not None and credential.lure else 0
        response = request.send(ctx.http, credential.headers)
        fetched = server is not None and credential.lure and server.fetches() > before
        status = response.status_code
        statuses.append(status)
        seen.append(ctx.redactor.text(f"{credential.variant}: HTTP {status}"))
        if status not in _http_statuses(credential) or fetched:
            verb = "accepted" if status < 400 else "answered"
            observed = f"{credential.variant}: {verb} with HTTP {status}{_excerpt(response)}"
            if fetched:
                observed += "; the target fetched the attacker's key URL"
            return Judgement(
                Verdict.FAIL,
                ctx.redactor.text(observed),
                request.curl(ctx.redactor, credential.headers),
                {"variants": seen},
            )
    shown = ", ".join(str(s) for s in sorted(set(statuses)))
    count = f" ({len(seen)} variants)" if len(seen) > 1 else ""
    return Judgement(Verdict.PASS, f"refused with HTTP {shown}{count}", details={"variants": seen})


Way = tuple[str, list[tuple[str, str]], list[str], str | None]


def _ws_ways(channel: Channel, credential: Forged) -> list[Way]:
    """Each way the forged credential is presented at the handshake: (label, headers, subprotocols, URL
    with a query token or None)."""
    if credential.token is None:
        headers = [(channel.handshake.header if n == AUTHORIZATION else n, v) for n, v in credential.headers]
        return [(credential.variant, headers, [], None)]
    ways: list[Way] = [
        (
            f"{credential.variant}, in the {channel.handshake.header} header",
            channel.header_credential(credential.token),
            [],
            None,
        )
    ]
    if channel.takes_subprotocol:
        ways.append(
            (f"{credential.variant}, as a subprotocol", [], channel.subprotocols_for(credential.token), None)
        )
    if channel.takes_query:
        ways.append(
            (
                f"{credential.variant}, in the query parameter {channel.handshake.query}",
                [],
                [],
                channel.query_url(credential.token),
            )
        )
    return ways


def _ws_refused(channel: Channel, credential: Forged, answer: Answer) -> bool:
    statuses = [channel.handshake.refused_status]
    for kind, _ in credential.also:
        if kind is Refusal.FORBIDDEN and channel.handshake.forbidden_status is not None:
            statuses.append(channel.handshake.forbidden_status)
        if kind is Refusal.TOO_LARGE:
            statuses += [*_TOO_LARGE, 400]
            if answer.failed is not None:
                return True
    return answer.failed is None and answer.refused_with(channel, statuses)


def judge_ws(
    ctx: RunContext,
    channel: Channel,
    forged: Sequence[Forged],
    server: AttackerServer | None,
    timeout: float,
) -> Judgement:
    seen: list[str] = []
    descriptions: list[str] = []
    for credential in forged:
        for label, headers, subprotocols, url in _ws_ways(channel, credential):
            before = server.fetches() if server is not None and credential.lure else 0
            large = any(kind is Refusal.TOO_LARGE for kind, _ in credential.also)
            answer = attempt(
                ctx,
                channel,
                headers,
                subprotocols,
                timeout=min(timeout, 2.0) if large else timeout,
                silence_ok=large,
                url=url,
            )
            fetched = server is not None and credential.lure and server.fetches() > before
            seen.append(ctx.redactor.text(f"{label}: {answer.describe()}"))
            descriptions.append(answer.describe())
            if not _ws_refused(channel, credential, answer) or fetched:
                observed = f"{label}: {answer.describe()}"
                if fetched:
                    observed += "; the target fetched the attacker's key URL"
                return Judgement(
                    Verdict.FAIL,
                    ctx.redactor.text(observed),
                    reproduction(ctx.redactor, channel, headers, subprotocols, url),
                    {"variants": seen},
                )
    answers = list(dict.fromkeys(descriptions))
    count = f" ({len(seen)} ways)" if len(seen) > 1 else ""
    return Judgement(Verdict.PASS, ctx.redactor.text("; ".join(answers) + count), details={"variants": seen})
