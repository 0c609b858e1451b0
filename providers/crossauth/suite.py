"""The `crossauth` suite: the allow/deny matrix of token kinds, run against the target cell by cell.

For every protected operation (and the WebSocket handshake) the rows of `matrix` are derived from
the operation's security requirements; each row's genuine token is obtained from the target's token
endpoint (the expired service token from the key holder) and sent with a request naming a resource
of the row's owner (`providers.requests`). One `Result` per operation × cell, `check` naming the cell
and its expected answer ("service token without runs:write → 403").

The first allowed row is the operation's positive control and runs first: if the target refuses it
(after one retry: a resource server may not know a new signing key yet), that cell fails and every
denial of the operation is an error — a target that refuses everything must not pass. An operation
with no allowed row the run can get has its denials skipped for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from providers.contract import Operation, Requirement, operations_of
from providers.credentials import Token
from providers.crossauth.matrix import Cell, Holder, Roles, judge, service_holders, user_holders
from providers.errors import ConfigError
from providers.examples import names_resource, parameters_of
from providers.handshakes import Answer, Channel, attempt, channel_of, reproduction
from providers.keyholder import DEFAULT_KEY, DEFAULT_STATE, KeyHolder
from providers.requests import (
    DEFAULT_OWNER_PARAM,
    DEFAULT_RESOURCE_STATES,
    ExampleRequest,
    RequestBuilder,
    Unavailable,
    bearer,
    takes_bearer,
)
from providers.results import Result, Verdict
from providers.settings import parse
from providers.suite import Progress, RunContext

SUITE = "crossauth"
EVERY_CELL = "all"


@dataclass(frozen=True)
class Settings:
    """`[suite.crossauth]` settings."""

    operations: tuple[str, ...] | None = None
    websocket: bool = True
    #: Which configured accounts play the member, the admin and the other tenant's user.
    member: str = "member"
    admin: str = "admin"
    other_tenant: str = "other-tenant"
    #: The key holder's provider state (for the expired service token).
    signed_state: str = DEFAULT_STATE
    signed_state_key: str = DEFAULT_KEY
    #: How far in the past the expired service token's `exp` is (seconds).
    time_margin: int = 86400
    resource_states: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: dict(DEFAULT_RESOURCE_STATES)
    )
    owner_param: str = DEFAULT_OWNER_PARAM
    control_retry_delay: float = 1.5
    channel: str | None = None
    handshake_timeout: float = 5.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.crossauth]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, options, "suite.crossauth")

    def wants(self, label: str, operation_id: str = "") -> bool:
        return self.operations is None or label in self.operations or operation_id in self.operations


def audiences_by_service(ctx: RunContext) -> tuple[dict[str, list[str]], list[str]]:
    """Every audience each service's specs accept (any scheme), and every audience user tokens come with."""
    by_service: dict[str, list[str]] = {}
    users: list[str] = []
    for spec in ctx.specs:
        for op in operations_of(spec):
            for requirement in op.requirements:
                by_service.setdefault(op.service, [])
                for audience in requirement.audiences:
                    if audience not in by_service[op.service]:
                        by_service[op.service].append(audience)
                    if requirement.kind == "user" and audience not in users:
                        users.append(audience)
    return by_service, users


