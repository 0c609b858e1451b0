"""The `websocket` suite: AsyncAPI conformance of the target's WebSocket service over real sockets.

`run(ctx)` reads the channel from `ctx.asyncapi` (`contract.WsContract`), finds the service that
serves it (`info.x-service`) in the target, and runs each check in its own event loop
(`asyncio.run`), yielding one `Result` per check as it finishes. Checks, in order:

| check | what it holds the target to |
|---|---|
| handshake-accepted, handshake-subprotocol | a genuine token is accepted (header; subprotocol without echoing the token) |
| handshake-missing-token, -invalid-token, -wrong-audience, -expired | refused as `x-handshake` declares |
| run-stream | subscribe to a run, its events in order until the final one |
| heartbeat | within the announced interval |
| resume | replay after a disconnect without loss, duplicates or changes |
| expiry-close | the declared close when the token expires while connected |
| unknown-type | an `error` answer, and the connection stays usable |
| oversized-frame | the declared close for a frame over the announced limit |
| concurrency | many connections at once, each with its own ordered stream |
| message-schema, seq-order | every frame of the run declared and valid; numbering without gap or repeat |

Without a key holder (the issuer's signing key, or a provider-state hook), `handshake-expired` and
`expiry-close` are skipped (an expired or short-lived token cannot be had from a real issuer), and
`run-stream` is skipped unless `[suite.websocket] resource_id` names a resource of the account or a
provider state makes one (see `material`). A service that
does not answer at all raises `TargetUnreachable`: the gate stops with exit 2.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from providers.errors import ConfigError, ContractgateError
from providers.results import Finding, Result, Verdict
from providers.suite import Progress, RunContext
from providers.websocket import checks as _checks  # noqa: F401  (registers the checks)
from providers.websocket import handshake as _handshake  # noqa: F401
from providers.websocket import streams as _streams  # noqa: F401
from providers.websocket.base import REGISTRY, Check, Env, Passed, Skip
from providers.websocket.client import Dialer, Observations
from providers.websocket.contract import WsContract
from providers.websocket.material import Material, Settings, SetupFailed

SUITE = "websocket"

#: The order checks run in; the judgements over everything seen come last.
ORDER = (
    "handshake-accepted",
    "handshake-subprotocol",
    "handshake-missing-token",
    "handshake-invalid-token",
    "handshake-wrong-audience",
    "handshake-expired",
    "run-stream",
    "heartbeat",
    "resume",
    "expiry-close",
    "unknown-type",
    "oversized-frame",
    "concurrency",
    "message-schema",
    "seq-order",
)


def _skipped(service: str, operation: str, reason: str) -> Result:
    return Result(
        SUITE, service, operation, "suite", "the WebSocket channel can be tested", reason, Verdict.SKIPPED
    )


def chosen(settings: Settings) -> list[Check]:
    if settings.checks is None:
        return [REGISTRY[name] for name in ORDER]
    unknown = sorted(set(settings.checks) - set(REGISTRY))
    if unknown:
        raise ConfigError(
            f"suite.websocket.checks: unknown check(s) {', '.join(unknown)} (known: {', '.join(ORDER)})"
        )
    return [REGISTRY[name] for name in ORDER if name in settings.checks]


def run(ctx: RunContext) -> Iterator[Result]:
    # One unit of work: message-schema and seq-order judge every frame of every connection of the run.
    if not ctx.owns(SUITE, "channel"):
        return
    if ctx.asyncapi is None:
        yield _skipped("websocket", "ws", "no AsyncAPI document among the contracts")
        return
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    contract = WsContract(ctx.asyncapi, settings.channel)
    operation = f"ws {contract.address}"
    if not ctx.target.has(contract.service):
        yield _skipped(contract.service, operation, f"the target has no {contract.service}")
        return
    service = ctx.target.service(contract.service)
    url = service.ws_url + contract.pathname + contract.address
    observations = Observations()
    env = Env(
        contract=contract,
        dialer=Dialer(
            contract, url, observations, ctx.redactor, ctx.http.guard, open_timeout=settings.open_timeout
        ),
        material=Material(ctx, contract, settings),
        settings=settings,
        observations=observations,
        redactor=ctx.redactor,
        live=ctx.target.live,
    )
    selected = chosen(settings)
    for done, check in enumerate(selected):
        ctx.emit(Progress(SUITE, check.name, done=done, total=len(selected)))
        yield _result(env, check, contract.service, operation)


def _result(env: Env, check: Check, service: str, operation: str) -> Result:
    redact = env.redactor.text
    expectation = check.expectation(env)

    def result(
        verdict: Verdict,
        observed: str,
        reproduction: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Result:
        return Result(
            SUITE,
            service,
            operation,
            check.name,
            expectation,
            redact(observed),
            verdict,
            reproduction=redact(reproduction) if reproduction else None,
            details=details or {},
        )

    try:
        passed: Passed = asyncio.run(_bounded(env, check))
    except ContractgateError:
        raise
    except Finding as failure:
        return result(Verdict.FAIL, failure.observed, failure.reproduction or env.dialer.reproduction_hint())
    except Skip as skip:
        return result(Verdict.SKIPPED, str(skip))
    except SetupFailed as exc:
        return result(Verdict.ERROR, f"could not prepare the check: {exc}")
    except TimeoutError:
        return result(Verdict.ERROR, f"the check did not finish within {env.settings.check_timeout:g} s")
    except Exception as exc:  # a check that breaks is that check's error, not the suite's
        return result(Verdict.ERROR, f"{type(exc).__name__}: {exc}")
    return result(Verdict.PASS, passed.observed, passed.reproduction, passed.details)


async def _bounded(env: Env, check: Check) -> Passed:
    return await asyncio.wait_for(check.run(env), env.settings.check_timeout)
