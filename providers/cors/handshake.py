"""The WebSocket handshake seen from a browser: which origins may open the channel.

A browser sends its page's origin in `Origin` with every WebSocket handshake but applies no same-origin
rule to the socket: a page of any site can open one to the channel, and wherever the credential reaches
the server on its own (a cookie, a token the page can obtain) that is cross-site WebSocket hijacking.
So the server must check `Origin` itself (RFC 6455 §10.2). With a genuine token presented the browser's
way (the channel's token subprotocol where it takes one, else its header), a handshake from an allowed
origin must be accepted (`websocket-origin`, the positive control) and handshakes from an arbitrary
origin, a look-alike of an allowed one and `null` refused (`websocket-hijacking:VARIANT`) — with
`browser.websocket.refused_status` when the contracts declare it. When the control is refused too, a
refusal proves nothing and the hijacking results are errors. Handshakes count against the run's guard.
"""

from __future__ import annotations

from collections.abc import Iterator

from providers.checks import Basis
from providers.cors.policy import ARBITRARY_ORIGIN, BrowserPolicy
from providers.errors import ConfigError
from providers.handshakes import Answer, Channel, attempt, channel_of, reproduction
from providers.results import Result, Verdict
from providers.suite import RunContext

SUITE = "cors"

WS_CHECKS: dict[str, tuple[Basis, str, str]] = {
    "websocket-origin": (
        Basis.CONTRACT,
        "platform.yaml browser.websocket.origins: a listed origin's handshake is accepted",
        "a handshake from an allowed origin, with a genuine token, is accepted",
    ),
    "websocket-hijacking": (
        Basis.CONTRACT,
        "platform.yaml browser.websocket.origins; RFC 6455 §10.2 (a server for certain sites verifies Origin "
        "and refuses other origins, with 403)",
        "a handshake from an origin the contracts do not list is refused, whatever its token",
    ),
}
VARIANTS = ("arbitrary", "suffix", "null")


def _result(
    service: str,
    operation: str,
    check: str,
    verdict: Verdict,
    observed: str,
    reproduction: str | None = None,
    details: dict[str, str] | None = None,
) -> Result:
    expectation = WS_CHECKS[check.split(":")[0]][2]
    return Result(
        SUITE, service, operation, check, expectation, observed, verdict, reproduction, details or {}
    )


def _token(ctx: RunContext, channel: Channel) -> str:
    audience = channel.handshake.audiences[0] if channel.handshake.audiences else None
    if channel.handshake.token_kind == "service" and audience:
        token = ctx.tokens.service(audience)
        if token is None:
            raise ConfigError(f"no configured service client may get a token for {audience}")
        return token.value
    return ctx.tokens.user(None, audience).value


def _open(ctx: RunContext, channel: Channel, origin: str, token: str, timeout: float) -> tuple[Answer, str]:
    headers = [("Origin", origin)]
    subprotocols: list[str] = []
    if channel.takes_subprotocol:
        subprotocols = channel.subprotocols_for(token)
    else:
        headers += channel.header_credential(token)
    answer = attempt(ctx, channel, headers, subprotocols, timeout=timeout)
    return answer, reproduction(ctx.redactor, channel, headers, subprotocols)


def websocket_results(
    ctx: RunContext, policy: BrowserPolicy, channel_name: str | None, timeout: float
) -> Iterator[Result]:
    checks = ["websocket-origin", *(f"websocket-hijacking:{v}" for v in VARIANTS)]
    channel = channel_of(ctx, channel_name)
    if isinstance(channel, str):
        for check in checks:
            yield _result("-", "ws", check, Verdict.SKIPPED, channel)
        return
    service, operation = channel.service, channel.operation
    declared = policy.websocket
    allowed = declared.origins.representative() if declared is not None else None
    why = None
    if declared is None or allowed is None:
        why = f"{ctx.platform.where} declares no browser.websocket origins"
    elif declared.origins.any:
        why = "browser.websocket allows any origin: no handshake may be refused for its origin"
    token = ""
    if why is None:
        try:
            token = _token(ctx, channel)
        except ConfigError as exc:
            why = f"no genuine token for the handshake: {exc}"
    if why is not None or declared is None or allowed is None:
        for check in checks:
            yield _result(service, operation, check, Verdict.SKIPPED, why or "")
        return
    control, repro = _open(ctx, channel, allowed, token, timeout)
    accepted = control.accepted and control.close_code is None
    yield _result(
        service,
        operation,
        "websocket-origin",
        Verdict.PASS if accepted else Verdict.FAIL,
        f"from {allowed}: {control.describe()}",
        repro,
    )
    probes = declared.origins.disallowed_probes(allowed)
    for variant in VARIANTS:
        origin = probes.get(variant, ARBITRARY_ORIGIN)
        check = f"websocket-hijacking:{variant}"
        if not accepted:
            observed = f"the allowed origin's handshake was refused too ({control.describe()}), so a refusal proves nothing"
            yield _result(service, operation, check, Verdict.ERROR, observed)
            continue
        answer, repro = _open(ctx, channel, origin, token, timeout)
        refused = not answer.accepted or answer.close_code is not None
        status_ok = declared.refused_status is None or answer.status == declared.refused_status
        problem = "" if refused else " — a page of this origin can use the channel"
        if refused and not status_ok:
            problem = f" — the contracts declare a refusal with HTTP {declared.refused_status}"
        yield _result(
            service,
            operation,
            check,
            Verdict.PASS if refused and status_ok else Verdict.FAIL,
            f"from {origin}: {answer.describe()}{problem}",
            repro,
            {"origin": origin},
        )
