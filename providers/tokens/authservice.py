"""What an attacker probes on the auth service itself: refresh reuse, revocation, throttling, enumeration.

Driven by the platform's issuer (`providers.platform.Issuer`: its login, refresh, revocation and
introspection exchanges) and by the issuer's specs (the statuses the login operation declares, the
introspection operation's security requirement). Each check is skipped, with the reason, when the
target's auth service does not offer what it needs — no refresh tokens, refresh tokens that do not
rotate, no revocation or introspection endpoint, no declared throttling.

| check | holds the auth service to |
|---|---|
| refresh-reuse-revokes-family | a spent refresh token is refused, and its whole family with it (the next refresh token, the access token issued with it) |
| revoked-is-inactive | introspection says `active: false` for a revoked access token (and `true` before) |
| brute-force-throttled | repeated bad passwords for one account are answered 429 with `Retry-After` |
| no-account-enumeration | a wrong password and an unknown account get the same status and body |

The last two fail logins on purpose: on a staging-safe live target they run only with
`suite.tokens.auth_probes_on_live: true` (or an unsafe one). The throttling probe uses a made-up account, so no real
account is locked out (`throttle_account` names a configured one instead, for services that only
throttle accounts that exist).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from providers.checks import Basis, register
from providers.contract import Operation, all_operations
from providers.credentials import UserAccount
from providers.errors import ConfigError
from providers.platform import Exchange, Issuer, pointer
from providers.requests import Unavailable, bearer
from providers.results import Finding, Result, Skip, Verdict
from providers.suite import RunContext
from providers.tokens.material import Forge, identity_for
from providers.tokens.settings import Settings

SUITE = "tokens"
#: Members of an error body that differ between any two answers (not a difference that leaks).
_VOLATILE = {"instance", "trace_id", "traceId", "request_id", "requestId", "timestamp", "time"}


@dataclass
class Env:
    ctx: RunContext
    settings: Settings
    forge: Forge
    issuer: Issuer
    account: UserAccount

    def url(self, path: str) -> str:
        return self.ctx.target.service(self.issuer.service).url(path)

    def operation(self, exchange: Exchange | None) -> Operation | None:
        if exchange is None:
            return None
        return next(
            (
                op
                for op in all_operations(self.ctx.specs)
                if op.service == self.issuer.service and op.path == exchange.path and op.method == "POST"
            ),
            None,
        )

    def refusals(self, exchange: Exchange) -> set[int]:
        """The 4xx statuses the operation declares for a refused request (400/401 when unknown)."""
        op = self.operation(exchange)
        declared = {int(s) for s in op.statuses if s.isdigit() and s.startswith("4")} if op else set()
        return (declared - {404, 405, 415, 422, 429}) or {400, 401}

    def post(
        self, exchange: Exchange, values: dict[str, str | None], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.ctx.http.request(
            "POST", self.url(exchange.path), headers=headers or {}, **exchange.request(values)
        )

    def curl(
        self, exchange: Exchange | None, values: dict[str, str | None], headers: dict[str, str] | None = None
    ) -> str | None:
        if exchange is None:
            return None
        payload = exchange.payload(values)
        if exchange.encoding == "json":
            content_type, body = "application/json", json.dumps(payload)
        else:
            content_type, body = "application/x-www-form-urlencoded", urlencode(payload)
        return self.ctx.redactor.curl(
            "POST", self.url(exchange.path), {"Content-Type": content_type, **(headers or {})}, body
        )

    @property
    def login_exchange(self) -> Exchange:
        if self.issuer.login is None:
            raise Skip("the contracts say nothing of how a user logs in (platform.yaml tokens.login)")
        return self.issuer.login

    def login(self) -> dict[str, Any]:
        """The login's answer for the suite's account: `token`, `refresh_token`, as the manifest points."""
        response = self.post(
            self.login_exchange, {"username": self.account.username, "password": self.account.password}
        )
        if response.status_code not in (200, 201):
            raise Unavailable(f"the login of {self.account.name!r} answered HTTP {response.status_code}")
        return self.tokens_of(self.login_exchange, response)

    def tokens_of(self, exchange: Exchange, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except (ValueError, TypeError):
            return {}
        found = {
            "token": pointer(body, exchange.token),
            "refresh_token": pointer(body, exchange.refresh_token) if exchange.refresh_token else None,
        }
        for value in found.values():
            if isinstance(value, str):
                self.ctx.redactor.add(value)
        return found

    def introspect(self, token: str) -> bool | None:
        """Whether introspection reports `token` active; `Skip` when introspection cannot be used."""
        exchange = self.issuer.introspection
        op = self.operation(exchange)
        if exchange is None or op is None:
            raise Skip("no introspection endpoint is declared (platform.yaml tokens.introspection)")
        if not op.requirements:
            headers: dict[str, str] = {}
        else:
            try:
                identity = identity_for(self.ctx, op.requirements[0], self.settings.account)
                headers = dict(bearer(self.forge.genuine(identity).value))
            except Unavailable as exc:
                raise Skip(f"introspection needs {exc}") from None
        response = self.post(exchange, {"token": token}, headers)
        if response.status_code != 200:
            raise Skip(f"introspection answered HTTP {response.status_code}")
        try:
            return bool(pointer(response.json(), self.issuer.active))
        except ValueError:
            raise Skip("introspection answered no JSON") from None


def refresh_reuse(env: Env) -> str:
    refresh = env.issuer.refresh
    if refresh is None:
        raise Skip("the contracts declare no refresh exchange (platform.yaml tokens.refresh)")
    first = env.login()
    spent = first.get("refresh_token")
    if not isinstance(spent, str):
        raise Skip("the login answers no refresh token")
    rotated = env.post(refresh, {"refresh_token": spent})
    if rotated.status_code not in (200, 201):
        raise Skip(f"the refresh exchange answered HTTP {rotated.status_code} to a fresh refresh token")
    second = env.tokens_of(refresh, rotated)
    current = second.get("refresh_token")
    if not isinstance(current, str) or current == spent:
        raise Skip("refresh tokens do not rotate here (the refresh exchange answered no new one)")
    refused = env.refusals(refresh)
    reuse = env.post(refresh, {"refresh_token": spent})
    if reuse.status_code not in refused:
        raise Finding(
            f"the spent refresh token was answered HTTP {reuse.status_code} (expected {sorted(refused)})",
            env.curl(refresh, {"refresh_token": spent}),
        )
    after = env.post(refresh, {"refresh_token": current})
    if after.status_code not in refused:
        raise Finding(
            f"after the reuse, the family's current refresh token still works (HTTP {after.status_code})",
            env.curl(refresh, {"refresh_token": current}),
        )
    observed = f"reuse refused (HTTP {reuse.status_code}), the family's current refresh token too (HTTP {after.status_code})"
    access = second.get("token")
    if isinstance(access, str):
        try:
            if env.introspect(access):
                raise Finding(
                    "after the reuse, the family's access token is still active (introspection)",
                    env.curl(env.issuer.introspection, {"token": access}),
                )
            observed += ", and its access token inactive"
        except Skip:
            pass
    return observed


def revoked_inactive(env: Env) -> str:
    revocation = env.issuer.revocation
    if revocation is None:
        raise Skip("the contracts declare no revocation endpoint (platform.yaml tokens.revocation)")
    token = env.login().get("token")
    if not isinstance(token, str):
        raise Skip("the login answered no access token")
    if not env.introspect(token):
        raise Finding("introspection says a genuine, fresh access token is not active")
    revoke = env.post(revocation, {"token": token})
    if not 200 <= revoke.status_code < 300:
        raise Skip(f"the revocation endpoint answered HTTP {revoke.status_code}")
    if env.introspect(token):
        raise Finding(
            "introspection says a revoked access token is still active",
            env.curl(env.issuer.introspection, {"token": token}),
        )
    return "active before revocation, inactive after"


def _live_probe(env: Env) -> None:
    target = env.ctx.target
    if target.live and target.safe and not env.settings.auth_probes_on_live:
        raise Skip(
            "fails logins on purpose: on a staging-safe target only with suite.tokens.auth_probes_on_live"
        )


def throttled(env: Env) -> str:
    _live_probe(env)
    op = env.operation(env.login_exchange)
    if op is not None and not op.declares(429):
        raise Skip(f"{op.label} declares no 429: the contract promises no throttling")
    if env.settings.throttle_account is not None:
        username = env.ctx.credentials.user(env.settings.throttle_account).username
    else:
        username = f"contractgate-probe-{uuid.uuid4().hex[:12]}@example.com"
    form: dict[str, str | None] = {"username": username, "password": "contractgate-wrong-password"}
    statuses = []
    for _ in range(env.settings.throttle_attempts):
        response = env.post(env.login_exchange, form)
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry = response.headers.get("retry-after")
            if not retry:
                raise Finding(
                    f"throttled after {len(statuses)} attempts, but without Retry-After",
                    env.curl(env.login_exchange, form),
                )
            return f"HTTP 429 after {len(statuses)} bad passwords, Retry-After: {retry}"
    raise Finding(
        f"{len(statuses)} bad passwords for one account were never throttled (statuses {sorted(set(statuses))})",
        env.curl(env.login_exchange, form),
    )


def _normalised(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in _VOLATILE}
    return body


def no_enumeration(env: Env) -> str:
    _live_probe(env)
    wrong = "contractgate-wrong-password"
    known: dict[str, str | None] = {"username": env.account.username, "password": wrong}
    unknown: dict[str, str | None] = {
        "username": f"contractgate-nobody-{uuid.uuid4().hex[:12]}@example.com",
        "password": wrong,
    }
    a, b = env.post(env.login_exchange, known), env.post(env.login_exchange, unknown)
    if a.status_code in (200, 201):
        raise Finding("a wrong password was accepted", env.curl(env.login_exchange, known))
    body_a, body_b = _normalised(a), _normalised(b)
    if a.status_code != b.status_code or body_a != body_b:
        shown_a = json.dumps(body_a, sort_keys=True)[:200] if not isinstance(body_a, str) else body_a[:200]
        shown_b = json.dumps(body_b, sort_keys=True)[:200] if not isinstance(body_b, str) else body_b[:200]
        raise Finding(
            f"a wrong password answers HTTP {a.status_code} {shown_a}; an unknown account answers "
            f"HTTP {b.status_code} {shown_b}",
            env.curl(env.login_exchange, unknown),
        )
    return f"both answered HTTP {a.status_code} with the same body"


CHECKS: tuple[tuple[str, str, Callable[[Env], str], Callable[[Issuer], Exchange | None]], ...] = (
    (
        "refresh-reuse-revokes-family",
        "a spent refresh token is refused, and with it its whole family (the next refresh token and its access token)",
        refresh_reuse,
        lambda i: i.refresh or i.login,
    ),
    (
        "revoked-is-inactive",
        "introspection answers active=false for a revoked access token",
        revoked_inactive,
        lambda i: i.introspection,
    ),
    (
        "brute-force-throttled",
        "repeated bad passwords for one account are refused with 429 and Retry-After",
        throttled,
        lambda i: i.login,
    ),
    (
        "no-account-enumeration",
        "a wrong password and an unknown account get the same status and body",
        no_enumeration,
        lambda i: i.login,
    ),
)


_BASES: dict[str, tuple[Basis, str]] = {
    "refresh-reuse-revokes-family": (Basis.STANDARD, "RFC 9700 §4.14.2 (refresh token rotation and reuse)"),
    "revoked-is-inactive": (Basis.STANDARD, "RFC 7009 §2; RFC 7662 §2.2 (active: false)"),
    "brute-force-throttled": (
        Basis.POLICY,
        "policy: online password guessing is slowed (OWASP ASVS V2.2.1)",
    ),
    "no-account-enumeration": (
        Basis.POLICY,
        "policy: a login does not tell which accounts exist (OWASP ASVS 2.2.1)",
    ),
}
for _name, _expectation, _check, _exchange in CHECKS:
    register(SUITE, _name, *_BASES[_name], _expectation)


def _outcome(env: Env | None, check: Callable[[Env], str], missing: str) -> tuple[Verdict, str, str | None]:
    if env is None:
        return Verdict.SKIPPED, missing, None
    try:
        return Verdict.PASS, check(env), None
    except Skip as exc:
        return Verdict.SKIPPED, str(exc), None
    except Finding as exc:
        return Verdict.FAIL, exc.observed, exc.reproduction


def run(ctx: RunContext, settings: Settings, forge: Forge) -> Iterator[Result]:
    """The issuer's own checks; each one reported, skipped with its reason when it cannot run."""
    issuer = ctx.credentials.issuer
    service = issuer.service if issuer is not None else "-"
    env: Env | None = None
    missing = ""
    if issuer is None:
        missing = "the contracts name no issuer (platform.yaml tokens.issuer)"
    elif not ctx.target.has(issuer.service):
        missing = f"the target has no {issuer.service}"
    else:
        try:
            env = Env(ctx, settings, forge, issuer, ctx.credentials.user(settings.account))
        except ConfigError as exc:
            missing = f"needs a user account: {exc}"
    for name, expectation, check, exchange_of in CHECKS:
        exchange = exchange_of(issuer) if issuer is not None else None
        op = env.operation(exchange) if env is not None else None
        label = op.label if op is not None else (f"POST {exchange.path}" if exchange else "issuer")
        verdict, observed, reproduction = _outcome(env, check, missing)
        yield Result(
            SUITE,
            service,
            label,
            name,
            expectation,
            ctx.redactor.text(observed),
            verdict,
            reproduction=reproduction,
            details={"attack": name},
        )
