"""What every pact definition shares: matchers, provider-state values, and the harness that runs them.

Matchers say what a consumer relies on and no more: a JWT's shape, a UUID, an RFC 3339 timestamp,
a type. Credentials and ids come from provider states (`from_state`): the pact carries an example
for the consumer test and a `ProviderState` generator whose expression the verifier fills with the
values the provider's state-change answer gives (`${token}`, `${thread_id}` …), so the same pact
verifies against any provider that implements the states, not one that trusts literal examples.

`PactWriter.pact(consumer, provider)` gives a fresh `Pact` per interaction (pact-python's mock server
serves every interaction of a `Pact`, so one interaction per mock keeps requests unambiguous) and
merges it into `<consumer>-<provider>.json` afterwards. HTTP interactions are exercised with the
consumer's client against `serve_http(pact)`; synchronous messages against `serve_channel(pact)`, a
WebSocket mock that plays the pact's exchange to the real `consumers.realtime` client.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from pact import Pact, generate, match
from pact.interaction import HttpInteraction
from pact.match.matcher import AbstractMatcher, GenericMatcher
from websockets.sync.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

#: Example values. They only have to be plausible: a verifier sends the provider's own values.
EXAMPLE_JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImV4YW1wbGUiLCJ0eXAiOiJhdCtqd3QifQ"
    ".eyJzdWIiOiJleGFtcGxlIiwiYXVkIjoiYmFja2VuZCJ9.ZXhhbXBsZS1zaWduYXR1cmU"
)
EXAMPLE_REFRESH_JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImV4YW1wbGUiLCJ0eXAiOiJydCtqd3QifQ"
    ".eyJzdWIiOiJleGFtcGxlIiwiZmFtIjoiZXhhbXBsZSJ9.ZXhhbXBsZS1zaWduYXR1cmU"
)
TIMESTAMP = "2026-03-01T12:00:00.000Z"
THREAD_ID = "3f6c2d9e-1b7a-4c8e-9d2f-5a6b7c8d9e0f"
OTHER_THREAD_ID = "9b1d4c7e-2a3f-4e5d-8c6b-7a8f9e0d1c2b"
MESSAGE_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
RUN_ID = "7c6b5a4f-3e2d-4c1b-9a8f-7e6d5c4b3a29"
USER_ID = "2b8e6f1a-4c3d-5e7f-9a0b-1c2d3e4f5a6b"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

ALICE = "alice@example.com"
ADMIN = "admin@example.com"
BOB = "bob@example.com"

JWT_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#: RFC 3339 as every API of the platform writes it (milliseconds, `Z` or an offset), as a pact
#: datetime matcher: the verifier parses it, so `2026-13-01…` fails where a regex would pass.
TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"


def email(example: str = ALICE) -> AbstractMatcher[str]:
    return match.regex(example, regex=r"^[^@\s]+@[^@\s]+$")


def jwt(example: str = EXAMPLE_JWT) -> AbstractMatcher[str]:
    """A compact JWS: three base64url segments (the consumer never looks inside)."""
    return match.regex(example, regex=JWT_PATTERN)


def uuid(example: str) -> AbstractMatcher[str]:
    return match.regex(example, regex=UUID_PATTERN)


def timestamp(example: str = TIMESTAMP) -> AbstractMatcher[str]:
    return match.datetime(example, TIMESTAMP_FORMAT, disable_conversion=True)


def one_of(example: str, *values: str) -> AbstractMatcher[str]:
    return match.regex(example, regex="^(" + "|".join(values) + ")$")


def from_state(example: Any, expression: str) -> AbstractMatcher[Any]:
    """A value the provider's state-change answer supplies (`${name}` in `expression`)."""
    return match.like(example, generator=generate.provider_state(expression))


def bearer(key: str = "token") -> AbstractMatcher[str]:
    """An `Authorization` value from a state answering `{key: "Bearer …"}`."""
    return from_state(f"Bearer {EXAMPLE_JWT}", f"${{{key}}}")


def path_from_state(template: str, example_id: str, key: str) -> AbstractMatcher[str]:
    """A request path with one id from a provider state: `path_from_state("/v2/threads/{}", …, "thread_id")`."""
    pattern = "^" + template.replace("{}", "[0-9a-f-]{36}") + "$"
    return GenericMatcher(
        "regex",
        template.format(example_id),
        generator=generate.provider_state(template.format("${" + key + "}")),
        regex=pattern,
    )


