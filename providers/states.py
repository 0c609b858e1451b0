"""Provider states reached through the platform's own public API, as the manifest declares them.

A target with a provider-state hook sets its states itself (the stubs do). A live target has none, so
the contracts folder says, for each state, how a client reaches it — requests made as a named
account, values captured from the answers for the interactions and checks that need them, and the
requests that undo it:

    states:
      an invoice exists:
        as: "{user}"                          # a param naming an account (its pact username), or an
        steps:                                #   account of the manifest; default: the primary one
          - request: POST /invoices           # an operation of the contracts
            json: {amount: 10, memo: "{memo}"}
            capture: {invoice_id: /id}        # JSON Pointer into the answer (or "header:Location")
        undo:
          - request: DELETE /invoices/{invoice_id}
            expect: [204, 404]                # gone already is gone
      a user is logged in:
        steps:
          - login: {as: "{user}", audience: "{audience}"}
            capture: {token: "Bearer {token}", access_token: "{token}"}

The step kinds (`request`, `login`, `client`, `sign`, `revoke`, `account`, `wait`, `websocket`) are
`providers.steps`'. Templates use the state's params (with the declaration's `defaults` for those a
caller does not give), the values captured so far, `{uid}` (unique per setup) and `{username}` (the
acting account's configured username). A setup answers its params and what it captured: the values
a pact's `ProviderState` generators read.

A state that means something else on each provider (a login for each service's audience) is a list
of declarations, each with the `services` it is for; the first that fits the provider is used.

Writes go through `RunContext.why_not_send` and `why_not_write_as` (a staging-safe target refuses them
unless its sandbox allows the operation, as that account): a state whose steps or undo need a refused
write is `Unavailable`, a skip naming the setting — checked before anything is sent (`why_not`).
Every setup is recorded in the run's `Ledger` with its undo, which runs when the interaction is done,
or when the run ends, also after a failure or an interrupt; what could not be undone is listed in the
report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from providers.contract import READ_ONLY_METHODS as READ_ONLY
from providers.errors import ContractError
from providers.keyholder import KeyHolder
from providers.ledger import Ledger, Pending
from providers.requests import Unavailable
from providers.steps import Steps, fill, kind_of
from providers.suite import RunContext

__all__ = ["States", "fill"]

#: Values a setup makes for its own steps, answered only when a step captured them.
_INTERNAL = ("uid", "username")
#: Step kinds that get tokens from the issuer's service (a request step does when it needs a credential).
_ISSUER_STEPS = ("login", "client", "sign", "revoke")


class States:
    """Sets up and undoes the manifest's declared states against one run's target."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.ledger: Ledger = ctx.ledger
        self.steps = Steps(ctx)

    def declaration(self, state: str, service: str | None = None) -> Mapping[str, Any] | None:
        """The manifest's declaration of `state` for the provider `service` (None when there is none)."""
        declared = self.ctx.platform.states.get(state)
        choices = declared if isinstance(declared, list) else [declared] if declared is not None else []
        for choice in choices:
            if not isinstance(choice, Mapping):
                raise ContractError(
                    f"{self.ctx.platform.where}: states.{state} must be a mapping or a list of them"
                )
            services = choice.get("services")
            if services is None or service is None or service in services:
                return choice
        return None

    def declares(self, state: str, service: str | None = None) -> bool:
        return self.declaration(state, service) is not None

    def why_not(
        self, state: str, service: str | None = None, params: Mapping[str, Any] | None = None
    ) -> str | None:
        """Why the declared setup of `state` cannot run on this target (None when it can): no
        declaration, an account it acts as that is not configured or not a sandbox account, a write
        (of its steps or of its undo) the target does not allow, a token only the issuer can sign."""
        declared = self.declaration(state, service)
        if declared is None:
            return f"platform.yaml declares no setup for the provider state {state!r} (states)"
        values = {"uid": "", **dict(declared.get("defaults") or {}), **dict(params or {})}
        try:
            account = self._account_of(declared, values)
            for step in [*_steps(state, declared, "steps"), *_steps(state, declared, "undo")]:
                reason = self._why_not_step(state, step, values, account)
                if reason is not None:
                    return reason
        except Unavailable as exc:
            return str(exc)
        return None

    def _why_not_step(
        self, state: str, step: Mapping[str, Any], values: Mapping[str, Any], account: str | None
    ) -> str | None:
        kind = kind_of(state, step, self.ctx.platform.where)
        who = account
        spec = step.get(kind)
        named = step.get("as", spec.get("as") if isinstance(spec, Mapping) else None)
        if named is not None:
            try:
                who = self.steps.account(named, values)
            except Unavailable as exc:
                if not str(exc).startswith("no value for"):  # else: a value captured later
                    return str(exc)
        issuer = self.ctx.credentials.issuer
        if kind in _ISSUER_STEPS and issuer is not None and not self.ctx.target.has(issuer.service):
            return f"the setup of {state!r} needs tokens of {issuer.service}, which the target does not have"
        if kind == "request":
            op = self.steps.operation(state, str(step["request"]))
            if not self.ctx.target.has(op.service):
                return f"the setup of {state!r} sends {op.label} to {op.service}, which the target does not have"
            if op.requirements and issuer is not None and not self.ctx.target.has(issuer.service):
                return f"the setup of {state!r} needs tokens of {issuer.service}, which the target does not have"
            why = self.ctx.why_not_send(op.method, op.path)
            if why is None and op.method not in READ_ONLY:
                why = self.ctx.why_not_write_as(who)
            if why is not None:
                return f"the setup of {state!r}: {why}"
        elif kind == "sign":
            why = KeyHolder(self.ctx).reason
            if why is not None:
                return f"the setup of {state!r} needs a token only the issuer can sign: {why}"
        elif kind == "websocket":
            service = str(step["websocket"])
            if not self.ctx.target.has(service):
                return f"the setup of {state!r} talks to {service}, which the target does not have"
        return None

    def account_of(
        self, state: str, service: str | None = None, params: Mapping[str, Any] | None = None
    ) -> str | None:
        """The account the declared setup of `state` acts as, with these params (None: none)."""
        declared = self.declaration(state, service)
        if declared is None:
            return None
        return self._account_of(declared, {**dict(declared.get("defaults") or {}), **dict(params or {})})

    def _account_of(self, declared: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
        param = self.ctx.platform.hook.account_param
        return self.steps.account(declared.get("as", "{" + param + "}" if param in values else None), values)

    # -- setup and undo -------------------------------------------------------------------------

    def setup(
        self, state: str, params: Mapping[str, Any] | None = None, service: str | None = None
    ) -> dict[str, Any]:
        """Reach `state` (as the provider `service` means it): its params and the values it captured,
        its undo recorded in the ledger."""
        return self.begin(state, params, service)[0]

    def begin(
        self, state: str, params: Mapping[str, Any] | None, service: str | None
    ) -> tuple[dict[str, Any], Pending]:
        """`setup`, and the ledger's entry of it (to undo this very setup later)."""
        declared = self.declaration(state, service)
        reason = self.why_not(state, service, params)
        if declared is None or reason is not None:
            raise Unavailable(reason or f"platform.yaml declares no setup for {state!r}")
        defaults = declared.get("defaults") or {}
        values: dict[str, Any] = {"uid": uuid.uuid4().hex[:12], **dict(defaults), **dict(params or {})}
        account = self._account_of(declared, values)
        if account is not None:
            values.setdefault("username", self.ctx.credentials.user(account).username)
        pending = Pending(state, _steps(state, declared, "undo"), values, account)
        with self.ledger.lock:
            self.ledger.created += 1
            self.ledger.pending.append(pending)
        captured: list[str] = []
        try:
            for step in _steps(state, declared, "steps"):
                captured += self.steps.run(state, step, values, account)
        except BaseException:
            self.undo(pending)
            raise
        kept = [k for k in values if k not in _INTERNAL or k in captured or k in (params or {})]
        return {k: values[k] for k in kept}, pending

    def undo(self, pending: Pending, *, final: bool = False) -> None:
        """Run a setup's undo (once); a failure is recorded as a leftover, never raised. `final`: the
        run is ending, so steps that only make the state pass by itself (`wait`) are skipped."""
        with self.ledger.lock:
            if pending not in self.ledger.pending:
                return
            self.ledger.pending.remove(pending)
        for step in pending.steps:
            try:
                self.steps.run(pending.state, step, dict(pending.values), pending.account, final=final)
            except Exception as exc:  # noqa: BLE001 - whatever it was, it is left behind and reported
                with self.ledger.lock:
                    self.ledger.leftovers.append(f"{pending.state}: {self.ctx.redactor.text(str(exc))}")

    def undo_all(self) -> None:
        """Undo every setup still pending, newest first: the run is ending."""
        for pending in list(reversed(self.ledger.pending)):
            self.undo(pending, final=True)

    @contextmanager
    def reached(
        self, state: str, params: Mapping[str, Any] | None = None, service: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """`state` set up for the duration of the block, undone after it whatever happens."""
        values, pending = self.begin(state, params, service)
        try:
            yield values
        finally:
            self.undo(pending)


def _steps(state: str, declared: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    steps = declared.get(key) or []
    if not isinstance(steps, list) or not all(isinstance(s, Mapping) for s in steps):
        raise ContractError(f"platform.yaml: states.{state}.{key} must be a list of steps")
    return steps
