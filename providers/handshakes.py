"""WebSocket handshakes with any credential, judged against the AsyncAPI channel's `x-handshake`.

The `tokens` and `crossauth` suites present credentials at the WebSocket upgrade the way they present
them to HTTP operations: exactly as given — no header, a malformed one, two of them, a token in the
`Authorization` header or in the `bearer.<jwt>` subprotocol. The rules come from the contract through
`providers.websocket.contract.WsContract` (the websocket suite's reading of the document): the channel
address, how a token is presented, the refusal status of a bad token (`refused-status`) and of a
valid token that may not connect (`forbidden-status`), and the close code a server without HTTP
denial support uses instead (`x-close-codes.handshake-refused`).

Every attempt counts against the run's request budget and rate cap, is bounded by timeouts, and is
closed at once. A server that does not answer at all raises `TargetUnreachable`.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from providers.errors import ContractError, TargetUnreachable
from providers.redact import Redactor
from providers.suite import RunContext
from providers.websocket.contract import Handshake, WsContract


@dataclass(frozen=True)
class Channel:
    """The target's WebSocket channel: where it is and how its handshake is authenticated."""

    service: str
    url: str
    operation: str
    handshake: Handshake
    #: The close code of `x-close-codes.handshake-refused`, when the contract declares one.
    refused_close: int | None

    def header_credential(self, token: str) -> list[tuple[str, str]]:
        return [(self.handshake.header, f"{self.handshake.scheme} {token}")]

    def subprotocols_for(self, token: str) -> list[str]:
        offered = [self.handshake.subprotocol] if self.handshake.subprotocol else []
        return [*offered, f"{self.handshake.token_prefix or ''}{token}"]

    @property
    def takes_subprotocol(self) -> bool:
        return "subprotocol" in self.handshake.methods and bool(self.handshake.token_prefix)

    @property
    def takes_query(self) -> bool:
        return "query" in self.handshake.methods and bool(self.handshake.query)

    def query_url(self, token: str) -> str:
        """The channel's URL with the token in the query parameter the contract names."""
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{urlencode({self.handshake.query or 'token': token})}"


def channel_of(ctx: RunContext, name: str | None = None) -> Channel | str:
    """The channel the AsyncAPI document declares, or why there is none to test on this target."""
    if ctx.asyncapi is None:
        return "no AsyncAPI document among the contracts"
    try:
        contract = WsContract(ctx.asyncapi, name)
    except ContractError as exc:
        return f"the AsyncAPI document cannot be read: {exc}"
    if not ctx.target.has(contract.service):
        return f"the target has no {contract.service}"
    service = ctx.target.service(contract.service)
    close = contract.close_code("handshake-refused")
    return Channel(
        service=contract.service,
        url=service.ws_url + contract.pathname + contract.address,
        operation=f"ws {contract.address}",
        handshake=contract.handshake,
        refused_close=close.code if close else None,
    )


@dataclass(frozen=True)
class Answer:
    """What answered an upgrade: an HTTP refusal, an accepted socket, or a connection that failed."""

    accepted: bool
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: The close code when an accepted socket was closed before it sent anything.
    close_code: int | None = None
    #: The handshake failed without an HTTP status (the server dropped it).
    failed: str | None = None

    def describe(self) -> str:
        if self.failed is not None:
            return f"the handshake failed without an HTTP answer ({self.failed})"
        if not self.accepted:
            detail = ""
            try:
                body = json.loads(self.body)
                detail = f" ({body.get('detail') or body.get('title')})" if isinstance(body, dict) else ""
            except ValueError:
                pass
            return f"refused with HTTP {self.status}{detail}"
        if self.close_code is not None:
            return f"accepted, then closed with {self.close_code} before any message"
        return "accepted"

    def refused_with(self, channel: Channel, statuses: Sequence[int]) -> bool:
        if self.accepted:
            return self.close_code is not None and self.close_code == channel.refused_close
        return self.status in statuses


async def _attempt(
    url: str,
    headers: Sequence[tuple[str, str]],
    subprotocols: Sequence[str],
    timeout: float,
    silence_ok: bool,
) -> Answer:
    options: dict[str, Any] = {
        "proxy": None,
        "open_timeout": timeout,
        "close_timeout": 1,
        "ping_interval": None,
        "user_agent_header": "contractgate",
        "additional_headers": list(headers),
    }
    if subprotocols:
        options["subprotocols"] = [Subprotocol(p) for p in subprotocols]
    try:
        socket = await connect(url, **options)
    except InvalidStatus as exc:
        response = exc.response
        return Answer(
            accepted=False,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.raw_items()},
            body=bytes(response.body or b""),
        )
    except InvalidHandshake as exc:
        return Answer(accepted=False, failed=str(exc) or type(exc).__name__)
    except TimeoutError as exc:
        if silence_ok:
            return Answer(accepted=False, failed=f"no answer within {timeout:g} s")
        raise TargetUnreachable(url, str(exc) or type(exc).__name__) from None
    except OSError as exc:
        raise TargetUnreachable(url, str(exc) or type(exc).__name__) from None
    try:
        await asyncio.wait_for(socket.recv(), timeout)
    except ConnectionClosed as exc:
        return Answer(accepted=True, close_code=exc.rcvd.code if exc.rcvd is not None else 1006)
    except TimeoutError:
        pass  # accepted and silent: still accepted
    finally:
        await socket.close()
    return Answer(accepted=True)


def attempt(
    ctx: RunContext,
    channel: Channel,
    headers: Sequence[tuple[str, str]] = (),
    subprotocols: Sequence[str] = (),
    *,
    timeout: float = 5.0,
    silence_ok: bool = False,
    url: str | None = None,
) -> Answer:
    """One upgrade with exactly these headers and offered subprotocols (to `url`: the channel's URL with a
    query token); the socket is closed again.

    A server that does not answer the upgrade within `timeout` is unreachable — unless `silence_ok`
    (a request it may drop unanswered, such as one with oversized headers).
    """
    ctx.http.guard.acquire(f"WS {channel.url}")
    return asyncio.run(_attempt(url or channel.url, headers, subprotocols, timeout, silence_ok))


def reproduction(
    redactor: Redactor,
    channel: Channel,
    headers: Sequence[tuple[str, str]],
    subprotocols: Sequence[str],
    url: str | None = None,
) -> str:
    """A `websocat` command replaying the upgrade, secrets redacted."""
    parts = ["websocat"]
    for name, value in headers:
        parts += ["-H", shlex.quote(f"{name}: {redactor.header(name, value)}")]
    if subprotocols:
        offered = redactor.header("Sec-WebSocket-Protocol", ", ".join(subprotocols))
        parts += ["--protocol", shlex.quote(offered)]
    parts.append(shlex.quote(redactor.text(url or channel.url)))
    return " ".join(parts)
