"""The `crossauth` suite: the allow/deny matrix of token kinds, run against the target cell by cell.

For every protected operation (and the WebSocket handshake) the cells of `matrix` are derived from
the operation's security requirements; each cell's genuine token is obtained from the target's issuer
(the expired one from the key holder) and sent with a request naming a resource of the cell's owner
(`providers.requests`). One `Result` per operation × cell, `check` naming the cell's kind and what it
is about ("missing-scope:SCOPE", "other-owner"); the expectation says which token and which status.

The allowed cells are the operation's positive controls and run first: if the target refuses them
(after one retry: a resource server may not know a new signing key yet), they fail and every denial
of the operation is an error — a target that refuses everything must not pass. An operation with no
allowed token the run can get has its denials skipped for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from providers.checks import Basis, register
from providers.contract import Operation, Requirement, operations_of
from providers.credentials import Token
from providers.crossauth.matrix import KINDS, Cell, Holder, Planned, Rows, judge
from providers.errors import ConfigError
from providers.examples import names_resource, parameters_of
from providers.handshakes import Answer, Channel, attempt, channel_of, reproduction
from providers.keyholder import KeyHolder
from providers.requests import ExampleRequest, RequestBuilder, Unavailable, bearer, takes_bearer
from providers.results import Result, Verdict
from providers.settings import parse
from providers.suite import Progress, RunContext

SUITE = "crossauth"

for _kind, (_basis, _cites, _summary) in KINDS.items():
    register(
        SUITE,
        _kind,
        Basis(_basis),
        _cites,
        _summary,
        needs=("the issuer's signing key or provider-state hook",) if _kind == "expired" else (),
    )


@dataclass(frozen=True)
class Settings:
    """`[suite.crossauth]` settings."""

    operations: tuple[str, ...] | None = None
    websocket: bool = True
    #: The account whose resources the requests name (default: the manifest's `primary`).
    account: str | None = None
    #: How far in the past the expired token's `exp` is (seconds).
    time_margin: int = 86400
    control_retry_delay: float = 1.5
    channel: str | None = None
    handshake_timeout: float = 5.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """From `[suite.crossauth]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, options, "suite.crossauth")

    def wants(self, label: str, operation_id: str = "") -> bool:
        return self.operations is None or label in self.operations or operation_id in self.operations


def audiences_by_service(ctx: RunContext) -> tuple[dict[str, list[str]], list[str], set[str]]:
    """Every audience each service's specs accept (any scheme), every audience user tokens come with,
    and the token kinds the contracts use at all."""
    by_service: dict[str, list[str]] = {}
    users: list[str] = []
    kinds: set[str] = set()
    for spec in ctx.specs:
        for op in operations_of(spec):
            for requirement in op.requirements:
                kinds.add(requirement.kind)
                by_service.setdefault(op.service, [])
                for audience in requirement.audiences:
                    if audience not in by_service[op.service]:
                        by_service[op.service].append(audience)
                    if requirement.kind == "user" and audience not in users:
                        users.append(audience)
    return by_service, users, kinds


class _Run:
    def __init__(self, ctx: RunContext, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.builder = RequestBuilder(ctx, default_owner=settings.account)
        self.key_holder = KeyHolder(ctx)
        self.service_audiences, self.user_audiences, kinds = audiences_by_service(ctx)
        accounts = {a.name: a for a in ctx.credentials.users}

        def sees(owner: str, other: str) -> bool:
            a, b = accounts.get(owner), accounts.get(other)
            return a is None or b is None or ctx.platform.sees(a.name, a.tenant, b.name, b.tenant)

        self.rows = Rows(
            ctx.credentials,
            self.builder.default_owner,
            sees,
            self.user_audiences,
            kinds,
            self.key_holder.reason,
        )

    # -- tokens ------------------------------------------------------------------------------

    def token(self, holder: Holder, fresh: bool) -> str:
        try:
            genuine: Token | None
            if holder.kind == "user":
                genuine = self.ctx.tokens.user(
                    holder.account, holder.audience, fresh=fresh and not holder.expired
                )
            else:
                genuine = self.ctx.tokens.service(
                    holder.audience,
                    holder.scopes,
                    client_id=holder.account,
                    fresh=fresh and not holder.expired,
                )
        except ConfigError as exc:
            raise Unavailable(f"the issuer would not issue a {holder.label}: {exc}") from None
        assert genuine is not None
        if not holder.expired:
            return genuine.value
        iat = genuine.claims.get("iat")
        now = int(iat) if isinstance(iat, int | float) else int(time.time())
        end = now - self.settings.time_margin
        claims: dict[str, Any] = {"iat": end - 900, "nbf": end - 900, "exp": end}
        scope_claim = self.ctx.platform.issuer.claims.scopes if self.ctx.platform.issuer else None
        if holder.kind == "service" and scope_claim:
            claims[scope_claim] = " ".join(holder.scopes)
        subject = (
            self.ctx.credentials.user(holder.account).username if holder.kind == "user" else holder.account
        )
        return self.key_holder.mint(subject, holder.audience, claims=claims, template=genuine)

    # -- one operation -----------------------------------------------------------------------

    def result(
        self,
        service: str,
        label: str,
        planned: Planned,
        cell: Cell | None,
        verdict: Verdict,
        observed: str,
        **extra: Any,
    ) -> Result:
        expectation = cell.expectation if cell is not None else planned.summary
        details: dict[str, Any] = {"cell": planned.kind}
        if cell is not None:
            details.update(token=cell.holder.label, allowed=cell.allowed, statuses=list(cell.statuses))
        return Result(
            SUITE,
            service,
            label,
            planned.check,
            expectation,
            self.ctx.redactor.text(observed),
            verdict,
            details=details,
            **extra,
        )

    def skip_all(self, service: str, label: str, cells: list[Planned], why: str) -> Iterator[Result]:
        for planned in cells:
            yield self.result(service, label, planned, None, Verdict.SKIPPED, why)

    def operation(self, op: Operation) -> Iterator[Result]:
        document = next(s.document for s in self.ctx.specs if s.name == op.spec)
        resource = any(names_resource(document, p) for p in parameters_of(document, op))
        audiences = self.service_audiences.get(op.service, [])
        planned = self.rows.plan(op.requirements, audiences, resource, self.ctx.platform.isolation)
        refused = self.ctx.why_not_send(op.method, op.path)
        if refused is not None:
            why = f"live target: {refused}"
            yield from self.skip_all(op.service, op.label, planned, why)
            return
        for requirement in op.requirements:
            if not takes_bearer(document, requirement):
                why = f"scheme {requirement.scheme!r} does not take a bearer token"
                yield from self.skip_all(op.service, op.label, planned, why)
                return
        cells = [
            (
                p,
                judge(op, op.requirements, p.holder, audiences, names_resource=resource)
                if p.holder
                else None,
            )
            for p in planned
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
        if handshake.token_kind == "user":
            for audience in handshake.audiences:
                if audience not in self.rows.user_audiences:
                    self.rows.user_audiences.append(audience)
        declared = {401} | ({403} if handshake.forbidden_status is not None else set())
        planned = self.rows.plan((requirement,), audiences, False, self.ctx.platform.isolation)
        cells = [
            (p, judge(None, (requirement,), p.holder, audiences, declares=declared) if p.holder else None)
            for p in planned
        ]
        yield from self.cells(
            channel.service,
            channel.operation,
            cells,
            lambda cell, token: self.send_ws(channel, cell, token),
            False,
        )

    def cells(
        self,
        service: str,
        label: str,
        cells: list[tuple[Planned, Cell | None]],
        send: Callable[[Cell, str], tuple[Verdict, str, str | None]],
        fresh: bool,
    ) -> Iterator[Result]:
        """The allowed cells first (the positive controls), then the denials; a cell without a token is
        skipped with its reason, and denials are only judged once a control was accepted."""
        controls = [(p, c) for p, c in cells if c is not None and c.allowed]
        control_failed: str | None = None
        untried: str | None = (
            None if controls else ("no token the run can get is allowed here, so no denial can be trusted")
        )
        accepted = False
        for planned, cell in [*controls, *((p, c) for p, c in cells if c is None or not c.allowed)]:
            if cell is None:
                yield self.result(service, label, planned, None, Verdict.SKIPPED, planned.skip or "")
                continue
            if not cell.allowed and not accepted and (control_failed is not None or untried is not None):
                verdict = Verdict.ERROR if control_failed is not None else Verdict.SKIPPED
                yield self.result(service, label, planned, cell, verdict, control_failed or untried or "")
                continue
            try:
                verdict, observed, repro = send(cell, self.token(cell.holder, fresh))
                if cell.allowed and verdict is not Verdict.PASS:
                    # A resource server may not know a signing key the issuer just rotated in: once more.
                    time.sleep(self.settings.control_retry_delay)
                    verdict, observed, repro = send(cell, self.token(cell.holder, fresh))
            except Unavailable as exc:
                yield self.result(service, label, planned, cell, Verdict.SKIPPED, str(exc))
                if cell.allowed and not accepted:
                    untried = f"the allowed {cell.holder.label} could not be tried ({exc}), so a denial proves nothing"
                continue
            yield self.result(service, label, planned, cell, verdict, observed, reproduction=repro)
            if cell.allowed:
                if verdict is Verdict.PASS:
                    accepted = True
                elif not accepted:
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


#: The unit of work (`RunContext.share`) of the WebSocket handshake's matrix.
WS_UNIT = "ws"


def _unit(op: Operation) -> str:
    return f"{op.service} {op.label}"


def run(ctx: RunContext) -> Iterator[Result]:
    settings = Settings.from_options(ctx.options.suites.get(SUITE, {}))
    state = _Run(ctx, settings)
    operations = [
        op
        for spec in ctx.specs_in_target()
        for op in operations_of(spec)
        if not op.is_public and settings.wants(op.label, op.operation_id)
    ]
    websocket = settings.websocket and ctx.asyncapi is not None
    # Units of work: each operation, and the WebSocket channel.
    share = ctx.share(SUITE, [_unit(op) for op in operations] + ([WS_UNIT] if websocket else []))
    for done, op in enumerate(share.each(operations, _unit)):
        ctx.emit(Progress(SUITE, op.label, done=done, total=len(operations)))
        yield from state.operation(op)
    if websocket and share.owns(WS_UNIT):
        channel = channel_of(ctx, settings.channel)
        if isinstance(channel, str):
            yield Result(SUITE, "websocket", "ws", "allowed", KINDS["allowed"][2], channel, Verdict.SKIPPED)
        elif settings.wants(channel.operation):
            ctx.emit(Progress(SUITE, channel.operation))
            with share.timed(WS_UNIT):
                yield from state.channel(channel)
