"""Deprecation signals on every response of a deprecated major version.

RFC 9745 `Deprecation` (a structured-field date, `@<epoch>`), RFC 8594 `Sunset` (an HTTP-date) and a
`Link` to the successor version (RFC 5829 `successor-version`). Added by ASGI middleware so that every
v1 answer carries them — errors, 404s and 422s included — not only the handlers that remember to.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


class DeprecationHeaders:
    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        deprecated_at: int,
        sunset_at: int,
        successor: Callable[[str], str],
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.deprecation = f"@{deprecated_at}"
        self.sunset = http_date(sunset_at)
        self.successor = successor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        link = f'<{self.successor(scope["path"])}>; rel="successor-version"'

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Deprecation"] = self.deprecation
                headers["Sunset"] = self.sunset
                headers.append("Link", link)
            await send(message)

        await self.app(scope, receive, send_with_headers)
