"""Bearer authentication for Starlette and the authorization checks endpoints ask for.

The backend never rejects by itself: a request without a valid token reaches the endpoint as an
`Anonymous` user carrying the reason, so that public endpoints (token, JWKS, health) ignore a bad
header while protected ones answer 401 with RFC 6750's `WWW-Authenticate`. Authorization is then a
call in the endpoint — `require_user(request, roles=...)`, `require_service(request, scopes=...)` —
so each endpoint shows its own rule.
"""

from __future__ import annotations

import re

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from stubs.peers import PeerUnavailable
from stubs.problems import Problem
from stubs.tokens import AccessTokenValidator, Principal, TokenRejected

_BEARER = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)$")
SUBPROTOCOL_PREFIX = "bearer."


class Authenticated(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.subject


class Anonymous(BaseUser):
    """No usable credentials; `reason` is None when none were sent at all.

    `unavailable` means the token could not be checked (the auth service did not answer): that is
    the service's fault, a 503, not the caller's.
    """

    def __init__(self, reason: str | None, *, unavailable: bool = False) -> None:
        self.reason = reason
        self.unavailable = unavailable

    @property
    def is_authenticated(self) -> bool:
        return False


def bearer_token(conn: HTTPConnection) -> str | None:
    """The raw token from `Authorization: Bearer`, or for WebSockets from `bearer.<jwt>` subprotocols.

    Raises `TokenRejected` for a header that is present but not exactly one well-formed bearer token.
    (Read from the raw ASGI headers, whose names servers give in lower case: this runs on every request.)
    """
    headers = [value for name, value in conn.scope["headers"] if name == b"authorization"]
    if len(headers) > 1:
        raise TokenRejected("more than one Authorization header")
    if headers:
        match = _BEARER.match(headers[0].decode("latin-1"))
        if match is None:
            raise TokenRejected("malformed Authorization header")
        return match.group(1)
    if conn.scope["type"] == "websocket":
        offered = [p.strip() for p in conn.headers.get("sec-websocket-protocol", "").split(",")]
        tokens = [p[len(SUBPROTOCOL_PREFIX) :] for p in offered if p.startswith(SUBPROTOCOL_PREFIX)]
        if len(tokens) > 1:
            raise TokenRejected("more than one bearer subprotocol")
        if tokens:
            if not re.fullmatch(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*", tokens[0]):
                raise TokenRejected("malformed bearer subprotocol")
            return tokens[0]
    return None


class BearerBackend(AuthenticationBackend):
    def __init__(self, validator: AccessTokenValidator) -> None:
        self.validator = validator

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        try:
            token = bearer_token(conn)
            if token is None:
                return AuthCredentials(), Anonymous(None)
            principal = await self.validator.validate(token)
        except TokenRejected as exc:
            return AuthCredentials(), Anonymous(exc.reason)
        except PeerUnavailable:
            # Cannot tell whether the token is good: refuse, but say it is our fault.
            return AuthCredentials(), Anonymous("token could not be checked", unavailable=True)
        return AuthCredentials(sorted(principal.scopes)), Authenticated(principal)


def authenticated(conn: HTTPConnection, realm: str) -> Principal:
    """The caller's principal, or a 401 problem saying why not."""
    user = conn.scope.get("user")
    if isinstance(user, Authenticated):
        return user.principal
    reason = user.reason if isinstance(user, Anonymous) else None
    if isinstance(user, Anonymous) and user.unavailable:
        raise Problem(503, "the auth service could not be reached", headers={"Retry-After": "1"})
    challenge = f'Bearer realm="{realm}"'
    if reason is not None:
        challenge += f', error="invalid_token", error_description="{reason}"'
    raise Problem(
        401,
        reason or "a bearer token is required",
        kind="unauthorized",
        headers={"WWW-Authenticate": challenge},
    )


def require_user(conn: HTTPConnection, realm: str, *, roles: tuple[str, ...] = ()) -> Principal:
    principal = authenticated(conn, realm)
    if principal.kind != "user":
        raise Problem(403, "a user token is required", kind="forbidden")
    missing = [r for r in roles if r not in principal.roles]
    if missing:
        raise Problem(403, f"requires role {', '.join(missing)}", kind="forbidden")
    return principal


def require_service(conn: HTTPConnection, realm: str, *, scopes: tuple[str, ...] = ()) -> Principal:
    principal = authenticated(conn, realm)
    missing = [s for s in scopes if s not in principal.scopes]
    if principal.kind != "service" or missing:
        needed = " ".join(scopes)
        raise Problem(
            403,
            f"requires a service token with scope {needed}" if scopes else "a service token is required",
            kind="insufficient-scope",
            headers={
                "WWW-Authenticate": f'Bearer realm="{realm}", error="insufficient_scope", scope="{needed}"'
            },
        )
    return principal
