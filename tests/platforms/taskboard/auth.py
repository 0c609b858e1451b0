"""Sign-in and bearer authentication: `POST /api/session` (an HTML-form login answering a JWT) and the
dependency every protected operation uses.

Tokens are HS256 JWTs with `iss`, `aud`, `sub` (the user id), `iat` and `exp`; nothing else is kept on
the server (no refresh, no revocation, no introspection). Three planted faults weaken verification the
way careless code does: decoding without checking the signature (so any key, or `alg: none`, passes),
skipping the audience, skipping the expiry; each leaves the other checks on.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Form, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tests.platforms.taskboard.models import Problem, Session
from tests.platforms.taskboard.settings import Settings
from tests.platforms.taskboard.store import Store, UserRow

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
            "WWW-Authenticate": {"description": "The Bearer challenge (RFC 6750 §3)", "schema": {"type": "string"}}
        },
    }
}


class InvalidToken(Exception):
    """A token this deployment does not accept."""


def issue_token(settings: Settings, user: UserRow) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": str(user.id),
        "iat": now,
        "exp": now + settings.token_lifetime,
    }
    return jwt.encode(claims, settings.secret, algorithm="HS256")


def authenticate(settings: Settings, store: Store, token: str) -> UserRow:
    """The user a token names, or `InvalidToken`."""
    try:
        claims = jwt.decode(
            token,
            settings.secret,
            algorithms=["HS256"],
            audience=settings.audience,
            issuer=settings.issuer,
            options={
                "require": ["iss", "aud", "sub", "iat", "exp"],
                # Each planted fault switches off one check and leaves the others on.
                "verify_signature": not settings.has("signature-not-verified"),
                "verify_aud": not settings.has("audience-not-checked"),
                "verify_exp": not settings.has("expiry-not-checked"),
            },
        )
        user = store.users.get(int(claims["sub"]))
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from None
    if user is None:
        raise InvalidToken("unknown subject")
    return user


def challenge(detail: str, error: str | None = None) -> HTTPException:
    value = f'Bearer realm="taskboard", error="{error}"' if error else 'Bearer realm="taskboard"'
    return HTTPException(401, detail, headers={"WWW-Authenticate": value})


CurrentUser = Callable[[HTTPAuthorizationCredentials | None], Awaitable[UserRow]]


def current_user_dependency(settings: Settings, store: Store) -> CurrentUser:
    async def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> UserRow:
        if credentials is None:
            raise challenge("not authenticated")
        try:
            return authenticate(settings, store, credentials.credentials)
        except InvalidToken:
            raise challenge("invalid or expired token", "invalid_token") from None

    return current_user


def session_router(settings: Settings, store: Store) -> APIRouter:
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
        user = store.user_by_email(email)
        known = user.account.password if user else ""
        if user is None or not hmac.compare_digest(known.encode(), password.encode()):
            raise challenge("unknown e-mail or wrong password")
        return Session(token=issue_token(settings, user), token_type="Bearer", expires_in=settings.token_lifetime)

    return router
