"""The `tokens` suite: every attack of the catalogue against every protected operation and the handshake.

For each operation of each spec whose service the target has (and that `RunContext.may_send`
allows), with a bearer-token requirement some configured account or client satisfies:

1. build a request that would succeed (`providers.requests`), with a genuine token of that identity
   (for operations that write, fresh resources and tokens for the control and for the attacks: a
   deletion or a logout must change neither what the attacks meet nor the next operation);
2. send it as a **positive control**: if it is refused (401/403) or fails (5xx) — after one retry, since
   a resource server may not see a rotated key at once — every attack on the operation is an error,
   never a pass;
3. for each attack of the catalogue, forge its credentials from the genuine token and send them;
   one `Result` per operation × attack (`check` = the attack's name).

The WebSocket handshake (`ws /ws`) is attacked the same way, each forged token both in the header and
as the subprotocol the contract declares. Then the auth service's own behaviour is probed
(`authservice`). A key holder may rotate the issuer's keys to sign with a rotated-out one, which would
invalidate every token signed before: those tokens are minted first, and the run's token cache dropped
(`Forge.prepare_rotation`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from contracts import SpecFile
from providers.contract import Operation, Requirement, operations_of
from providers.credentials import Token
from providers.errors import ContractgateError
from providers.handshakes import Channel, attempt, channel_of, reproduction
from providers.requests import ExampleRequest, RequestBuilder, Unavailable, bearer, takes_bearer
from providers.results import Result, Verdict
from providers.suite import Progress, RunContext
from providers.target import Target
from providers.tokens import authservice
from providers.tokens.attacker import AttackerKeys, AttackerServer
from providers.tokens.catalogue import ATTACKER_SERVER, Attack, select
from providers.tokens.checks import Judgement, expectation, judge_http, judge_ws
from providers.tokens.material import Forge, Identity, Material, identity_for
from providers.tokens.settings import Settings

SUITE = "tokens"


@dataclass(frozen=True)
class Planned:
    """One thing to attack: an operation or the WebSocket channel, with the identity to start from."""

    service: str
    label: str
    op: Operation | None = None
    channel: Channel | None = None
    identity: Identity | None = None
    skip: str | None = None


def _identity(ctx: RunContext, settings: Settings, spec: SpecFile, op: Operation) -> Identity | str:
    reasons = []
    for requirement in op.requirements:
        if not takes_bearer(spec.document, requirement):
            reasons.append(f"scheme {requirement.scheme!r} does not take a bearer token")
            continue
        try:
            return identity_for(ctx, requirement, settings.account)
        except Unavailable as exc:
            reasons.append(str(exc))
    return "; ".join(reasons)


def plan(ctx: RunContext, settings: Settings) -> list[Planned]:
    planned: list[Planned] = []
    for spec in ctx.specs_in_target():
        for op in operations_of(spec):
            if op.is_public or not settings.wants_operation(op.label, op.operation_id):
                continue
            refused = ctx.why_not_send(op.method, op.path)
            if refused is not None:
                why = f"live target: {refused}"
                planned.append(Planned(op.service, op.label, op, skip=why))
                continue
            identity = _identity(ctx, settings, spec, op)
            if isinstance(identity, str):
                planned.append(Planned(op.service, op.label, op, skip=identity))
            else:
                planned.append(Planned(op.service, op.label, op, identity=identity))
    if settings.websocket and ctx.asyncapi is not None:
        channel = channel_of(ctx, settings.channel)
        if isinstance(channel, str):
            planned.append(Planned("websocket", "ws", skip=channel))
        elif settings.wants_operation(channel.operation):
            handshake = channel.handshake
            requirement = Requirement("x-handshake", handshake.token_kind, handshake.audiences)  # type: ignore[arg-type]
            try:
                identity = identity_for(ctx, requirement, settings.account)
                planned.append(
                    Planned(channel.service, channel.operation, channel=channel, identity=identity)
                )
            except Unavailable as exc:
                planned.append(Planned(channel.service, channel.operation, channel=channel, skip=str(exc)))
    return planned


class _Run:
    def __init__(self, ctx: RunContext, settings: Settings, attacks: list[Attack], forge: Forge) -> None:
        self.ctx = ctx
        self.settings = settings
        self.attacks = attacks
        self.forge = forge
        self.builder = RequestBuilder(ctx, default_owner=settings.account)

    def result(
        self, item: Planned, check: str, expected: str, verdict: Verdict, observed: str, **extra: Any
    ) -> Result:
        return Result(
            SUITE,
            item.service,
            item.label,
            check,
            expected,
            self.ctx.redactor.text(observed),
            verdict,
            **extra,
        )

    def base_expectation(self, item: Planned) -> str:
        if item.op is None and item.channel is None:  # a channel the run cannot even locate
            return "the forged credential is refused at the handshake"
        return expectation(item.op, item.channel)

    def skip_all(self, item: Planned, why: str) -> Iterator[Result]:
        """Every attack of the operation, skipped with the reason: nothing the contract implies vanishes."""
        for attack in self.attacks:
            yield self.result(item, attack.name, self.base_expectation(item), Verdict.SKIPPED, why)

    # -- one target --------------------------------------------------------------------------

    def attack(self, item: Planned) -> Iterator[Result]:
        if item.skip is not None or item.identity is None:
            yield from self.skip_all(item, item.skip or "no identity to attack with")
            return
        identity = item.identity
        try:
            if item.op is not None:
                # An operation that writes gets its own resources and tokens for the control and for
                # the attacks: a control that deletes the resource or logs out must not change what
                # the attacks meet.
                writes = not item.op.read_only
                control_request = self.builder.build(item.op)
                attack_request = self.builder.build(item.op) if writes else control_request
                control_token = self.forge.genuine(identity, fresh=writes)
                failed = self.control_http(control_request, control_token)
                genuine = self.forge.genuine(identity, fresh=True) if writes else control_token
            else:
                assert item.channel is not None
                attack_request = None
                genuine = self.forge.genuine(identity)
                failed = self.control_ws(item.channel, genuine)
        except Unavailable as exc:
            yield from self.skip_all(item, str(exc))
            return
        if failed is not None:
            why, reproduction = failed
            for attack in self.attacks:
                yield self.result(
                    item,
                    attack.name,
                    self.base_expectation(item),
                    Verdict.ERROR,
                    why,
                    reproduction=reproduction,
                )
            return
        material = Material(self.forge, identity, genuine)
        for attack in self.attacks:
            yield self.one(item, attack, material, attack_request)

    def one(
        self, item: Planned, attack: Attack, material: Material, request: ExampleRequest | None
    ) -> Result:
        try:
            forged = attack.forge(material)
        except Unavailable as exc:
            return self.result(item, attack.name, self.base_expectation(item), Verdict.SKIPPED, str(exc))
        except ContractgateError:
            raise
        except Exception as exc:  # a broken forger is that attack's error, not the suite's
            return self.result(
                item, attack.name, self.base_expectation(item), Verdict.ERROR, f"{type(exc).__name__}: {exc}"
            )
        expected = expectation(item.op, item.channel, forged)
        judgement: Judgement
        if request is not None:
            judgement = judge_http(self.ctx, request, forged, self.forge.server)
        else:
            assert item.channel is not None
            judgement = judge_ws(
                self.ctx, item.channel, forged, self.forge.server, self.settings.handshake_timeout
            )
        details = {"attack": attack.name, "identity": material.identity.label, **judgement.details}
        if attack.needs:
            details["needs"] = attack.needs
        return self.result(
            item,
            attack.name,
            expected,
            judgement.verdict,
            judgement.observed,
            reproduction=(f"# attack {attack.name}\n" + judgement.reproduction)
            if judgement.reproduction
            else None,
            details=details,
        )

    # -- positive controls -------------------------------------------------------------------

    def control_http(self, request: ExampleRequest, genuine: Token) -> tuple[str, str] | None:
        """None when the genuine request is not refused; else why every attack on it is an error."""
        status = 0
        for attempt_number in range(2):
            response = request.send(self.ctx.http, bearer(genuine.value))
            status = response.status_code
            if status not in (401, 403) and status < 500:
                return None
            if attempt_number == 0 and status in (401, 503):
                time.sleep(self.settings.control_retry_delay)
        return (
            f"positive control failed: the request with a genuine {genuine.label} was answered HTTP {status}, "
            "so a refused attack would prove nothing",
            "# positive control\n" + request.curl(self.ctx.redactor, bearer(genuine.value)),
        )

    def control_ws(self, channel: Channel, genuine: Token) -> tuple[str, str] | None:
        answer = None
        for attempt_number in range(2):
            answer = attempt(
                self.ctx,
                channel,
                channel.header_credential(genuine.value),
                timeout=self.settings.handshake_timeout,
            )
            if answer.accepted and answer.close_code is None:
                return None
            if attempt_number == 0:
                time.sleep(self.settings.control_retry_delay)
        assert answer is not None
        headers = channel.header_credential(genuine.value)
        return (
            f"positive control failed: the handshake with a genuine {genuine.label} was {answer.describe()}, "
            "so a refused attack would prove nothing",
            "# positive control\n" + reproduction(self.ctx.redactor, channel, headers, []),
        )


def _on_loopback(target: Target) -> bool:
    """Every service of the target runs on this machine (so it can reach a loopback server)."""
    hosts = {urlsplit(service.base_url).hostname for service in target.services.values()}
    return bool(hosts) and hosts <= {"127.0.0.1", "localhost", "::1"}


def attacker_server(
    ctx: RunContext, settings: Settings, attacks: list[Attack], stack: ExitStack
) -> tuple[AttackerServer | None, str]:
    if not any(a.needs == ATTACKER_SERVER for a in attacks):
        return None, "not needed"
    if ctx.target.live and settings.attacker_url is None and not _on_loopback(ctx.target):
        return None, (
            "a live target cannot reach the suite's attacker server on loopback: set "
            "suite.tokens.attacker_url to where it is reachable"
        )
    server = AttackerServer(AttackerKeys(), host=settings.attacker_host, public_url=settings.attacker_url)
    stack.enter_context(server)
    return server, ""


#: The unit of work (`RunContext.share`) of the auth service's own behaviour.
AUTH_UNIT = "the auth service's own behaviour"


def unit_of(item: Planned) -> str:
    return f"{item.service} {item.label}"


def run(ctx: RunContext) -> Iterator[Result]:
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    claims = ctx.platform.issuer.claims.tamperable() if ctx.platform.issuer else ("sub",)
    attacks = select(settings.attacks, settings.tampered_claims or claims)
    with ExitStack() as stack:
        server, no_server = attacker_server(ctx, settings, attacks, stack)
        forge = Forge(ctx, settings, server)
        forge.no_server_reason = no_server
        every = plan(ctx, settings)
        # Units of work: each operation (and the channel), and the auth service's own behaviour.
        share = ctx.share(SUITE, [unit_of(p) for p in every] + ([AUTH_UNIT] if settings.auth_checks else []))
        planned = [p for p in every if share.owns(unit_of(p))]
        if any(a.name == "rotated-out-key" for a in attacks) and forge.key_holder_reason is None:
            forge.prepare_rotation([p.identity for p in planned if p.identity is not None])
        state = _Run(ctx, settings, attacks, forge)
        for done, item in enumerate(share.each(planned, unit_of)):
            ctx.emit(Progress(SUITE, item.label, done=done, total=len(planned)))
            yield from state.attack(item)
        if settings.auth_checks and share.owns(AUTH_UNIT):
            ctx.emit(Progress(SUITE, "the auth service's own behaviour"))
            with share.timed(AUTH_UNIT):
                yield from authservice.run(ctx, settings, forge)
