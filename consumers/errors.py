"""What a consumer sees when a provider says no: RFC 9457 problem details as typed exceptions.

Consumers branch on these, so the pacts pin the statuses and headers they rely on:

ApiError                  any 4xx/5xx answer; `status`, `problem` (the parsed body, or {})
├── BadRequest            400 (OAuth errors carry `error`, e.g. invalid_grant)
├── Unauthorized          401; `challenge` is the WWW-Authenticate header (expired, revoked, missing)
├── Forbidden             403
├── NotFound              404 (another tenant's resource included: it does not exist for us)
├── Conflict              409 (a run already in progress)
├── ValidationFailed      422; `errors` lists `{location, message}`
├── RateLimited           429; `retry_after` seconds from Retry-After
└── Unavailable           503; `retry_after` when given
"""

from __future__ import annotations

from typing import Any

import httpx


class ApiError(Exception):
    def __init__(self, status: int, problem: dict[str, Any], headers: httpx.Headers) -> None:
        self.status = status
        self.problem = problem
        self.headers = headers
        detail = problem.get("detail") or problem.get("title") or f"HTTP {status}"
        super().__init__(f"{status}: {detail}")

    @property
    def title(self) -> str:
        return str(self.problem.get("title", ""))

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail", ""))


class BadRequest(ApiError):
    @property
    def error(self) -> str | None:
        """The OAuth 2 error code (RFC 6749 §5.2), when the provider gave one."""
        value = self.problem.get("error")
        return str(value) if value else None


class Unauthorized(ApiError):
    @property
    def challenge(self) -> str:
        return self.headers.get("www-authenticate", "")


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class ValidationFailed(ApiError):
    @property
    def errors(self) -> list[dict[str, str]]:
        return [dict(e) for e in self.problem.get("errors", []) if isinstance(e, dict)]


def _seconds(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RateLimited(ApiError):
    @property
    def retry_after(self) -> int | None:
        return _seconds(self.headers.get("retry-after"))


class Unavailable(ApiError):
    @property
    def retry_after(self) -> int | None:
        return _seconds(self.headers.get("retry-after"))


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
    429: RateLimited,
    503: Unavailable,
}


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the `ApiError` subclass for an error answer; do nothing for 1xx–3xx."""
    if response.status_code < 400:
        return
    problem: dict[str, Any] = {}
    if response.content:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            problem = body
    raise _BY_STATUS.get(response.status_code, ApiError)(response.status_code, problem, response.headers)
