"""Handshake checks: a genuine token is accepted; no token, a garbage one, another audience's and an
expired one are refused the way `x-handshake` declares.

A refusal is the declared status (`refused-status`) with the declared content type, challenge header
and body schema. The only other acceptable refusal is the one `x-close-codes.handshake-refused`
allows servers that cannot send an HTTP denial: accepted, then closed with that code before any
message. Every way the contract lets a client present a token (header, subprotocol) is tried, so a
server that checks one and trusts the other is caught.
"""

from __future__ import annotations

import json

from providers.checks import Basis
from providers.keyholder import ENABLE
from providers.results import Finding
from providers.websocket.base import Env, Passed, Skip, check
from providers.websocket.client import Credential, HandshakeOutcome, excerpt
from providers.websocket.material import garbage_token


def _refusal(env: Env) -> str:
    handshake = env.contract.handshake
    parts = [f"HTTP {handshake.refused_status}"]
    if handshake.refusal_content_type:
        parts.append(handshake.refusal_content_type)
    if handshake.challenge_header:
        parts.append(f"with {handshake.challenge_header}")
    if handshake.refusal_schema:
        parts.append(f"and a body matching {handshake.refusal_schema}")
    fallback = env.contract.close_code("handshake-refused")
    also = (
        f" (or, without HTTP denial support, a close with {fallback.code} before any message)"
        if fallback
        else ""
    )
    return "refused with " + " ".join(parts) + also


def _judge_refusal(env: Env, outcome: HandshakeOutcome, credential: Credential) -> str | None:
    """None when `outcome` is the declared refusal, else what is wrong with it."""
    handshake = env.contract.handshake
    if outcome.accepted:
        fallback = env.contract.close_code("handshake-refused")
        if fallback is not None and outcome.close_code == fallback.code:
            return None
        return f"{credential.label}: the handshake was {outcome.describe()}"
    problems = []
    if outcome.status != handshake.refused_status:
        problems.append(f"HTTP {outcome.status} instead of {handshake.refused_status}")
    content_type = outcome.headers.get("content-type", "")
    if handshake.refusal_content_type and not content_type.startswith(handshake.refusal_content_type):
        problems.append(f"content type {content_type or '(none)'!r}")
    if handshake.challenge_header and handshake.challenge_header.lower() not in outcome.headers:
        problems.append(f"no {handshake.challenge_header} header")
    if handshake.refusal_schema:
        try:
            body = json.loads(outcome.body)
        except ValueError:
            problems.append(f"a body that is not JSON: {excerpt(outcome.body.decode('utf-8', 'replace'))}")
        else:
            errors = env.contract.refusal_errors(body)
            if errors:
                problems.append(f"a body breaking {handshake.refusal_schema}: {'; '.join(errors[:3])}")
    if not problems:
        return None
    return f"{credential.label}: refused, but with " + ", ".join(problems)


async def _expect_refused(env: Env, credentials: list[Credential]) -> Passed:
    observed = []
    for credential in credentials:
        outcome = await env.dialer.attempt(credential, env.settings.reply_timeout)
        problem = _judge_refusal(env, outcome, credential)
        if problem is not None:
            raise Finding(problem, env.dialer.reproduction(credential, []))
        observed.append(f"{credential.label}: {outcome.describe()}")
    return Passed("; ".join(observed))


def _every_way(env: Env, token: str, label: str) -> list[Credential]:
    methods = [m for m in env.contract.handshake.methods if m in ("header", "subprotocol")]
    return [
        Credential(token, "subprotocol" if m == "subprotocol" else "header", f"{label} in the {m}")
        for m in methods
    ]


HANDSHAKE = "the AsyncAPI x-handshake; RFC 6455 §4.2.2"


@check(
    "handshake-accepted",
    lambda env: (
        f"a genuine {env.material.label()} in the {env.contract.handshake.header} header is accepted "
        f"and the first message is {env.contract.role('first') or 'a declared message'}"
    ),
    cites=HANDSHAKE,
)
async def accepted(env: Env) -> Passed:
    credential = await env.credential()
    outcome = await env.dialer.attempt(credential, env.settings.reply_timeout)
    reproduction = env.dialer.reproduction(credential, [])
    if not outcome.accepted or outcome.close_code is not None or outcome.first is None:
        raise Finding(f"the handshake was {outcome.describe()}", reproduction)
    first = env.contract.role("first")
    if first is not None and env.contract.type_of(outcome.first) != first:
        raise Finding(f"the first message was not {first}: {excerpt(outcome.first)}", reproduction)
    return Passed(outcome.describe())


