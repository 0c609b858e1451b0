"""Example requests: for any operation of a spec, one request that would succeed with a genuine token.

The `tokens` and `crossauth` suites attack an operation by changing only its credential, so the rest
of the request must be right: path parameters, required query and header parameters and a body valid
against the operation's schemas, whose values come from the contract (`providers.examples`).

A path parameter that is not an enumerated value names a resource, which must be one the calling
account owns (a made-up id would answer 404 whatever the token). In order of preference:

1. the spec's OpenAPI `links`: the operation that creates the resource (a link to this operation, or
   else any link that supplies a parameter of the same name) is sent first — with the owner's genuine
   token, its own parameters built the same way — and the value read from its answer, when the run may
   send that operation (`RunContext.may_send`: never a write on a live target unless allowed);
2. the provider state the platform manifest names for the parameter (`resources`), set up for the
   owner: through the service's provider-state hook (`ServiceTarget.states_url`) when it has one, else
   through the state's declared setup on the public API (`providers.states`, writes only where the
   run may send them; undone when the run ends);
3. otherwise the request cannot be built: `Unavailable`, which suites report as skipped.

Resources are cached per owner for read-only operations; an operation that writes gets fresh ones on
every build, so a deletion or a cancellation by one request cannot change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx

from contracts import SpecFile
from providers.contract import Operation, Requirement, operations_of
from providers.credentials import Token, UserAccount
from providers.errors import ConfigError
from providers.examples import (
    Unavailable,
    example_of,
    names_resource,
    parameters_of,
    request_body,
    resolve,
    text_of,
)
from providers.http import TargetHttp
from providers.redact import Redactor
from providers.suite import RunContext

if TYPE_CHECKING:
    from providers.states import States

__all__ = [
    "ExampleRequest",
    "RequestBuilder",
    "Unavailable",
    "account_for",
    "bearer",
    "example_of",
    "genuine_token",
    "names_resource",
    "parameters_of",
    "placeholder_request",
    "set_up_state",
    "takes_bearer",
]

_MAX_DEPTH = 4


@dataclass(frozen=True)
class ExampleRequest:
    operation: Operation
    method: str
    url: str
    #: Headers other than the credential (content type, required header parameters).
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    #: How each resource parameter was obtained, for reports ("thread_id from createThread").
    provenance: Mapping[str, str] = field(default_factory=dict)

    def send(self, http: TargetHttp, credential: Sequence[tuple[str, str]] = ()) -> httpx.Response:
        """Send with exactly the credential headers given (none, one, or several on purpose)."""
        return http.request(self.method, self.url, headers=[*self.headers, *credential], content=self.content)

    def curl(self, redactor: Redactor, credential: Sequence[tuple[str, str]] = ()) -> str:
        headers = [*self.headers, *credential]
        text = redactor.curl(self.method, self.url, dict(headers), self.content)
        # `curl` takes one value per header name; say so when a request carried a header twice.
        names = [name.lower() for name, _ in headers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            extra = [
                f"-H {redactor.header(name, value)!r}" for name, value in headers if name.lower() in repeated
            ]
            text += f"   # sent with {', '.join(repeated)} repeated: {' '.join(extra)}"
        return text


# ---- credentials for a requirement --------------------------------------------------------------


def account_for(
    ctx: RunContext, requirement: Requirement, preferred: str | None = None
) -> UserAccount | None:
    """A configured account holding the requirement's roles (`preferred` first, if it qualifies)."""
    accounts = [a for a in ctx.credentials.users if set(requirement.roles) <= set(a.roles)]
    accounts.sort(key=lambda a: a.name != preferred)
    return accounts[0] if accounts else None


def genuine_token(
    ctx: RunContext,
    requirement: Requirement,
    *,
    account: str | None = None,
    fresh: bool = False,
) -> Token:
    """A genuine token satisfying `requirement` (of `account`, for user tokens), or `Unavailable`."""
    if requirement.kind == "user":
        chosen = account_for(ctx, requirement, account)
        if chosen is None or (account is not None and chosen.name != account):
            who = f"account {account!r}" if account else "user account"
            roles = f" with the role(s) {' '.join(requirement.roles)}" if requirement.roles else ""
            raise Unavailable(f"no configured {who}{roles}")
        return ctx.tokens.user(chosen.name, requirement.audiences[0], fresh=fresh)
    for audience in requirement.audiences:
        if ctx.credentials.client_for(audience, requirement.scopes) is not None:
            token = ctx.tokens.service(audience, requirement.scopes, fresh=fresh)
            if token is not None:
                return token
    scopes = " ".join(requirement.scopes)
    raise Unavailable(
        f"no configured service client may get a token for {' or '.join(requirement.audiences)}"
        + (f" with scope {scopes}" if scopes else "")
    )


def bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


def takes_bearer(document: Mapping[str, Any], requirement: Requirement) -> bool:
    """Whether the requirement's security scheme carries a bearer token in `Authorization`."""
    scheme = document.get("components", {}).get("securitySchemes", {}).get(requirement.scheme, {})
    kind = str(scheme.get("type", "")).lower()
    return kind in ("oauth2", "openidconnect") or (
        kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    )


# ---- the builder --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    source: Operation
    #: Parameter name → runtime expression (`$response.body#/id`, `$response.header.Location`).
    parameters: Mapping[str, str]
    target_id: str


class RequestBuilder:
    """Builds `ExampleRequest`s for one run; creates (or sets up) the resources they name."""

    def __init__(self, ctx: RunContext, *, default_owner: str | None = None) -> None:
        self.ctx = ctx
        self.default_owner = ctx.credentials.user(default_owner).name if ctx.credentials.users else ""
        self._specs: dict[str, SpecFile] = {spec.name: spec for spec in ctx.specs}
        self._operations: dict[str, list[Operation]] = {
            name: operations_of(spec) for name, spec in self._specs.items()
        }
        self._links: dict[str, list[_Link]] = {name: self._read_links(name) for name in self._specs}
        self._cache: dict[tuple[str, str, str], tuple[str, str]] = {}
        #: One `providers.states.States` for the run's declared states (it indexes every operation once).
        self._states: States | None = None

    def _read_links(self, spec_name: str) -> list[_Link]:
        document = self._specs[spec_name].document
        links = []
        for op in self._operations[spec_name]:
            for status, response in (op.document.get("responses", {}) or {}).items():
                if not str(status).startswith("2"):
                    continue
                for link in (resolve(document, response).get("links", {}) or {}).values():
                    link = resolve(document, link)
                    if "operationId" in link and isinstance(link.get("parameters"), Mapping):
                        parameters = {str(k): str(v) for k, v in link["parameters"].items()}
                        links.append(_Link(op, parameters, str(link["operationId"])))
        return links

    # -- public --------------------------------------------------------------------------------

    def build(self, op: Operation, *, owner: str | None = None, fresh: bool | None = None) -> ExampleRequest:
        """A request for `op` whose resources belong to the account `owner` (default: the primary one).

        `fresh` (default: when `op` writes) creates new resources instead of reusing cached ones.
        """
        return self._build(op, owner or self.default_owner, (not op.read_only) if fresh is None else fresh, 0)

    # -- building ------------------------------------------------------------------------------

    def _build(self, op: Operation, owner: str, fresh: bool, depth: int) -> ExampleRequest:
        document = self._specs[op.spec].document
        path = op.path
        query: list[tuple[str, str]] = []
        headers: list[tuple[str, str]] = []
        provenance: dict[str, str] = {}
        for parameter in parameters_of(document, op):
            name, place = str(parameter.get("name")), parameter.get("in")
            if place == "path":
                if names_resource(document, parameter):
                    value, source = self._resource(op, name, owner, fresh, depth)
                    provenance[name] = source
                else:
                    value = str(parameter.get("example", example_of(document, parameter.get("schema", {}))))
                path = path.replace("{" + name + "}", quote(value, safe=""))
            elif parameter.get("required") and place == "query":
                query.append((name, text_of(example_of(document, parameter.get("schema", {})))))
            elif parameter.get("required") and place == "header" and name.lower() != "authorization":
                headers.append((name, text_of(example_of(document, parameter.get("schema", {})))))
        body_headers, content = request_body(document, op)
        url = self.ctx.target.service(op.service).url(path)
        if query:
            url += "?" + urlencode(query)
        return ExampleRequest(op, op.method, url, (*body_headers, *headers), content, provenance)

    def _resource(self, op: Operation, name: str, owner: str, fresh: bool, depth: int) -> tuple[str, str]:
        key = (op.spec, name, owner)
        if not fresh and key in self._cache:
            return self._cache[key]
        reasons: list[str] = []
        found = self._from_links(op, name, owner, depth, reasons) or self._from_state(
            op, name, owner, reasons
        )
        if found is None:
            raise Unavailable(f"no {name} of the account {owner!r} can be had: {'; '.join(reasons)}")
        if not fresh:
            self._cache[key] = found
        return found

    def _producers(self, op: Operation, name: str) -> list[_Link]:
        """Links that supply `name` to `op` itself first, then any link of the spec supplying `name`."""
        links = [link for link in self._links[op.spec] if name in link.parameters]
        return sorted(links, key=lambda link: link.target_id != op.operation_id)

    def _from_links(
        self, op: Operation, name: str, owner: str, depth: int, reasons: list[str]
    ) -> tuple[str, str] | None:
        producers = self._producers(op, name)
        if not producers:
            reasons.append(f"no link of {op.spec} supplies {name}")
            return None
        if depth >= _MAX_DEPTH:
            reasons.append("links nest too deeply")
            return None
        for link in producers:
            source = link.source
            why = self.ctx.why_not_send(source.method, source.path)
            if why is not None:
                if f"{source.operation_id}: {why}" not in reasons:
                    reasons.append(f"{source.operation_id}: {why}")
                continue
            try:
                value = self._follow(link, name, owner, depth)
            except Unavailable as exc:
                reasons.append(f"{source.operation_id}: {exc}")
                continue
            return value, f"{name} from {source.operation_id}"
        return None

    def _follow(self, link: _Link, name: str, owner: str, depth: int) -> str:
        source = link.source
        request = self._build(source, owner, True, depth + 1)
        credential: list[tuple[str, str]] = []
        if source.requirements:
            token = self._owner_token(source, owner)
            credential = bearer(token.value)
        response = request.send(self.ctx.http, credential)
        if not 200 <= response.status_code < 300:
            raise Unavailable(f"answered HTTP {response.status_code}")
        value = _evaluate(link.parameters[name], response)
        if value is None:
            raise Unavailable(f"its answer has no {link.parameters[name]}")
        return str(value)

    def _owner_token(self, op: Operation, owner: str) -> Token:
        reasons = []
        for requirement in op.requirements:
            try:
                if requirement.kind == "user":
                    return genuine_token(self.ctx, requirement, account=owner)
                return genuine_token(self.ctx, requirement)
            except Unavailable as exc:
                reasons.append(str(exc))
        raise Unavailable("; ".join(reasons) or "no requirement can be satisfied")

    def _from_state(self, op: Operation, name: str, owner: str, reasons: list[str]) -> tuple[str, str] | None:
        from providers.states import States

        service = self.ctx.target.service(op.service)
        resource = self.ctx.platform.resources.get(name)
        if resource is None:
            reasons.append(f"platform.yaml names no provider state creating a {name} (resources)")
            return None
        state, answer_key = resource.state, resource.value
        try:
            account = self.ctx.credentials.user(owner)
        except ConfigError:
            reasons.append(f"no configured account {owner!r}")
            return None
        params = {self.ctx.platform.hook.account_param: account.username}
        if service.states_url is not None:
            values = set_up_state(self.ctx, service.states_url, state, params)
        else:
            if self._states is None:
                self._states = States(self.ctx)
            states = self._states
            why = states.why_not(state, op.service, params)
            if why is not None:
                reasons.append(f"{op.service} has no provider-state hook, and {why}")
                return None
            values = states.setup(state, params, op.service)
        value = values.get(answer_key)
        if value is None:
            reasons.append(f"provider state {state!r} answered no {answer_key!r}")
            return None
        return str(value), f"{name} from provider state {state!r}"


