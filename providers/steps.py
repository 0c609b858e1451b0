"""The steps a declared provider state is made of: what a client of the platform does to reach it.

`providers.states` decides which declaration applies and keeps the ledger; this module runs one step
against the target, through the run's guard, and returns the answer the step's `capture` reads:

| step        | does                                                             | capture reads
|-------------|------------------------------------------------------------------|---------------------------
| `request`   | an operation of the contracts ("POST /v2/things"), with `json`,  | `/pointer` into the JSON
|             | `form` or `query`, `expect` statuses, as the state's account     | answer (`/data/*/id`: a
|             | (or `credential`: a header value), `repeat` N times, or `each`   | list), `header:Name`
|             | value of a list (`each: {thing_id: "{thing_ids}"}`); `until`:    |
|             | sent again until the answer has these values (`{/status: done}`, |
|             | within `within` seconds, default 10)                             |
| `login`     | a user's token from the issuer (`as`, `audience`)                | `{token}`, `{refresh_token}`
| `client`    | a service token (`client_id`, `audience`, `scopes`)              | `{token}`
| `sign`      | a token only the issuer can sign (`claims`, `expired: true`)     | `{token}`
| `revoke`    | a token revoked at the issuer's revocation exchange              | –
| `account`   | the configured credentials of a `user` or a `client`             | `{username}`, `{password}`,
|             |                                                                  | `{client_id}`, `{client_secret}`, `{basic}`
| `wait`      | seconds to wait (a lockout that ends by itself); skipped when    | –
|             | undone at the end of the run, when nothing needs the state gone  |
| `websocket` | a conversation on the service's AsyncAPI channel: `headers`,     | `/pointer` into the list of
|             | `send` messages, receive `until` a message has these fields      | messages received

Captures are read from the last answer of a repeated step. A request that writes is sent only where
`RunContext.why_not_send` allows it and as an account `RunContext.why_not_write_as` allows.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Mapping
from string import Formatter
from typing import Any
from urllib.parse import quote

import httpx
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from providers.contract import READ_ONLY_METHODS as READ_ONLY
from providers.contract import Operation, all_operations
from providers.credentials import Token
from providers.errors import ContractError
from providers.examples import request_body
from providers.keyholder import KeyHolder
from providers.platform import pointer
from providers.requests import Unavailable, bearer, genuine_token
from providers.suite import RunContext
from providers.websocket.contract import WsContract

KINDS = ("request", "login", "client", "sign", "revoke", "account", "wait", "websocket")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: The longest a `wait` step waits (a longer lockout is left to pass by itself, and said so).
MAX_WAIT = 300.0


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


def kind_of(state: str, step: Mapping[str, Any], where: str) -> str:
    kind = next((k for k in KINDS if k in step), None)
    if kind is None:
        raise ContractError(f"{where}: states.{state}: a step needs one of {', '.join(KINDS)}")
    return kind


def find(document: Any, path: str) -> Any:
    """A JSON Pointer, where one `*` segment maps the rest of the pointer over a list."""
    if "/*" not in path:
        return pointer(document, path)
    head, _, rest = path.partition("/*")
    items = pointer(document, head)
    if not isinstance(items, list):
        return None
    return [found for item in items if (found := find(item, rest)) is not None]


class Steps:
    """Runs the steps of declared provider states against one run's target."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.operations = {f"{op.method} {op.path}": op for op in all_operations(ctx.specs)}

    def operation(self, state: str, label: str) -> Operation:
        method, _, path = str(label).partition(" ")
        op = self.operations.get(f"{method.upper()} {path}")
        if op is None:
            raise ContractError(
                f"{self.ctx.platform.where}: states.{state}: {label!r} is not an operation of the contracts"
            )
        return op

    def run(
        self,
        state: str,
        step: Mapping[str, Any],
        values: dict[str, Any],
        account: str | None,
        *,
        final: bool = False,
    ) -> list[str]:
        """Run one step (repeated, or once per `each` value); the names it captured into `values`."""
        kind = kind_of(state, step, self.ctx.platform.where)
        if kind == "wait" and final:
            return []
        who = self.account(step["as"], values) if "as" in step else account
        answer: Any = None
        for extra in self._iterations(step, values):
            answer = self.answer(kind, state, step, {**values, **extra}, who)
        if answer is None:
            return []
        captured = []
        for name, source in dict(step.get("capture") or {}).items():
            values[str(name)] = self._capture(state, source, answer)
            captured.append(str(name))
            if "token" in str(name) and isinstance(values[str(name)], str):
                self.ctx.redactor.add(values[str(name)], values[str(name)].removeprefix("Bearer "))
        return captured

    def answer(
        self, kind: str, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> Any:
        """One step of `kind`, once: its answer (`body`, `headers`, `status` for requests)."""
        return getattr(self, f"_{kind}")(state, step, values, account)

    def _iterations(self, step: Mapping[str, Any], values: Mapping[str, Any]) -> list[dict[str, Any]]:
        if "each" in step:
            (name, source), *_ = dict(step["each"]).items()
            items = fill(source, values)
            return [{str(name): item} for item in (items if isinstance(items, list) else [items])]
        return [{} for _ in range(int(fill(step.get("repeat", 1), values)))]

    # -- accounts ---------------------------------------------------------------------------------

    def account(self, who: Any, values: Mapping[str, Any]) -> str | None:
        """The configured account a step acts as: an account name, the username consumers use for it in
        their pacts (platform.yaml accounts: example), or its configured username; None: the primary."""
        users = self.ctx.credentials.users
        if who is None:
            return users[0].name if users else None
        name = str(fill(who, values))
        if any(a.name == name for a in users):
            return name
        spec = self.ctx.platform.account_by_example(name)
        if spec is not None and any(a.name == spec.name for a in users):
            return spec.name
        user = next((a for a in users if a.username == name), None)
        if user is not None:
            return user.name
        raise Unavailable(
            f"no configured account is {name!r} (platform.yaml accounts: example; [targets.NAME.users])"
        )

    # -- the kinds --------------------------------------------------------------------------------

    def _capture(self, state: str, source: Any, answer: Any) -> Any:
        if isinstance(source, str) and source.startswith("/"):
            body = answer.get("body") if isinstance(answer, Mapping) else None
            found = find(body, source)
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

    def _credential(self, op: Operation, account: str | None) -> list[tuple[str, str]]:
        reasons = []
        for requirement in op.requirements:
            try:
                owner = account if requirement.kind == "user" else None
                return bearer(genuine_token(self.ctx, requirement, account=owner).value)
            except Unavailable as exc:
                reasons.append(str(exc))
        if op.requirements:
            raise Unavailable("; ".join(reasons))
        return []

    def _request(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        until = dict(fill(step.get("until") or {}, values))
        deadline = time.monotonic() + float(step.get("within", 10))
        while True:
            answer = self._send(state, step, values, account)
            if all(find(answer["body"], str(path)) == wanted for path, wanted in until.items()):
                return answer
            if time.monotonic() > deadline or self.ctx.ledger.stopping.wait(0.05):
                shown = ", ".join(f"{k} = {v!r}" for k, v in until.items())
                raise Unavailable(f"the setup of {state!r}: {step['request']} never answered {shown}")

    def _send(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        op = self.operation(state, str(step["request"]))
        why = self.ctx.why_not_send(op.method, op.path)
        if why is None and op.method not in READ_ONLY:
            why = self.ctx.why_not_write_as(account)
        if why is not None:
            raise Unavailable(why)
        path = _PLACEHOLDER.sub(lambda m: quote(str(fill(m.group(0), values)), safe=""), op.path)
        url = self.ctx.target.service(op.service).url(path)
        if "credential" in step:
            headers = [("Authorization", str(fill(step["credential"], values)))]
        else:
            headers = self._credential(op, account)
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
                f"the setup of {state!r}: {op.method} {path} answered HTTP {response.status_code}"
                + (f" {self.ctx.redactor.text(response.text[:200])}" if response.text else "")
            )
        return _answer(response)

    def _login(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        spec = dict(step["login"] or {})
        who = self.account(spec["as"], values) if "as" in spec else account
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
        who = self.account(spec["as"], values) if "as" in spec else account
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

    def _account(
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
            user = self.ctx.credentials.user(self.account(spec.get("user"), values))
            found = {"username": user.username, "password": user.password}
        return {"body": found, "values": found, **found}

    def _wait(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> None:
        seconds = float(fill(step["wait"], values))
        if seconds > MAX_WAIT:
            raise Unavailable(f"{state!r} ends by itself only after {seconds:g}s (longer than {MAX_WAIT:g}s)")
        if self.ctx.ledger.stopping.wait(max(0.0, seconds)):
            raise Unavailable(f"{state!r} ends by itself after {seconds:g}s; the run was stopped first")

    def _websocket(
        self, state: str, step: Mapping[str, Any], values: dict[str, Any], account: str | None
    ) -> dict[str, Any]:
        service = str(fill(step["websocket"], values))
        if not self.ctx.asyncapi:
            raise Unavailable("the contracts have no AsyncAPI document describing the channel")
        contract = WsContract(self.ctx.asyncapi)
        if not self.ctx.target.has(service) or contract.service != service:
            raise Unavailable(f"the target has no channel of {service} (AsyncAPI info.x-service)")
        url = self.ctx.target.service(service).ws_url + contract.pathname + contract.address
        headers = {str(k): str(v) for k, v in dict(fill(step.get("headers") or {}, values)).items()}
        until = dict(fill(step.get("until") or {}, values))
        timeout = self.ctx.http.guard.limits.timeout
        received: list[Any] = []
        self.ctx.http.guard.acquire(f"WS {url}")
        try:
            with connect(url, additional_headers=headers, open_timeout=timeout, close_timeout=1) as socket:
                pending = [fill(m, values) for m in step.get("send") or []]
                received.append(_message(socket.recv(timeout=timeout)))
                for message in pending:
                    socket.send(json.dumps(message))
                while until and not any(_has(m, until) for m in received):
                    received.append(_message(socket.recv(timeout=timeout)))
        except InvalidStatus as exc:
            raise Unavailable(
                f"the setup of {state!r}: the handshake to {url} was refused with HTTP "
                f"{exc.response.status_code}"
            ) from None
        except TimeoutError:
            raise Unavailable(f"the setup of {state!r}: no message with {until} from {url} in time") from None
        except (WebSocketException, OSError) as exc:
            raise Unavailable(f"the setup of {state!r}: the connection to {url} failed: {exc}") from None
        return {"body": received}


def _message(frame: str | bytes) -> Any:
    try:
        return json.loads(frame)
    except ValueError:
        return frame


def _has(message: Any, fields: Mapping[str, Any]) -> bool:
    return isinstance(message, Mapping) and all(message.get(k) == v for k, v in fields.items())


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
