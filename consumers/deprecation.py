"""What the legacy mobile app reads from every v1 answer: how long v1 will last.

v1 answers carry `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and a `successor-version` Link; both v1
clients keep the last one seen (`last_deprecation`) so the app can nag users before the sunset date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from consumers.http import ApiClient

_SUCCESSOR = re.compile(r'<([^>]+)>\s*;\s*rel="successor-version"')


@dataclass(frozen=True)
class Deprecation:
    """What a v1 answer says about v1's end (RFC 9745 Deprecation, RFC 8594 Sunset, successor Link)."""

    deprecated_at: int
    sunset: str
    successor: str | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> Deprecation | None:
        value = headers.get("deprecation", "")
        if not value.startswith("@"):
            return None
        link = _SUCCESSOR.search(headers.get("link", ""))
        sunset = headers.get("sunset", "")
        parsedate_to_datetime(sunset)  # a malformed date is a broken contract: fail loudly
        return cls(int(value[1:]), sunset, link.group(1) if link else None)


class DeprecatedApiClient(ApiClient):
    """An `ApiClient` of a deprecated API: remembers the deprecation headers of every answer, errors too."""

    last_deprecation: Deprecation | None = None

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = super().request(method, path, token=token, **kwargs)
        except Exception as exc:
            headers = getattr(exc, "headers", None)
            if headers is not None:
                self.last_deprecation = Deprecation.from_headers(headers)
            raise
        self.last_deprecation = Deprecation.from_headers(response.headers)
        return response
