"""What an attacker probes on the auth service itself: refresh reuse, revocation, throttling, enumeration.

Driven by the credentials' `TokenEndpoint` (where the token, revocation and introspection endpoints
are, the grant names and form fields) and by the auth specs (the statuses the token endpoint declares,
the introspection operation's security requirement). Each check is skipped, with the reason, when the
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

from providers.contract import Operation, all_operations
from providers.credentials import TokenEndpoint, UserAccount
from providers.errors import ConfigError
from providers.requests import Unavailable, bearer
from providers.results import Result, Verdict
from providers.suite import RunContext
from providers.tokens.material import Forge, identity_for
from providers.tokens.settings import Settings

SUITE = "tokens"
_FORM = "application/x-www-form-urlencoded"
#: Members of an error body that differ between any two answers (not a difference that leaks).
_VOLATILE = {"instance", "trace_id", "traceId", "request_id", "requestId", "timestamp", "time"}


class Failed(Exception):
    def __init__(self, observed: str, reproduction: str | None = None) -> None:
        super().__init__(observed)
        self.observed = observed
        self.reproduction = reproduction


class Skip(Exception):
    pass


@dataclass
class Env:
    ctx: RunContext
    settings: Settings
    forge: Forge
    endpoint: TokenEndpoint
    account: UserAccount

    def url(self, path: str) -> str:
        return self.ctx.target.service(self.endpoint.service).url(path)

    def operation(self, path: str | None) -> Operation | None:
        if not path:
            return None
        return next(
            (
                op
                for op in all_operations(self.ctx.specs)
                if op.service == self.endpoint.service and op.path == path and op.method == "POST"
            ),
            None,
        )

    def refusals(self, path: str) -> set[int]:
        """The 4xx statuses the operation declares for a refused request (400/401 when unknown)."""
        op = self.operation(path)
        declared = {int(s) for s in op.statuses if s.isdigit() and s.startswith("4")} if op else set()
        return (declared - {404, 405, 415, 422, 429}) or {400, 401}

    def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.ctx.http.request("POST", self.url(path), data=form, headers=headers or {})

    def curl(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> str:
        return self.ctx.redactor.curl(
            "POST", self.url(path), {"Content-Type": _FORM, **(headers or {})}, urlencode(form)
        )

    def password_form(self, username: str, password: str) -> dict[str, str]:
        return {
            "grant_type": self.endpoint.password_grant,
            self.endpoint.username_field: username,
            self.endpoint.password_field: password,
        }

    def login(self) -> dict[str, Any]:
        form = self.password_form(self.account.username, self.account.password)
        response = self.post(self.endpoint.path, form)
        if response.status_code != 200:
            raise Unavailable(
                f"the password grant for {self.account.name!r} answered HTTP {response.status_code}"
            )
        return self.tokens_of(response)

    def tokens_of(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = dict(response.json())
        except (ValueError, TypeError):
            return {}
        for name in (self.endpoint.token_field, self.endpoint.refresh_field):
            if isinstance(body.get(name), str):
                self.ctx.redactor.add(body[name])
        return body

    def refresh_form(self, refresh_token: str) -> dict[str, str]:
        return {"grant_type": self.endpoint.refresh_grant, self.endpoint.refresh_field: refresh_token}

    def introspect(self, token: str) -> bool | None:
        """Whether introspection reports `token` active; `Skip` when introspection cannot be used."""
        path = self.endpoint.introspection_path
        op = self.operation(path)
        if not path or op is None:
            raise Skip("no introspection endpoint is configured or declared")
        if not op.requirements:
            headers: list[tuple[str, str]] = []
        else:
            try:
                identity = identity_for(self.ctx, op.requirements[0], self.settings.account)
                headers = bearer(self.forge.genuine(identity).value)
            except Unavailable as exc:
                raise Skip(f"introspection needs {exc}") from None
        response = self.ctx.http.request(
            "POST", self.url(path), data={self.endpoint.token_param: token}, headers=headers
        )
        if response.status_code != 200:
            raise Skip(f"introspection answered HTTP {response.status_code}")
        try:
            return bool(response.json().get(self.endpoint.active_field))
        except (ValueError, AttributeError):
            raise Skip("introspection answered no JSON object") from None


def refresh_reuse(env: Env) -> str:
    endpoint = env.endpoint
    first = env.login()
    spent = first.get(endpoint.refresh_field)
    if not isinstance(spent, str):
        raise Skip("the password grant answers no refresh token")
    rotated = env.post(endpoint.path, env.refresh_form(spent))
    if rotated.status_code != 200:
        raise Skip(f"the refresh grant answered HTTP {rotated.status_code} to a fresh refresh token")
    second = env.tokens_of(rotated)
    current = second.get(endpoint.refresh_field)
    if not isinstance(current, str) or current == spent:
        raise Skip("refresh tokens do not rotate here (the refresh grant answered no new one)")
    refused = env.refusals(endpoint.path)
    reuse = env.post(endpoint.path, env.refresh_form(spent))
    if reuse.status_code not in refused:
        raise Failed(
            f"the spent refresh token was answered HTTP {reuse.status_code} (expected {sorted(refused)})",
            env.curl(endpoint.path, env.refresh_form(spent)),
        )
    after = env.post(endpoint.path, env.refresh_form(current))
    if after.status_code not in refused:
        raise Failed(
            f"after the reuse, the family's current refresh token still works (HTTP {after.status_code})",
            env.curl(endpoint.path, env.refresh_form(current)),
        )
    observed = f"reuse refused (HTTP {reuse.status_code}), the family's current refresh token too (HTTP {after.status_code})"
    access = second.get(endpoint.token_field)
    if isinstance(access, str):
        try:
            if env.introspect(access):
                raise Failed(
                    "after the reuse, the family's access token is still active (introspection)",
                    env.curl(endpoint.introspection_path or "", {endpoint.token_param: access}),
                )
            observed += ", and its access token inactive"
        except Skip:
            pass
    return observed


def revoked_inactive(env: Env) -> str:
    endpoint = env.endpoint
    if not endpoint.revocation_path:
        raise Skip("no revocation endpoint is configured")
    token = env.login().get(endpoint.token_field)
    if not isinstance(token, str):
        raise Skip("the password grant answered no access token")
    if not env.introspect(token):
        raise Failed("introspection says a genuine, fresh access token is not active")
    revoke = env.post(endpoint.revocation_path, {endpoint.token_param: token})
    if not 200 <= revoke.status_code < 300:
        raise Skip(f"the revocation endpoint answered HTTP {revoke.status_code}")
    if env.introspect(token):
        raise Failed(
            "introspection says a revoked access token is still active",
            env.curl(endpoint.introspection_path or "", {endpoint.token_param: token}),
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
    op = env.operation(env.endpoint.path)
    if op is not None and not op.declares(429):
        raise Skip(f"{op.label} declares no 429: the contract promises no throttling")
    if env.settings.throttle_account is not None:
        username = env.ctx.credentials.user(env.settings.throttle_account).username
    else:
        username = f"contractgate-probe-{uuid.uuid4().hex[:12]}@example.com"
    form = env.password_form(username, "contractgate-wrong-password")
    statuses = []
    for _ in range(env.settings.throttle_attempts):
        response = env.post(env.endpoint.path, form)
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry = response.headers.get("retry-after")
            if not retry:
                raise Failed(
                    f"throttled after {len(statuses)} attempts, but without Retry-After",
                    env.curl(env.endpoint.path, form),
                )
            return f"HTTP 429 after {len(statuses)} bad passwords, Retry-After: {retry}"
    raise Failed(
        f"{len(statuses)} bad passwords for one account were never throttled (statuses {sorted(set(statuses))})",
        env.curl(env.endpoint.path, form),
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
    known = env.password_form(env.account.username, "contractgate-wrong-password")
    unknown = env.password_form(
        f"contractgate-nobody-{uuid.uuid4().hex[:12]}@example.com", "contractgate-wrong-password"
    )
    a, b = env.post(env.endpoint.path, known), env.post(env.endpoint.path, unknown)
    if a.status_code == 200:
        raise Failed("a wrong password was accepted", env.curl(env.endpoint.path, known))
    body_a, body_b = _normalised(a), _normalised(b)
    if a.status_code != b.status_code or body_a != body_b:
        shown_a = json.dumps(body_a, sort_keys=True)[:200] if not isinstance(body_a, str) else body_a[:200]
        shown_b = json.dumps(body_b, sort_keys=True)[:200] if not isinstance(body_b, str) else body_b[:200]
        raise Failed(
            f"a wrong password answers HTTP {a.status_code} {shown_a}; an unknown account answers "
            f"HTTP {b.status_code} {shown_b}",
            env.curl(env.endpoint.path, unknown),
        )
    return f"both answered HTTP {a.status_code} with the same body"


CHECKS: tuple[tuple[str, str, Callable[[Env], str], Callable[[TokenEndpoint], str | None]], ...] = (
    (
        "refresh-reuse-revokes-family",
        "a spent refresh token is refused, and with it its whole family (the next refresh token and its access token)",
        refresh_reuse,
        lambda e: e.path,
    ),
    (
        "revoked-is-inactive",
        "introspection answers active=false for a revoked access token",
        revoked_inactive,
        lambda e: e.introspection_path,
    ),
    (
        "brute-force-throttled",
        "repeated bad passwords for one account are refused with 429 and Retry-After",
        throttled,
        lambda e: e.path,
    ),
    (
        "no-account-enumeration",
        "a wrong password and an unknown account get the same status and body",
        no_enumeration,
        lambda e: e.path,
    ),
)


def _outcome(env: Env | None, check: Callable[[Env], str], missing: str) -> tuple[Verdict, str, str | None]:
    if env is None:
        return Verdict.SKIPPED, f"needs a user account: {missing}", None
    try:
        return Verdict.PASS, check(env), None
    except (Skip, Unavailable) as exc:
        return Verdict.SKIPPED, str(exc), None
    except Failed as exc:
        return Verdict.FAIL, exc.observed, exc.reproduction


def run(ctx: RunContext, settings: Settings, forge: Forge) -> Iterator[Result]:
    endpoint = ctx.credentials.endpoint
    if not ctx.target.has(endpoint.service):
        return
    env: Env | None = None
    missing = ""
    try:
        env = Env(ctx, settings, forge, endpoint, ctx.credentials.user(settings.account))
    except ConfigError as exc:
        missing = str(exc)
    for name, expectation, check, path_of in CHECKS:
        path = path_of(endpoint) or endpoint.path
        op = env.operation(path) if env is not None else None
        verdict, observed, reproduction = _outcome(env, check, missing)
        yield Result(
            SUITE,
            endpoint.service,
            op.label if op is not None else f"POST {path}",
            name,
            expectation,
            ctx.redactor.text(observed),
            verdict,
            reproduction=reproduction,
            details={"attack": name},
        )
