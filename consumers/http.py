"""The one HTTP plumbing the consumers' clients share: a base URL, a bearer token, problem errors.

`ApiClient` owns an `httpx.Client` (or borrows one), sends `Accept: application/json`, adds
`Authorization: Bearer …` when a call passes a token, and turns error answers into
`consumers.errors` exceptions. Parsing of success bodies stays in each client, next to its types.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any, Self

import httpx

from consumers.errors import raise_for_problem


def parse_time(value: str) -> datetime:
    """An RFC 3339 timestamp as the APIs write it (`…Z` or an offset)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class ApiClient:
    def __init__(self, base_url: str, *, http: httpx.Client | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._owned = http is None
        self._http = http or httpx.Client(timeout=timeout, trust_env=False)

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self._http.request(method, self.base_url + path, headers=headers, **kwargs)
        raise_for_problem(response)
        return response

    def close(self) -> None:
        if self._owned:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