class _Run:
    def __init__(self, ctx: RunContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.roles = Roles(settings.member, settings.admin, settings.other_tenant)
        self.builder = RequestBuilder(
            ctx, resource_states=settings.resource_states, owner_param=settings.owner_param
        )
        self.key_holder = KeyHolder(ctx, state=settings.signed_state, answer_key=settings.signed_state_key)
        self.service_audiences, self.user_audiences = audiences_by_service(ctx)

    # -- rows --------------------------------------------------------------------------------

    def holders(self, service: str, requirements: tuple[Requirement, ...]) -> list[Holder]:
        user_requirements = [r for r in requirements if r.kind == "user"]
        service_wide = self.service_audiences.get(service, [])
        own = [a for r in requirements for a in r.audiences]
        user_audience = (
            user_requirements[0].audiences[0]
            if user_requirements
            else next((a for a in service_wide if a in self.user_audiences), None)
        )
        rows: list[Holder] = []
        if user_audience is not None:
            accepted = {a for r in user_requirements for a in r.audiences} or {user_audience}
            other = next((a for a in self.user_audiences if a not in accepted), None)
            rows += user_holders(self.ctx.credentials, self.roles, user_audience, other)
        ordered = list(dict.fromkeys([*own, *service_wide]))
        rows += service_holders(
            self.ctx.credentials, self.roles, requirements, ordered, expired=self.key_holder.reason is None
        )
        return rows

    # -- tokens ------------------------------------------------------------------------------

    def token(self, holder: Holder, fresh: bool) -> str:
        try:
            if holder.kind == "user":
                return self.ctx.tokens.user(holder.account, holder.audience, fresh=fresh).value
            genuine: Token | None = self.ctx.tokens.service(
                holder.audience, holder.scopes, client_id=holder.account, fresh=fresh and not holder.expired
            )
        except ConfigError as exc:
            raise Unavailable(f"the token endpoint would not issue a {holder.label}: {exc}") from None
        assert genuine is not None
        if not holder.expired:
            return genuine.value
        iat = genuine.claims.get("iat")
        now = int(iat) if isinstance(iat, int | float) else int(time.time())
        end = now - self.settings.time_margin
        return self.key_holder.mint(
            holder.account,
            holder.audience,
            claims={"scope": " ".join(holder.scopes), "iat": end - 900, "nbf": end - 900, "exp": end},
        )

    # -- one operation -----------------------------------------------------------------------

    def result(
        self, service: str, label: str, cell: Cell | None, verdict: Verdict, observed: str, **extra: Any
    ) -> Result:
        check = cell.check if cell is not None else EVERY_CELL
        expectation = cell.expectation if cell is not None else "the operation's matrix is run"
        details = (
            {"token": cell.holder.label, "allowed": cell.allowed, "statuses": list(cell.statuses)}
            if cell
            else {}
        )
        return Result(
            SUITE,
            service,
            label,
            check,
            expectation,
            self.ctx.redactor.text(observed),
            verdict,
            details=details,
            **extra,
        )

    def operation(self, op: Operation) -> Iterator[Result]:
        if not self.ctx.may_send(op.method, op.path):
            yield self.result(
                op.service,
                op.label,
                None,
                Verdict.SKIPPED,
                "live target: not read-only and not in allow_writes, so not sent",
            )
            return
        document = next(s.document for s in self.ctx.specs if s.name == op.spec)
        for requirement in op.requirements:
            if not takes_bearer(document, requirement):
                why = f"scheme {requirement.scheme!r} does not take a bearer token"
                yield self.result(op.service, op.label, None, Verdict.SKIPPED, why)
                return
        resource = any(names_resource(document, p) for p in parameters_of(document, op))
        cells = [
            judge(op, op.requirements, h, self.service_audiences.get(op.service, []), names_resource=resource)
            for h in self.holders(op.service, op.requirements)
        ]
        yield from self.cells(
            op.service, op.label, cells, lambda cell, token: self.send_http(op, cell, token), not op.read_only
        )

    def channel(self, channel: Channel) -> Iterator[Result]:
        handshake = channel.handshake
        requirement = Requirement("x-handshake", handshake.token_kind, handshake.audiences)  # type: ignore[arg-type]
        audiences = list(
            dict.fromkeys([*handshake.audiences, *self.service_audiences.get(channel.service, [])])
        )
        self.service_audiences.setdefault(channel.service, audiences)
        if handshake.token_kind == "user":
            for audience in handshake.audiences:
                if audience not in self.user_audiences:
                    self.user_audiences.append(audience)
        declared = {401} | ({403} if handshake.forbidden_status is not None else set())
        cells = [
            judge(None, (requirement,), h, audiences, declares=declared)
            for h in self.holders(channel.service, (requirement,))
        ]
        yield from self.cells(
            channel.service,
            channel.operation,
            cells,
            lambda cell, token: self.send_ws(channel, cell, token),
            False,
        )

    def cells(self, service: str, label: str, cells: list[Cell], send: Any, fresh: bool) -> Iterator[Result]:
        primary = next((c for c in cells if c.allowed), None)
        if primary is None:
            for cell in cells:
                yield self.result(
                    service,
                    label,
                    cell,
                    Verdict.SKIPPED,
                    "no token the run can get is allowed here, so no denial can be trusted",
                )
            return
        control_failed: str | None = None
        untried: str | None = None
        for cell in [primary, *(c for c in cells if c is not primary)]:
            if control_failed is not None or untried is not None:
                verdict = Verdict.ERROR if control_failed is not None else Verdict.SKIPPED
                yield self.result(service, label, cell, verdict, control_failed or untried or "")
                continue
            try:
                verdict, observed, repro = send(cell, self.token(cell.holder, fresh))
                if cell is primary and verdict is not Verdict.PASS:
                    # A resource server may not know a signing key the issuer just rotated in: once more.
                    time.sleep(self.settings.control_retry_delay)
                    verdict, observed, repro = send(cell, self.token(cell.holder, fresh))
            except Unavailable as exc:
                yield self.result(service, label, cell, Verdict.SKIPPED, str(exc))
                if cell is primary:
                    untried = f"the allowed {cell.holder.label} could not be tried ({exc}), so a denial proves nothing"
                continue
            yield self.result(service, label, cell, verdict, observed, reproduction=repro)
            if cell is primary and verdict is not Verdict.PASS:
                control_failed = f"the allowed {cell.holder.label} was refused too ({observed}), so a denial proves nothing"

    # -- sending -----------------------------------------------------------------------------

    def send_http(self, op: Operation, cell: Cell, token: str) -> tuple[Verdict, str, str | None]:
        request: ExampleRequest = self.builder.build(op, owner=cell.holder.owner)
        credential = bearer(token)
        response = request.send(self.ctx.http, credential)
        return (
            self.verdict_http(cell, response),
            f"HTTP {response.status_code}{_said(response)}",
            request.curl(self.ctx.redactor, credential),
        )

    @staticmethod
    def verdict_http(cell: Cell, response: httpx.Response) -> Verdict:
        status = response.status_code
        if cell.allowed:
            if status >= 500:
                return Verdict.ERROR
            return Verdict.FAIL if status in (401, 403, 404) else Verdict.PASS
        return Verdict.PASS if status in cell.statuses else Verdict.FAIL

    def send_ws(self, channel: Channel, cell: Cell, token: str) -> tuple[Verdict, str, str | None]:
        headers = channel.header_credential(token)
        answer: Answer = attempt(self.ctx, channel, headers, timeout=self.settings.handshake_timeout)
        repro = reproduction(self.ctx.redactor, channel, headers, [])
        if cell.allowed:
            ok = answer.accepted and answer.close_code is None
            return (Verdict.PASS if ok else Verdict.FAIL), answer.describe(), repro
        handshake = channel.handshake
        statuses = [
            handshake.refused_status if s == 401 else (handshake.forbidden_status or s) if s == 403 else s
            for s in cell.statuses
        ]
        refused = answer.failed is None and answer.refused_with(channel, statuses)
        return (Verdict.PASS if refused else Verdict.FAIL), answer.describe(), repro


def _said(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and response.status_code >= 400:
        said = body.get("detail") or body.get("title")
        return f" ({str(said)[:120]})" if said else ""
    return ""


def run(ctx: RunContext) -> Iterator[Result]:
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    state = _Run(ctx, settings)
    operations = [
        op
        for spec in ctx.specs_in_target()
        for op in operations_of(spec)
        if not op.is_public and settings.wants(op.label, op.operation_id)
    ]
    for done, op in enumerate(operations):
        ctx.emit(Progress(SUITE, op.label, done=done, total=len(operations)))
        yield from state.operation(op)
    if settings.websocket and ctx.asyncapi is not None:
        channel = channel_of(ctx, settings.channel)
        if isinstance(channel, str):
            yield Result(
                SUITE,
                "websocket",
                "ws",
                EVERY_CELL,
                "the handshake's matrix is run",
                channel,
                Verdict.SKIPPED,
            )
        elif settings.wants(channel.operation):
            ctx.emit(Progress(SUITE, channel.operation))
            yield from state.channel(channel)
