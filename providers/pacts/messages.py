"""Synchronous-message interactions, verified by driving a real WebSocket connection to the provider.

The Pact verifier still does the comparing; what it compares is what the provider really sent.
The verifier asks a "message provider" — an HTTP endpoint — for each synchronous message; here that
endpoint is `RelayServer`, on loopback, relaying to the provider:

    verifier ──POST /state───▶ StateChanges ──POST──▶ provider's states URL  (answer kept, passed on;
                                                     without one: the declared setups, `changes`)
    verifier ──POST /message─▶ ChannelRelay ──ws───▶ provider's channel
                              (both through the run's guard: rate cap, budget, timeout)
                                 1. fill the request's ProviderState generators from the values
                                 2. open the channel: request metadata `Authorization` (and any
                                    other header-named key) are handshake headers,
                                    `Sec-WebSocket-Protocol` the offered subprotocols
                                 3. send the request body; return the server message that answers it
                                    (same correlation field, `id`) — or, for a request without a
                                    body (a handshake exchange), the first message the server sends
    verifier ◀──response───── the provider's own frame, compared with the pact's response

Why generators are filled here: the verifier hands a message provider the request as written in
the pact (generators unapplied) and keeps state-change answers to itself, so the relay stands in the
state-change path and fills `ProviderState` expressions —
`${token}` for the handshake credential, `${run_id}` or `${session_id}` in the body — exactly as
the verifier does for HTTP. Other generator kinds are left to their example values.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from pact import Verifier
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from providers.errors import ContractgateError
from providers.http import RequestGuard, TargetHttp
from providers.pacts.changes import HookStates, StateChangeFailed, StateChanger
from providers.pacts.http import VerifierRun, execute, scratch_pact, state_change_timeout
from providers.pacts.loopback import LoopbackServer, QuietHandler
from providers.pacts.sources import Interaction, PactDocument
from providers.target import ServiceTarget

_EXPRESSION = re.compile(r"\$\{([^}]+)\}")
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$")
_NOT_HEADERS = {"contentType", "Content-Type", "Sec-WebSocket-Protocol"}


class RelayError(Exception):
    """The relay could not obtain the provider's answer.

    `broken` is True when the provider could not be reached at all (an error of the run); otherwise
    the provider answered, just not as a consumer can use (a refused handshake, no reply, a state it
    could not set up): a contract failure.
    """

    def __init__(self, message: str, *, broken: bool = False) -> None:
        super().__init__(message)
        self.broken = broken


class StateChanges:
    """Passes the verifier's state changes on (to the target's hook, or to the declared setups) and
    keeps what the setups of the current interaction answered."""

    def __init__(self, changer: StateChanger) -> None:
        self.changer = changer
        self.values: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._tearing_down = False

    def change(self, state: str, action: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        with self._lock:
            if action == "setup" and self._tearing_down:
                self.values.clear()  # a new interaction begins
                self._tearing_down = False
            if action == "teardown":
                self._tearing_down = True
            if not state:  # Pact's "no state"
                return {}
            try:
                answer = self.changer.change(state, action, params)  # a guard refusal stops the run
            except StateChangeFailed as exc:
                raise RelayError(str(exc)) from None
            if action == "setup":
                self.values.update(answer)
            return answer


def _fill(expression: str, values: Mapping[str, Any]) -> Any:
    missing = [name for name in _EXPRESSION.findall(expression) if name not in values]
    if missing:
        known = ", ".join(sorted(values)) or "none"
        raise RelayError(f"provider state gave no value for {', '.join(missing)} (it gave: {known})")
    whole = _EXPRESSION.fullmatch(expression)
    if whole:
        return values[whole.group(1)]  # a lone expression keeps the value's JSON type
    return _EXPRESSION.sub(lambda m: str(values[m.group(1)]), expression)


def _segments(path: str) -> list[str | int]:
    """`$.payload.run_id`, `$.items[0]`, `$['a-b']` → ["payload", "run_id"] …"""
    segments: list[str | int] = []
    for dotted, quoted, index in re.findall(r"\.([^.\[\]]+)|\['([^']+)'\]|\[(\d+)\]", path.removeprefix("$")):
        segments.append(int(index) if index else (dotted or quoted))
    return segments


def apply_provider_state(
    document: Any, generators: Mapping[str, Any] | None, values: Mapping[str, Any]
) -> Any:
    """`document` with each `ProviderState` generator's path set to its filled expression."""
    for path, generator in (generators or {}).items():
        if not isinstance(generator, dict) or generator.get("type") != "ProviderState":
            continue
        value = _fill(str(generator.get("expression", "")), values)
        segments = _segments(path) if path.startswith("$") else [path]
        if not segments:
            document = value
            continue
        parent = document
        for segment in segments[:-1]:
            parent = parent[segment]
        parent[segments[-1]] = value
    return document