@check(
    "handshake-subprotocol",
    lambda env: (
        f"the token offered as subprotocol '{env.contract.handshake.token_prefix}<jwt>' beside "
        f"'{env.contract.handshake.subprotocol}' is accepted, '{env.contract.handshake.subprotocol}' is "
        "selected and the token is never echoed"
    ),
    cites="the AsyncAPI x-handshake; RFC 6455 §4.2.2 (the server selects one offered subprotocol)",
)
async def subprotocol(env: Env) -> Passed:
    handshake = env.contract.handshake
    if "subprotocol" not in handshake.methods or not handshake.token_prefix:
        raise Skip("x-handshake declares no subprotocol authentication")
    credential = await env.credential("subprotocol")
    outcome = await env.dialer.attempt(credential, env.settings.reply_timeout)
    reproduction = env.dialer.reproduction(credential, [])
    if not outcome.accepted or outcome.close_code is not None or outcome.first is None:
        raise Finding(f"the handshake was {outcome.describe()}", reproduction)
    if outcome.subprotocol is not None and outcome.subprotocol.startswith(handshake.token_prefix):
        raise Finding("the server selected the token's subprotocol, echoing the token", reproduction)
    if handshake.subprotocol and outcome.subprotocol != handshake.subprotocol:
        raise Finding(
            f"the server selected subprotocol {outcome.subprotocol!r}, not {handshake.subprotocol!r}",
            reproduction,
        )
    return Passed(f"{outcome.describe()}; subprotocol {outcome.subprotocol!r} selected")


@check(
    "handshake-query",
    lambda env: (
        f"a genuine {env.material.label()} in the query parameter '{env.contract.handshake.query}' is accepted"
    ),
    cites="the AsyncAPI x-handshake (auth: query)",
)
async def query(env: Env) -> Passed:
    """A token in the declared query parameter is accepted (for clients that cannot set headers)."""
    handshake = env.contract.handshake
    if "query" not in handshake.methods or not handshake.query:
        raise Skip("x-handshake declares no query-parameter authentication")
    credential = await env.credential("query")
    outcome = await env.dialer.attempt(credential, env.settings.reply_timeout)
    reproduction = env.dialer.reproduction(credential, [])
    if not outcome.accepted or outcome.close_code is not None:
        raise Finding(f"the handshake was {outcome.describe()}", reproduction)
    return Passed(outcome.describe())


@check(
    "handshake-missing-token", lambda env: f"an upgrade without a token is {_refusal(env)}", cites=HANDSHAKE
)
async def missing_token(env: Env) -> Passed:
    return await _expect_refused(env, [Credential(None, "header", "no token")])


@check(
    "handshake-invalid-token",
    lambda env: f"a garbage JWT-shaped token is {_refusal(env)}",
    basis=Basis.STANDARD,
    cites="RFC 6750 §3.1 (invalid_token); the AsyncAPI x-handshake",
)
async def invalid_token(env: Env) -> Passed:
    token = garbage_token()
    env.redactor.add(token)
    return await _expect_refused(env, _every_way(env, token, "a garbage token"))


@check(
    "handshake-wrong-audience",
    lambda env: f"a genuine token for another audience ({env.material.other_audience()}) is {_refusal(env)}",
    basis=Basis.STANDARD,
    cites="RFC 7519 §4.1.3 (aud); RFC 8725 §3.9",
)
async def wrong_audience(env: Env) -> Passed:
    found = await env.material.wrong_audience_token()
    if found is None:
        raise Skip("the OpenAPI documents declare no other audience for this kind of token")
    token, audience = found
    return await _expect_refused(env, _every_way(env, token, env.material.label(audience)))


@check(
    "handshake-expired",
    lambda env: f"a genuinely signed token whose exp has passed is {_refusal(env)}",
    basis=Basis.STANDARD,
    cites="RFC 7519 §4.1.4 (exp)",
    needs=("the issuer's signing key or provider-state hook",),
)
async def expired(env: Env) -> Passed:
    token = await env.material.expired_token()
    if token is None:
        raise Skip(f"an expired token can only be signed by the issuer: {ENABLE}")
    return await _expect_refused(env, _every_way(env, token, f"an expired {env.material.label()}"))
