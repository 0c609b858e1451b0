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
      a user is logged in:
        steps:
          - login: {as: "{user}", audience: "{audience}"}
            capture: {token: "Bearer {token}", access_token: "{token}"}

Step kinds: `request` (an operation, with `json`, `form`, `query`, `expect` statuses, `repeat`), `login`
(a user's token: values `token`, `refresh_token`), `client` (a service token: `client_id`, `audience`,
`scopes`), `sign` (a token only the issuer can sign: `claims`, or `expired: true`, through
`providers.keyholder`), `revoke` (a token, at the issuer's revocation exchange) and `account` (the
configured credentials of a user — `username`, `password` — or a client — `client_id`,
`client_secret`, `basic`). Templates use the state's params (with the declaration's `defaults` for
those a caller does not give), the values captured so far, `{uid}` (unique per setup) and `{username}`.

A state that means something else on each provider (a login for each service's audience) is a list
of declarations, each with the `services` it is for; the first that fits the provider is used.

Writes go through `RunContext.may_send` (a staging-safe target refuses them unless the sandbox allows
the operation): a state that needs a refused write is `Unavailable`, a skip naming the setting. Every
setup that created something is recorded in the run's `Ledger` with its undo, which runs when the
interaction is done, when the run ends, also after a failure or an interrupt; what could not be undone
is listed in the report.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from string import Formatter
from typing import Any
from urllib.parse import quote

import httpx

from providers.contract import Operation, all_operations
from providers.credentials import Token
from providers.errors import ContractError
from providers.examples import request_body
from providers.keyholder import KeyHolder
from providers.ledger import Ledger, Pending
from providers.platform import pointer
from providers.requests import Unavailable, bearer, genuine_token
from providers.suite import RunContext

STEP_KINDS = ("request", "login", "client", "sign", "revoke", "account")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def fill(template: Any, values: Mapping[str, Any]) -> Any:
    """A template (string, list or mapping) with its `{names}` replaced; a lone `{name}` keeps its type."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        missing = [f for _, f, _, _ in Formatter().parse(template) if f and f not in values]
        if missing:
            raise Unavailable(f"no value for {{{missing[0]}}} (not a param of the state, nor captured)")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
    if isinstance(template, Mapping):
        return {str(k): fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


class States:
    """Sets up and undoes the manifest's declared states against one run's target."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.ledger: Ledger = ctx.ledger
        self._operations = {f"{op.method} {op.path}": op for op in all_operations(ctx.specs)}

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

    def why_not(self, state: str, service: str | None = None) -> str | None:
        """Why the declared setup of `state` cannot run on this target (None when it can)."""
        declared = self.declaration(state, service)
        if declared is None:
            return f"platform.yaml declares no setup for the provider state {state!r} (states)"
        for step in _steps(state, declared, "steps"):
            if "request" in step:
                op = self._operation(state, str(step["request"]))
                if not self.ctx.may_send(op.method, op.path):
                    return (
                        f"the setup of {state!r} writes ({op.label}), which this target does not allow: "
                        "allow it in the target's sandbox (allow_writes)"
                    )
        return None

    # -- setup and undo -------------------------------------------------------------------------

    def setup(
        self, state: str, params: Mapping[str, Any] | None = None, service: str | None = None
    ) -> dict[str, Any]:
        """Reach `state` (as the provider `service` means it); the values it captured, its undo recorded."""
        declared = self.declaration(state, service)
        if declared is None:
            raise Unavailable(f"platform.yaml declares no setup for the provider state {state!r} (states)")
        reason = self.why_not(state, service)
        if reason is not None:
            raise Unavailable(reason)
        defaults = declared.get("defaults") or {}
        values: dict[str, Any] = {"uid": uuid.uuid4().hex[:12], **dict(defaults), **dict(params or {})}
        param = self.ctx.platform.hook.account_param
        account = self._account(declared.get("as", "{" + param + "}" if param in values else None), values)
        if account is not None:
            values.setdefault("username", self.ctx.credentials.user(account).username)
        undo = _steps(state, declared, "undo")
        pending = Pending(state, undo, values, account)
        with self.ledger.lock:
            self.ledger.created += 1
            if undo:
                self.ledger.pending.append(pending)
        try:
            for step in _steps(state, declared, "steps"):
                self._step(state, step, values, account)
        except BaseException:
            self.undo(pending)
            raise
        return {k: v for k, v in values.items() if k not in ("uid", "username")}

    def undo(self, pending: Pending) -> None:
        """Run a setup's undo (once); a failure is recorded as a leftover, never raised."""
        with self.ledger.lock:
            if pending not in self.ledger.pending:
                return
            self.ledger.pending.remove(pending)
        for step in pending.steps:
            try:
                self._step(pending.state, step, dict(pending.values), pending.account, undo=True)
            except Exception as exc:  # noqa: BLE001 - whatever it was, it is left behind and reported
                with self.ledger.lock:
                    self.ledger.leftovers.append(f"{pending.state}: {self.ctx.redactor.text(str(exc))}")

    def undo_all(self) -> None:
        for pending in list(reversed(self.ledger.pending)):
            self.undo(pending)

    @contextmanager
    def reached(
        self, state: str, params: Mapping[str, Any] | None = None, service: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """`state` set up for the duration of the block, undone after it whatever happens."""
        values = self.setup(state, params, service)
        pending = next((p for p in reversed(self.ledger.pending) if p.state == state), None)
        try:
            yield values
        finally:
            if pending is not None:
                self.undo(pending)

    # -- the steps ------------------------------------------------------------------------------

    def _account(self, who: Any, values: Mapping[str, Any]) -> str | None:
        """The manifest account a step acts as: a param naming a username, an account name, or primary."""
        if who is None:
            return self.ctx.credentials.users[0].name if self.ctx.credentials.users else None
        name = str(fill(who, values))
        known = {a.name for a in self.ctx.credentials.users}
        if name in known:
            return name
        spec = self.ctx.platform.account_by_example(name)
        if spec is not None and spec.name in known:
            return spec.name
        user = next((a for a in self.ctx.credentials.users if a.username == name), None)
        if user is not None:
            return user.name
        raise Unavailable(f"no configured account is {name!r} (platform.yaml accounts: example)")

    def _operation(self, state: str, label: str) -> Operation:
        method, _, path = label.partition(" ")
        op = self._operations.get(f"{method.upper()} {path}")
        if op is None:
            raise ContractError(
                f"{self.ctx.platform.where}: states.{state}: {label!r} is not an operation of the contracts"
            )
        return op

    def _step(
        self,
        state: str,
        step: Mapping[str, Any],
        values: dict[str, Any],
        account: str | None,
        *,
        undo: bool = False,
    ) -> None:
        kind = next((k for k in STEP_KINDS if k in step), None)
        if kind is None:
            raise ContractError(
                f"{self.ctx.platform.where}: states.{state}: a step needs one of {', '.join(STEP_KINDS)}"
            )
        who = self._account(step["as"], values) if "as" in step else account
        for _ in range(int(fill(step.get("repeat", 1), values))):
            answer = getattr(self, "_account_values" if kind == "account" else f"_{kind}")(
                state, step, values, who
            )
            for name, source in dict(step.get("capture") or {}).items():
                values[str(name)] = self._capture(state, source, answer)
                if "token" in str(name) and isinstance(values[str(name)], str):
                    self.ctx.redactor.add(values[str(name)], values[str(name)].removeprefix("Bearer "))

    def _capture(self, state: str, source: Any, answer: Any) -> Any:
        if isinstance(source, str) and source.startswith("/"):
            body = answer.get("body") if isinstance(answer, Mapping) else None
            found = pointer(body, source)
            if found is None:
                raise Unavailable(f"the setup of {state!r} answered nothing at {source}")
            return found
        if isinstance(source, str) and source.startswith("header:"):
            headers = answer.get("headers") if isinstance(answer, Mapping) else None
            found = (headers or {}).get(source[len("header:") :].strip().lower())
            if found is None:
                raise Unavailable(f"the setup of {state!r} answered no {source[len('header:') :]} header")
            return found
        return fill(source, {**answer, **(answer.get("values") or {})} if isinstance(answer, Mapping) else {})

    def _token_for(self, op: Operation, account: str | None) -> list[tuple[str, str]]:
        reasons = []
        for requirement in op.requirements:
            try:
                token = genuine_token(
                    self.ctx, requirement, account=account if requirement.kind == "user" else None
                )
                return bearer(token.value)
            except Unavailable as exc:
                reasons.append(str(exc))
        if op.requirements:
            raise Unavailable("; ".join(reasons))
        return []

    def _request(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        op = self._operation(state, str(step["request"]))
        if not self.ctx.may_send(op.method, op.path):
            raise Unavailable(f"{op.label} may not be sent to this target (allow_writes)")
        path = _PLACEHOLDER.sub(lambda m: quote(str(fill(m.group(0), values)), safe=""), op.path)
        url = self.ctx.target.service(op.service).url(path)
        headers = [*self._token_for(op, account)]
        kwargs: dict[str, Any] = {}
        if "json" in step:
            kwargs["json"] = fill(step["json"], values)
        elif "form" in step:
            kwargs["data"] = fill(step["form"], values)
        elif op.document.get("requestBody") is not None:
            document = next(s.document for s in self.ctx.specs if s.name == op.spec)
            body_headers, content = request_body(document, op)
            headers += list(body_headers)
            kwargs["content"] = content
        if "query" in step:
            kwargs["params"] = fill(step["query"], values)
        response = self.ctx.http.request(op.method, url, headers=headers, **kwargs)
        expected = [int(s) for s in step.get("expect", [])]
        if (expected and response.status_code not in expected) or (not expected and not response.is_success):
            raise Unavailable(
                f"the setup of {state!r}: {op.label} answered HTTP {response.status_code}"
                + (f" {self.ctx.redactor.text(response.text[:200])}" if response.text else "")
            )
        return _answer(response)

    def _login(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        spec = dict(step["login"] or {})
        who = self._account(spec["as"], values) if "as" in spec else account
        audience = fill(spec["audience"], values) if spec.get("audience") else None
        token = self.ctx.tokens.user(who, str(audience) if audience else None, fresh=True)
        return _token_answer(token)

    def _client(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        spec = fill(dict(step["client"] or {}), values)
        scopes = spec.get("scopes") or spec.get("scope") or ()
        scopes = tuple(scopes.split()) if isinstance(scopes, str) else tuple(scopes)
        token = self.ctx.tokens.service(
            str(spec.get("audience", "")), scopes, client_id=spec.get("client_id"), fresh=True
        )
        if token is None:
            raise Unavailable(f"no configured client may get a token for {spec.get('audience')!r}")
        return _token_answer(token)

    def _sign(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        spec = dict(step["sign"] or {})
        who = self._account(spec["as"], values) if "as" in spec else account
        audience = str(fill(spec.get("audience", ""), values) or "")
        claims = dict(fill(spec.get("claims") or {}, values))
        if spec.get("expired"):
            now = int(time.time())
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        template = self.ctx.tokens.user(who, audience or None)
        user = self.ctx.credentials.user(who)
        token = KeyHolder(self.ctx).mint(user.username, audience, claims=claims, template=template)
        return {"token": token, "values": {"token": token}}

    def _revoke(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        issuer = self.ctx.credentials.issuer
        if issuer is None or issuer.revocation is None:
            raise Unavailable("the issuer declares no revocation endpoint (platform.yaml tokens.revocation)")
        token = str(fill(step["revoke"], values)).removeprefix("Bearer ")
        url = self.ctx.tokens.url(issuer.revocation.path)
        response = self.ctx.http.request("POST", url, **issuer.revocation.request({"token": token}))
        if not response.is_success:
            raise Unavailable(f"the revocation of the state's token answered HTTP {response.status_code}")
        return _answer(response)

    def _account_values(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        spec = dict(step["account"] or {})
        if "client" in spec:
            client_id = str(fill(spec["client"], values))
            client = next((c for c in self.ctx.credentials.clients if c.client_id == client_id), None)
            if client is None:
                raise Unavailable(f"no configured service client {client_id!r}")
            basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
            found = {
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "basic": f"Basic {basic}",
            }
        else:
            user = self.ctx.credentials.user(self._account(spec.get("user"), values))
            found = {"username": user.username, "password": user.password}
        return {"body": found, "values": found, **found}


def _steps(state: str, declared: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    steps = declared.get(key) or []
    if not isinstance(steps, list) or not all(isinstance(s, Mapping) for s in steps):
        raise ContractError(f"platform.yaml: states.{state}.{key} must be a list of steps")
    return steps


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    return {
        "status": response.status_code,
        "body": body,
        "headers": {k.lower(): v for k, v in response.headers.items()},
    }


def _token_answer(token: Token) -> dict[str, Any]:
    values = {"token": token.value, "refresh_token": token.refresh_token or ""}
    return {"body": values, "values": values, **values}