def problem(status: int, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 body as consumers read it: they rely on `status` and on `title` being there."""
    return {
        "type": match.str("https://errors.contractgate.test/x"),
        "title": match.str("Title"),
        "status": status,
        **extra,
    }


#: A Bearer challenge whose error is `invalid_token`: the frontend refreshes and retries. (Pact's regex
#: matcher must match the whole value, hence the trailing `.*`.)
EXPIRED_CHALLENGE = match.regex(
    'Bearer realm="x", error="invalid_token", error_description="token expired"',
    regex=r'^Bearer .*error="invalid_token".*$',
)


PROBLEM_JSON = "application/problem+json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class StateValue:
    """A form field whose value comes from a provider state (forms take no inline matchers)."""

    example: str
    expression: str


def with_form(interaction: HttpInteraction, fields: dict[str, str | StateValue]) -> HttpInteraction:
    """A form-encoded request body; `StateValue` fields get a type rule and a ProviderState generator."""
    examples = {k: v.example if isinstance(v, StateValue) else v for k, v in fields.items()}
    stateful = {k: v for k, v in fields.items() if isinstance(v, StateValue)}
    interaction.with_header("Content-Type", FORM)
    interaction.with_body(urlencode(examples), content_type=FORM)
    if stateful:
        rules = {f"$.{k}": {"combine": "AND", "matchers": [{"match": "type"}]} for k in stateful}
        generators = {
            f"$.{k}": {"type": "ProviderState", "expression": v.expression} for k, v in stateful.items()
        }
        interaction.with_matching_rules({"body": rules}, part="Request")
        interaction.with_generators({"body": generators}, part="Request")
    return interaction


E = TypeVar("E", bound=BaseException)


class Raised(Generic[E]):
    """What `raises` caught; `value` is set once the block has raised."""

    value: E


@contextmanager
def raises(kind: type[E]) -> Iterator[Raised[E]]:
    """Expect the consumer's client to raise `kind` (the unhappy paths are part of what it relies on)."""
    caught: Raised[E] = Raised()
    try:
        yield caught
    except kind as exc:
        caught.value = exc
    else:
        raise AssertionError(f"expected the client to raise {kind.__name__}")


class PactWriter:
    """Collects interactions into pact files in one folder (merging per consumer–provider pair)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def pact(self, consumer: str, provider: str) -> Iterator[Pact]:
        pact = Pact(consumer, provider).with_specification("V4")
        yield pact
        pact.write_file(self.folder, overwrite=False)


@contextmanager
def serve_http(pact: Pact) -> Iterator[str]:
    """The pact's mock server on loopback; leaving the block fails if the client did not match."""
    with pact.serve(addr="127.0.0.1") as server:
        yield str(server.url)


# -- synchronous messages over a WebSocket ----------------------------------------------------------


@dataclass
class _Exchange:
    description: str
    request: dict[str, Any] | None
    metadata: dict[str, Any]
    responses: list[dict[str, Any]]
    response_metadata: list[dict[str, Any]]


def _exchanges(pact: Pact) -> list[_Exchange]:
    exchanges = []
    for message in pact.interactions("Sync"):
        request = message.request_contents
        body = request.contents
        metadata = {pair.key: _metadata_value(pair.value) for pair in request.metadata}
        responses, response_metadata = [], []
        for response in message.response_contents:
            responses.append(json.loads(response.contents or "{}"))
            response_metadata.append({pair.key: _metadata_value(pair.value) for pair in response.metadata})
        exchanges.append(
            _Exchange(
                message.description,
                json.loads(body) if body else None,
                metadata,
                responses,
                response_metadata,
            )
        )
    return exchanges


def _metadata_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass
class _ChannelMock:
    exchanges: list[_Exchange]
    welcome: dict[str, Any]
    subprotocol: str
    mismatches: list[str] = field(default_factory=list)
    matched: set[str] = field(default_factory=set)

    def handle(self, connection: ServerConnection) -> None:
        headers = connection.request.headers if connection.request else {}
        for exchange in self.exchanges:
            for key, expected in exchange.metadata.items():
                if key == "contentType":
                    continue
                sent = headers.get(key)
                if sent != expected:
                    self.mismatches.append(
                        f"{exchange.description}: handshake {key} was {sent!r}, expected {expected!r}"
                    )
        handshakes = [e for e in self.exchanges if e.request is None]
        if handshakes:
            for exchange in handshakes:
                self.matched.add(exchange.description)
                for response in exchange.responses:
                    connection.send(json.dumps(response))
        else:
            connection.send(json.dumps(self.welcome))
        pending = [e for e in self.exchanges if e.request is not None]
        for raw in connection:
            received = json.loads(raw)
            matching = next((e for e in pending if e.request == received), None)
            if matching is None:
                self.mismatches.append(
                    f"unexpected message {received!r}; expected one of {[e.request for e in pending]!r}"
                )
                return
            self.matched.add(matching.description)
            for response in matching.responses:
                connection.send(json.dumps(response))

    def select(self, connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        return Subprotocol(self.subprotocol) if self.subprotocol in offered else None


@contextmanager
def serve_channel(pact: Pact, *, welcome: dict[str, Any], subprotocol: str) -> Iterator[str]:
    """A WebSocket mock playing the pact's synchronous messages; yields its `ws://` URL.

    On connect it checks the handshake metadata (e.g. `Authorization`) against the pact, sends the
    handshake interaction's response (or `welcome`), then answers each client message equal to a
    pact request with that interaction's responses. Leaving the block fails if a message did not
    match or an interaction was never exercised — as pact's HTTP mock server does.
    """
    mock = _ChannelMock(_exchanges(pact), welcome, subprotocol)
    server: Server = serve(mock.handle, "127.0.0.1", 0, select_subprotocol=mock.select)
    thread = threading.Thread(target=server.serve_forever, name="pact-channel-mock", daemon=True)
    thread.start()
    try:
        host, port = server.socket.getsockname()[:2]
        yield f"ws://{host}:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
    missing = [e.description for e in mock.exchanges if e.description not in mock.matched]
    if mock.mismatches or missing:
        raise AssertionError(f"WebSocket mock: mismatches {mock.mismatches}; never exercised {missing}")
