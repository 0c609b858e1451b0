"""Requests the readiness suite sends: an operation the contracts name, as a real client would call it.

A latency budget or a health operation names an operation by service, method and path. The request is,
in order: the issuer's own login or client exchange when the operation is its token endpoint (each
call a genuine grant for the primary account or the first service client, as the platform manifest
describes them — the auth call a run makes on a live target anyway); an operation of the service's OpenAPI documents, built by the shared example-request
builder (its resources the primary account's) with a genuine token for its first satisfiable security
requirement; or, for a service without a document, a plain GET of a path without parameters. What cannot
be built is `Unavailable` (a skip naming why); an operation the run may not send to a live target too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from providers.contract import Operation, operations_of
from providers.errors import ContractError
from providers.platform import Exchange
from providers.requests import RequestBuilder, Unavailable, bearer, genuine_token
from providers.sandbox import staging_safe_reason
from providers.suite import RunContext


@dataclass(frozen=True)
class Call:
    """One request, ready to send again and again (a measurement sends the same request each time)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    data: tuple[tuple[str, str], ...] | None = None
    json_body: dict[str, str] | None = None

    def send(self, ctx: RunContext) -> httpx.Response:
        extra: dict[str, Any] = {}
        if self.data is not None:
            extra["data"] = dict(self.data)
        elif self.json_body is not None:
            extra["json"] = self.json_body
        else:
            extra["content"] = self.content
        return ctx.http.request(self.method, self.url, headers=list(self.headers), **extra)

    def curl(self, ctx: RunContext) -> str:
        body: bytes | None = self.content
        headers = dict(self.headers)
        if self.data is not None:
            body = urlencode(self.data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif self.json_body is not None:
            body = json.dumps(self.json_body).encode()
            headers["Content-Type"] = "application/json"
        return ctx.redactor.curl(self.method, self.url, headers, body)


def find_operation(ctx: RunContext, service: str, method: str, path: str) -> Operation | None:
    for spec in ctx.specs:
        if spec.service != service:
            continue
        for op in operations_of(spec):
            if op.method == method and op.path == path:
                return op
    return None


def exchange_call(url: str, exchange: Exchange, values: Mapping[str, str | None]) -> Call:
    """One of the issuer's exchanges, its fields filled from `values`."""
    request = exchange.request(values)
    if "json" in request:
        return Call("POST", url, (("Accept", "application/json"),), json_body=request["json"])
    return Call("POST", url, (("Accept", "application/json"),), data=tuple(request["data"].items()))


def issuer_call(ctx: RunContext, service: str, method: str, path: str) -> Call | None:
    """The issuer's login (else client) grant when the operation is its token endpoint."""
    issuer = ctx.platform.issuer
    if issuer is None or issuer.service != service or method != "POST":
        return None
    url = ctx.target.service(service).url(path)
    if issuer.login is not None and issuer.login.path == path and ctx.credentials.users:
        user = ctx.credentials.user()
        return exchange_call(url, issuer.login, {"username": user.username, "password": user.password})
    if issuer.client is not None and issuer.client.path == path:
        granted = next(((c, a, s) for c in ctx.credentials.clients for a, s in c.grants.items()), None)
        if granted is None:
            raise Unavailable("no service client is configured for the issuer's client grant")
        client, audience, scopes = granted
        values = {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "audience": audience,
            "scopes": " ".join(scopes),
        }
        return exchange_call(url, issuer.client, values)
    return None


def call_for(
    ctx: RunContext, builder: RequestBuilder, service: str, method: str, path: str, *, where: str
) -> Call:
    """The request for an operation the manifest names at `where`; `Unavailable` when it cannot be had."""
    if not ctx.target.has(service):
        raise Unavailable(f"the target has no {service}")
    exchange = issuer_call(ctx, service, method, path)
    if exchange is not None:
        return exchange  # a genuine grant: the auth call every run makes, on live targets too
    if not ctx.may_send(method, path):
        raise Unavailable(staging_safe_reason(method, path))
    op = find_operation(ctx, service, method, path)
    if op is None:
        if method not in ("GET", "HEAD") or "{" in path:
            raise ContractError(f"{where}: {method} {path} is no operation of {service}'s OpenAPI documents")
        return Call(method, ctx.target.service(service).url(path))
    request = builder.build(op)
    credential: Sequence[tuple[str, str]] = ()
    reasons = []
    for requirement in op.requirements:
        try:
            credential = bearer(genuine_token(ctx, requirement).value)
            break
        except Unavailable as exc:
            reasons.append(str(exc))
    else:
        if op.requirements:
            raise Unavailable("; ".join(reasons))
    return Call(request.method, request.url, (*request.headers, *credential), request.content)