def placeholder_request(ctx: RunContext, op: Operation) -> ExampleRequest:
    """A request with made-up path values and no body: enough for an answer that comes before any
    resource is looked up (the 401 of a request without a token, a CORS preflight)."""
    document = next(spec.document for spec in ctx.specs if spec.name == op.spec)
    path = op.path
    for parameter in parameters_of(document, op):
        if parameter.get("in") == "path":
            value = parameter.get("example", example_of(document, parameter.get("schema", {})))
            path = path.replace("{" + str(parameter.get("name")) + "}", quote(str(value), safe=""))
    url = ctx.target.service(op.service).url(path)
    return ExampleRequest(op, op.method, url, (), None, {"*": "made-up path values (no resource needed)"})


def set_up_state(ctx: RunContext, states_url: str, state: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Set up a provider state; its answer (registered for redaction), or `Unavailable`."""
    response = ctx.http.request(
        "POST", states_url, json={"state": state, "params": dict(params), "action": "setup"}
    )
    if response.status_code != 200:
        raise Unavailable(f"provider state {state!r} answered HTTP {response.status_code}")
    try:
        values = response.json()
    except ValueError:
        raise Unavailable(f"provider state {state!r} answered no JSON") from None
    if not isinstance(values, dict):
        raise Unavailable(f"provider state {state!r} answered no object")
    for key, value in values.items():
        if isinstance(value, str) and ("token" in key or value.startswith("Bearer ")):
            ctx.redactor.add(value, value.removeprefix("Bearer "))
    return values


def _evaluate(expression: str, response: httpx.Response) -> Any:
    """An OpenAPI runtime expression against a response: body JSON pointer or header."""
    if expression.startswith("$response.body#"):
        try:
            node: Any = response.json()
        except ValueError:
            return None
        for part in expression[len("$response.body#") :].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node
    if expression.startswith("$response.header."):
        return response.headers.get(expression[len("$response.header.") :])
    return None
