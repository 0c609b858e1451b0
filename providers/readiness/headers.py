"""The headers production traffic relies on: uncacheable token answers, 401 challenges, HSTS.

- `token-no-store:KIND`: each token answer of the issuer (its `login`, `client` and `refresh` exchanges
  from the platform manifest, each one genuine grant) carries `Cache-Control: no-store` (RFC 6749 §5.1),
  so no shared cache or browser history keeps a token.
- `www-authenticate`: every protected operation (and the WebSocket handshake) answers a request without
  a credential with a 401 that carries `WWW-Authenticate` with a challenge (RFC 9110 §15.5.2), `Bearer`
  where the scheme takes bearer tokens (RFC 6750 §3). An answer that is not a 401 is the `tokens`
  suite's to judge: a skip here.
- `hsts`: a service served over https declares `Strict-Transport-Security` with a `max-age` of at least
  `hsts_min_age` seconds (policy). Over http the header means nothing (RFC 6797 §7.2): a skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from providers.contract import operations_of
from providers.handshakes import attempt, channel_of, reproduction
from providers.platform import Exchange, pointer
from providers.readiness.calls import exchange_call
from providers.requests import Unavailable, placeholder_request, takes_bearer
from providers.results import Result, Verdict
from providers.sandbox import staging_safe_reason
from providers.suite import RunContext

SUITE = "readiness"
TOKEN_KINDS = ("login", "client", "refresh")
_BEARER = re.compile(r"(^|,)\s*bearer(\s|,|$)", re.I)
_MAX_AGE = re.compile(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?", re.I)


def _result(
    service: str,
    operation: str,
    check: str,
    expectation: str,
    verdict: Verdict,
    observed: str,
    repro: str | None = None,
) -> Result:
    return Result(SUITE, service, operation, check, expectation, observed, verdict, repro)


def cache_directives(response: httpx.Response) -> set[str]:
    values = ",".join(response.headers.get_list("cache-control"))
    return {part.split("=")[0].strip().lower() for part in values.split(",") if part.strip()}


# ---- token answers ---------------------------------------------------------------------------------


def _grant(
    ctx: RunContext, kind: str, exchange: Exchange, refresh_token: str | None
) -> dict[str, str | None]:
    if kind == "login":
        if not ctx.credentials.users:
            raise Unavailable("no user account is configured")
        user = ctx.credentials.user()
        return {"username": user.username, "password": user.password}
    if kind == "client":
        granted = next(((c, a, s) for c in ctx.credentials.clients for a, s in c.grants.items()), None)
        if granted is None:
            raise Unavailable("no service client is configured")
        client, audience, scopes = granted
        return {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "audience": audience,
            "scopes": " ".join(scopes),
        }
    if refresh_token is None:
        raise Unavailable(
            "no refresh token: the login exchange declares none (tokens.login.refresh_token) or did not run"
        )
    return {"refresh_token": refresh_token}


def token_answers(ctx: RunContext) -> Iterator[Result]:
    issuer = ctx.credentials.issuer or ctx.platform.issuer
    expectation = "Cache-Control: no-store on the token answer"
    refresh_token: str | None = None
    for kind in TOKEN_KINDS:
        check = f"token-no-store:{kind}"
        exchange: Exchange | None = getattr(issuer, kind, None) if issuer else None
        if issuer is None or exchange is None:
            why = f"{ctx.platform.where} declares no tokens.{kind} exchange"
            yield _result(issuer.service if issuer else "-", "-", check, expectation, Verdict.SKIPPED, why)
            continue
        label = f"POST {exchange.path}"
        if not ctx.target.has(issuer.service):
            yield _result(
                issuer.service,
                label,
                check,
                expectation,
                Verdict.SKIPPED,
                f"the target has no {issuer.service}",
            )
            continue
        try:
            values = _grant(ctx, kind, exchange, refresh_token)
        except Unavailable as exc:
            yield _result(issuer.service, label, check, expectation, Verdict.SKIPPED, str(exc))
            continue
        call = exchange_call(ctx.target.service(issuer.service).url(exchange.path), exchange, values)
        response = call.send(ctx)
        repro = call.curl(ctx)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        token = pointer(answer, exchange.token)
        refreshed = pointer(answer, exchange.refresh_token) if exchange.refresh_token else None
        for secret in (token, refreshed):
            if isinstance(secret, str):
                ctx.redactor.add(secret)
        if kind == "login" and isinstance(refreshed, str):
            refresh_token = refreshed
        if response.status_code not in (200, 201) or not isinstance(token, str):
            observed = f"HTTP {response.status_code} without a token: the configured credentials were refused, so no token answer to judge"
            yield _result(issuer.service, label, check, expectation, Verdict.ERROR, observed, repro)
            continue
        directives = cache_directives(response)
        shown = ", ".join(response.headers.get_list("cache-control")) or "(none)"
        verdict = Verdict.PASS if "no-store" in directives else Verdict.FAIL
        yield _result(
            issuer.service,
            label,
            check,
            expectation,
            verdict,
            f"HTTP {response.status_code}, Cache-Control: {shown}",
            repro,
        )


# ---- 401 challenges ---------------------------------------------------------------------------------


def challenges(
    ctx: RunContext, websocket: bool, channel_name: str | None, timeout: float
) -> Iterator[Result]:
    for spec in ctx.specs_in_target():
        for op in operations_of(spec):
            if op.is_public:
                continue
            bearer = any(takes_bearer(spec.document, r) for r in op.requirements)
            expectation = f"a 401 without a credential carries WWW-Authenticate{' with a Bearer challenge' if bearer else ''}"
            if not ctx.may_send(op.method, op.path):
                why = staging_safe_reason(op.method, op.path)
                yield _result(op.service, op.label, "www-authenticate", expectation, Verdict.SKIPPED, why)
                continue
            try:
                request = placeholder_request(ctx, op)
            except Unavailable as exc:
                yield _result(
                    op.service, op.label, "www-authenticate", expectation, Verdict.SKIPPED, str(exc)
                )
                continue
            response = request.send(ctx.http)
            repro = request.curl(ctx.redactor)
            yield _challenge(
                op.service,
                op.label,
                expectation,
                response.status_code,
                response.headers.get("www-authenticate"),
                bearer,
                repro,
            )
    if websocket and ctx.asyncapi is not None:
        channel = channel_of(ctx, channel_name)
        if isinstance(channel, str):
            yield _result(
                "-",
                "ws",
                "www-authenticate",
                "a refused handshake carries WWW-Authenticate",
                Verdict.SKIPPED,
                channel,
            )
            return
        header = (channel.handshake.challenge_header or "WWW-Authenticate").lower()
        expectation = (
            f"a handshake refused with 401 carries {channel.handshake.challenge_header or 'WWW-Authenticate'}"
        )
        answer = attempt(ctx, channel, timeout=timeout)
        status = answer.status if not answer.accepted and answer.status is not None else 0
        repro = reproduction(ctx.redactor, channel, [], [])
        bearer = "header" in channel.handshake.methods and channel.handshake.scheme.lower() == "bearer"
        yield _challenge(
            channel.service, channel.operation, expectation, status, answer.headers.get(header), bearer, repro
        )


def _challenge(
    service: str, label: str, expectation: str, status: int, value: str | None, bearer: bool, repro: str
) -> Result:
    if status != 401:
        said = f"HTTP {status}" if status else "no HTTP refusal"
        why = f"answered {said} without a credential, not a 401: the tokens suite judges that"
        return _result(service, label, "www-authenticate", expectation, Verdict.SKIPPED, why, repro)
    if not value or not value.strip():
        return _result(
            service,
            label,
            "www-authenticate",
            expectation,
            Verdict.FAIL,
            "HTTP 401 without WWW-Authenticate",
            repro,
        )
    if bearer and not _BEARER.search(value):
        observed = f"HTTP 401, WWW-Authenticate: {value} (no Bearer challenge)"
        return _result(service, label, "www-authenticate", expectation, Verdict.FAIL, observed, repro)
    return _result(
        service,
        label,
        "www-authenticate",
        expectation,
        Verdict.PASS,
        f"HTTP 401, WWW-Authenticate: {value}",
        repro,
    )


# ---- HSTS -----------------------------------------------------------------------------------------


def hsts_verdict(response: httpx.Response, min_age: int) -> tuple[Verdict, str]:
    value = response.headers.get("strict-transport-security")
    if value is None:
        return Verdict.FAIL, f"HTTP {response.status_code} without Strict-Transport-Security"
    found = _MAX_AGE.search(value)
    if found is None or int(found.group(1)) < min_age:
        return Verdict.FAIL, f"Strict-Transport-Security: {value} (max-age below {min_age})"
    return Verdict.PASS, f"Strict-Transport-Security: {value}"


def hsts(ctx: RunContext, paths: dict[str, str], min_age: int) -> Iterator[Result]:
    """Each service's answer to a GET of `paths[service]` (its health operation, else `/`)."""
    expectation = f"Strict-Transport-Security with max-age ≥ {min_age} on an https service"
    for name, service in ctx.target.services.items():
        path = paths.get(name, "/")
        url = service.url(path)
        if urlsplit(url).scheme != "https":
            why = "served over http: HSTS only means something over https (RFC 6797 §7.2); judged on https targets"
            yield _result(name, f"GET {path}", "hsts", expectation, Verdict.SKIPPED, why)
            continue
        response = ctx.http.request("GET", url)
        verdict, observed = hsts_verdict(response, min_age)
        yield _result(
            name,
            f"GET {path}",
            "hsts",
            expectation,
            verdict,
            observed,
            ctx.redactor.curl("GET", url, {}, None),
        )
