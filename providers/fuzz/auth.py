"""Which genuine credential each operation is fuzzed with, handed to Schemathesis as an auth provider.

An operation's security requirements (from the spec's `x-token-kind` / `x-audiences` schemes) name what a
token must be; the first alternative some configured account or client can satisfy is used: a user token
of an account holding the required roles, or a service token of a client allowed the audience and
scopes. Public operations go unauthenticated; an operation nobody configured can satisfy is not run
(the suite reports it skipped, never passed).

Credentials go through Schemathesis' auth-provider mechanism rather than a fixed header, so Schemathesis
knows the request was authenticated on purpose: `ignored_auth` then replays it without (and with broken)
credentials and expects a refusal, and negative cases can drop the credential to test the 401.

Tokens are fresh per operation and never the run's cached ones: fuzzing a logout or revocation
operation revokes the token it was given, which must not leak into other operations or later suites.
When a token stops working (401), Schemathesis' reactive re-authentication asks for a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from providers.contract import Operation, Requirement
from providers.credentials import Token
from providers.errors import ContractgateError
from providers.fuzz.fatal import Fatal
from providers.suite import RunContext

if TYPE_CHECKING:
    from schemathesis.auths import AuthContext
    from schemathesis.generation.case import Case
    from schemathesis.schemas import BaseSchema

_BEARER_SCHEMES = {"oauth2", "openidconnect"}


@dataclass(frozen=True)
class Placement:
    """Where an operation's token goes: ("header", "Authorization", "Bearer {}"), ("query", "api_key", "{}")."""

    location: str
    name: str
    template: str


@dataclass
class Credential:
    """How one operation is authenticated: which requirement, which identity, where the token goes."""

    requirement: Requirement
    #: Human label for reports, e.g. "user token (member, aud=backend)".
    label: str
    placement: Placement
    fetch: Callable[[], Token]
    #: The token fetched while planning; handed out once, then fresh ones on demand.
    _first: Token | None = field(default=None, repr=False)

    def token(self) -> str:
        first, self._first = self._first, None
        return (first or self.fetch()).value


@dataclass(frozen=True)
class Unsatisfiable:
    reason: str


def _placement(scheme: Mapping[str, Any]) -> Placement | None:
    kind = str(scheme.get("type", "")).lower()
    if kind in _BEARER_SCHEMES or (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"):
        return Placement("header", "Authorization", "Bearer {}")
    if kind == "apikey" and scheme.get("in") in ("header", "query", "cookie") and scheme.get("name"):
        return Placement(str(scheme["in"]), str(scheme["name"]), "{}")
    return None


def _user(ctx: RunContext, requirement: Requirement) -> tuple[str, Callable[[], Token]] | str:
    accounts = [a for a in ctx.credentials.users if set(requirement.roles) <= set(a.roles)]
    if not accounts:
        roles = ", ".join(requirement.roles)
        return f"no configured user account has the role{'s' if len(requirement.roles) > 1 else ''} {roles}"
    account, audience = accounts[0], requirement.audiences[0]
    return (
        f"user token ({account.name}, aud={audience})",
        lambda: ctx.tokens.user(account.name, audience, fresh=True),
    )


def _service(ctx: RunContext, requirement: Requirement) -> tuple[str, Callable[[], Token]] | str:
    scopes = requirement.scopes
    for audience in requirement.audiences:
        if ctx.credentials.client_for(audience, scopes) is not None:

            def fetch(audience: str = audience) -> Token:
                token = ctx.tokens.service(audience, scopes, fresh=True)
                assert token is not None  # a client allowed to get it exists
                return token

            return f"service token (aud={audience}{', ' + ' '.join(scopes) if scopes else ''})", fetch
    wanted = f" with scope {' '.join(scopes)}" if scopes else ""
    return f"no configured service client may get a token for {' or '.join(requirement.audiences)}{wanted}"


def credential_for(
    ctx: RunContext, operation: Operation, schemes: Mapping[str, Any]
) -> Credential | Unsatisfiable | None:
    """The credential `operation` is fuzzed with; None for a public operation.

    `schemes` are the document's `components.securitySchemes` (where the token goes).

    Fetches the first token now, so that refused credentials stop the run as a configuration error
    before anything is fuzzed.
    """
    if operation.is_public:
        return None
    reasons = []
    for requirement in operation.requirements:
        placement = _placement(schemes.get(requirement.scheme, {}))
        if placement is None:
            reasons.append(f"scheme {requirement.scheme!r} does not carry a bearer token")
            continue
        found = _user(ctx, requirement) if requirement.kind == "user" else _service(ctx, requirement)
        if isinstance(found, str):
            reasons.append(found)
            continue
        label, fetch = found
        first = fetch()
        return Credential(requirement, label, placement, fetch=fetch, _first=first)
    return Unsatisfiable("; ".join(reasons))


def install(
    schema: BaseSchema, placements: Mapping[str, Placement], token: Callable[[str], str], fatal: Fatal
) -> None:
    """Register the per-operation credentials as `schema`'s Schemathesis auth provider.

    `placements` says where each protected operation's token goes; `token(label)` gets a genuine one for
    it (from this process's `Credential`s, or from the parent's through a worker's broker line).
    """

    class OperationCredentials:
        def get(self, case: Case, context: AuthContext) -> tuple[Placement, str] | None:
            label = context.operation.label
            placement = placements.get(label)
            if placement is None:
                return None
            try:
                return placement, token(label)
            except ContractgateError as error:
                fatal.record(error)
                raise

        def set(self, case: Case, data: tuple[Placement, str], context: AuthContext) -> None:
            placement, value = data
            value = placement.template.format(value)
            if placement.location == "header":
                case.headers[placement.name] = value
            elif placement.location == "query":
                case.query = {**(case.query or {}), placement.name: value}
            else:
                case.cookies = {**(case.cookies or {}), placement.name: value}

    # One cache entry per operation: a token revoked by one operation is never reused by another.
    schema.auth(cache_by_key=lambda case, context: context.operation.label)(OperationCredentials)