class ChannelRelay:
    """Produces each reply the verifier asks for: one WebSocket conversation with the provider."""

    def __init__(
        self,
        ws_url: str,
        channel: str,
        states: StateChanges | None,
        guard: RequestGuard,
        *,
        correlation: str = "id",
        timeout: float = 5.0,
    ) -> None:
        self.url = ws_url.rstrip("/") + channel
        self.states = states
        self.guard = guard
        self.correlation = correlation
        self.timeout = timeout
        #: Interaction description → why the relay could not produce its reply.
        self.failures: dict[str, RelayError] = {}

    def produce(self, description: str, request: Mapping[str, Any]) -> tuple[bytes, dict[str, Any]]:
        """The provider's reply to `request` and the reply's metadata; failures are also recorded."""
        try:
            return self._produce(dict(request))
        except RelayError as exc:
            self.failures[description] = exc
            raise
        except (KeyError, IndexError, TypeError, ValueError) as exc:  # a request the relay cannot read
            failure = RelayError(
                f"the relay could not build the request: {type(exc).__name__}: {exc}", broken=True
            )
            self.failures[description] = failure
            raise failure from None

    def _produce(self, request: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
        values = self.states.values if self.states else {}
        generators = request.get("generators") or {}
        contents = request.get("contents") or {}
        body = contents.get("content")
        if isinstance(body, str) and body and contents.get("contentType", "").endswith("json"):
            body = json.loads(body)
        body = apply_provider_state(body, generators.get("body"), values)
        meta = apply_provider_state(dict(request.get("metadata") or {}), generators.get("metadata"), values)
        frame, subprotocol = self.converse(body, meta)
        reply: dict[str, Any] = {"contentType": "application/json"}
        if subprotocol:
            reply["subprotocol"] = subprotocol
        return frame, reply

    def converse(self, body: Any, metadata: Mapping[str, Any]) -> tuple[bytes, str | None]:
        headers = {k: str(v) for k, v in metadata.items() if k not in _NOT_HEADERS and _HEADER_NAME.match(k)}
        offered = str(metadata.get("Sec-WebSocket-Protocol") or "")
        subprotocols: list[Any] | None = [p.strip() for p in offered.split(",") if p.strip()] or None
        wanted = body.get(self.correlation) if isinstance(body, dict) else None
        seen: list[str] = []
        self.guard.acquire(f"WS {self.url}")  # a connection counts, and waits for the rate cap
        try:
            with connect(
                self.url,
                additional_headers=headers,
                subprotocols=subprotocols,
                open_timeout=self.timeout,
                close_timeout=1,
            ) as socket:
                if body is None:
                    return _bytes(socket.recv(timeout=self.timeout)), socket.subprotocol
                socket.send(body if isinstance(body, str) else json.dumps(body))
                while True:
                    frame = socket.recv(timeout=self.timeout)
                    try:
                        message = json.loads(frame)
                    except ValueError:
                        message = None
                    if wanted is None or (
                        isinstance(message, dict) and message.get(self.correlation) == wanted
                    ):
                        return _bytes(frame), socket.subprotocol
                    seen.append(str(message.get("type")) if isinstance(message, dict) else "non-JSON frame")
        except InvalidStatus as exc:
            status = exc.response.status_code
            text = (exc.response.body or b"").decode("utf-8", "replace")[:300]
            raise RelayError(f"the handshake to {self.url} was refused with HTTP {status}: {text}") from None
        except TimeoutError:
            awaited = f"a reply with {self.correlation}={wanted!r}" if body is not None else "a first message"
            raise RelayError(
                f"no {awaited} from {self.url} within {self.timeout:g}s (received: {', '.join(seen) or 'nothing'})"
            ) from None
        except (WebSocketException, OSError) as exc:
            raise RelayError(
                f"the connection to {self.url} failed: {type(exc).__name__}: {exc}", broken=True
            ) from None


def _bytes(frame: str | bytes) -> bytes:
    return frame.encode("utf-8") if isinstance(frame, str) else frame


class RelayServer(LoopbackServer):
    """The message provider the verifier talks to, on loopback: `/state` and `/message`."""

    def __init__(self, relay: ChannelRelay, states: StateChanges | None) -> None:
        super().__init__(_RelayHandler, "pact-channel-relay")
        self.relay = relay
        self.states = states
        #: The first refusal of the run's guard (budget spent, target down), re-raised after the verifier.
        self.guard_error: ContractgateError | None = None

    @property
    def state_url(self) -> str:
        return f"{self.url}/state"


class _RelayHandler(QuietHandler):
    def _answer(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        owner: RelayServer = self.owner
        try:
            data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path == "/state":
                answer = (
                    owner.states.change(
                        data.get("state", ""), data.get("action", "setup"), data.get("params")
                    )
                    if owner.states
                    else {}
                )
                self._answer(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})
            elif self.path == "/message":
                frame, metadata = owner.relay.produce(
                    str(data.get("description", "")), data.get("request") or {}
                )
                encoded = base64.b64encode(json.dumps(metadata).encode()).decode()
                headers = {"Content-Type": "application/json", "Pact-Message-Metadata": encoded}
                self._answer(200, frame, headers)
            else:
                self._answer(404, b"", {})
        except RelayError as exc:
            self._answer(500, str(exc).encode(), {"Content-Type": "text/plain"})
        except ContractgateError as exc:
            owner.guard_error = owner.guard_error or exc
            self._answer(502, str(exc).encode(), {"Content-Type": "text/plain"})


def verify_messages(
    pact: PactDocument,
    interactions: list[Interaction],
    service: ServiceTarget,
    http: TargetHttp,
    *,
    channel: str,
    correlation: str = "id",
    timeout: float = 10.0,
    changer: StateChanger | None = None,
) -> tuple[VerifierRun, dict[str, RelayError]]:
    """Verify synchronous-message `interactions` of `pact` over a real WebSocket to `service`.

    Returns the verifier's run and, per interaction description, why the relay failed (if it did).
    State changes go to `changer` (default: the service's provider-state hook, when it has one);
    they and the connections go through the run's guard (`http`); its refusal is raised here.
    """
    if changer is None and service.states_url:
        changer = HookStates(service.states_url, http)
    states = StateChanges(changer) if changer is not None else None
    relay = ChannelRelay(
        service.ws_url, channel, states, http.guard, correlation=correlation, timeout=min(timeout, 5.0)
    )
    with RelayServer(relay, states) as server, scratch_pact(pact, interactions) as path:
        verifier = Verifier(pact.provider, host="127.0.0.1")
        verifier.add_transport(protocol="message", port=server.port, path="/message")
        verifier.set_request_timeout(int(state_change_timeout(timeout, changer) * 1000))
        if states is not None:
            verifier.state_handler(server.state_url, teardown=True, body=True)
        verifier.add_source(path)
        run = execute(verifier)
    if server.guard_error is not None:
        raise server.guard_error
    return run, relay.failures
