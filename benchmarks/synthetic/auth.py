"""Who may call the synthetic platform: its accounts, its form login and its HS256 bearer tokens.

`POST /api/session` takes an HTML form (`email`, `password`) and answers `{"token", "token_type",
"expires_in"}`; the token is an HS256 JWT with `iss`, `aud`, `sub` (the user id), `iat` and `exp`, all
required. A missing, malformed, badly signed, expired, wrong-audience or wrong-issuer token, or one naming
an unknown user, is 401 with a Bearer challenge (RFC 6750 §3). Nothing else is kept on the server.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Form, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from benchmarks.synthetic.models import Problem, Session


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class User:
    id: int
    account: Account


@dataclass(frozen=True)
class Settings:
    accounts: tuple[Account, ...]
    #: The HS256 key (at least 32 bytes, as RFC 7518 §3.2 asks).
    secret: str = "synthetic-benchmark-secret-0123456789"
    issuer: str = "https://login.synthetic.test"
    audience: str = "synthetic-api"
    token_lifetime: int = 900


#: Benchmark data: two ordinary users, so that another user's resources can be asked for.
ACCOUNTS = (
    Account("ada@synthetic.test", "ada-correct-horse", "Ada"),
    Account("brian@synthetic.test", "brian-battery-staple", "Brian"),
)

bearer = HTTPBearer(
    scheme_name="BearerToken",
    bearerFormat="JWT",
    description="The `token` answered by `POST /api/session`.",
    auto_error=False,
)

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": Problem,
        "description": "No bearer token, or one that is malformed, badly signed, expired or not for this API",
        "headers": {
            "WWW-Authenticate": {
                "description": "The Bearer challenge (RFC 6750 §3)",
                "schema": {"type": "string"},
            }
        },
    }
}

CurrentUser = Callable[[HTTPAuthorizationCredentials | None], Awaitable[User]]


def challenge(detail: str, error: str | None = None) -> HTTPException:
    value = f'Bearer realm="synthetic", error="{error}"' if error else 'Bearer realm="synthetic"'
    return HTTPException(401, detail, headers={"WWW-Authenticate": value})


class Auth:
    """The accounts as users (ids from 1), the login router and the current-user dependency."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.users = {index: User(index, account) for index, account in enumerate(settings.accounts, start=1)}

    def issue(self, user: User) -> str:
        now = int(time.time())
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(user.id),
            "iat": now,
            "exp": now + self.settings.token_lifetime,
        }
        return jwt.encode(claims, self.settings.secret, algorithm="HS256")

    def authenticate(self, token: str) -> User | None:
        try:
            claims = jwt.decode(
                token,
                self.settings.secret,
                algorithms=["HS256"],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                options={"require": ["iss", "aud", "sub", "iat", "exp"]},
            )
            return self.users.get(int(claims["sub"]))
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            return None

    def dependency(self) -> CurrentUser:
        async def current_user(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
        ) -> User:
            if credentials is None:
                raise challenge("not authenticated")
            user = self.authenticate(credentials.credentials)
            if user is None:
                raise challenge("invalid or expired token", "invalid_token")
            return user

        return current_user

    def router(self) -> APIRouter:
        router = APIRouter(tags=["session"])

        @router.post(
            "/api/session",
            response_model=Session,
            summary="Sign in with e-mail and password",
            responses={
                400: {"model": Problem, "description": "The form could not be parsed"},
                401: {**UNAUTHORIZED[401], "description": "Unknown e-mail or wrong password"},
            },
        )
        async def sign_in(
            email: Annotated[str, Form(min_length=3, max_length=254)],
            password: Annotated[str, Form(min_length=1, max_length=128)],
        ) -> Session:
            user = next((u for u in self.users.values() if u.account.email == email), None)
            known = user.account.password if user else ""
            if user is None or not hmac.compare_digest(known.encode(), password.encode()):
                raise challenge("unknown e-mail or wrong password")
            return Session(
                token=self.issue(user), token_type="Bearer", expires_in=self.settings.token_lifetime
            )

        return router
