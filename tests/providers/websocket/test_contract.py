"""Reading the WebSocket channel from the AsyncAPI document, and what the suite builds from it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contracts import asyncapi_spec
from providers.errors import ConfigError, ContractError
from providers.http import Limits, RequestGuard
from providers.redact import JWT, Redactor
from providers.websocket.client import Credential, Dialer, Observations
from providers.websocket.contract import WsContract
from providers.websocket.material import Settings, garbage_token

DOC = asyncapi_spec()


def contract(document: dict[str, Any] | None = None) -> WsContract:
    return WsContract(document if document is not None else DOC)


def edited(path: list[str], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOC)
    node = document
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


def test_the_channel_its_service_and_its_messages_come_from_the_document() -> None:
    ws = contract()
    assert (ws.service, ws.address, ws.type_field) == ("websocket-service", "/ws", "type")
    assert ws.client_types == {"ping", "subscribe", "unsubscribe", "resume"}
    assert {"welcome", "heartbeat", "pong", "run.event", "resumed", "error"} <= ws.server_types
    assert ws.role("event") == "run.event"
    assert ws.close_code("token-expired") is not None and ws.close_code("token-expired").code == 4401
    assert ws.handshake.refused_status == 401 and ws.handshake.audiences == ("websocket",)
    assert ws.sequence.field == "seq" and ws.sequence.reply_id_field == "id"


@pytest.mark.parametrize(
    ("role", "values"),
    [("ping", {}), ("subscribe", {"run": "run-1"}), ("resume", {"session": "A" * 20, "last_seq": 3})],
)
def test_client_messages_are_built_from_the_contracts_examples_and_are_valid(
    role: str, values: dict[str, Any]
) -> None:
    ws = contract()
    message = ws.build(role, "cg-1", **values)
    assert message is not None
    assert message["id"] == "cg-1" and message["type"] == ws.role(role)
    assert ws.client_errors(message) == []
    for name, value in values.items():
        assert ws.read(message, role, name.replace("_", "-")) == value


def test_a_message_the_contract_cannot_build_is_none() -> None:
    ws = contract()
    assert ws.build("subscribe", "x", colour="red") is None  # no such field
    assert ws.build("heartbeat", "x") is None  # a server message


def test_server_messages_are_judged_against_their_schema_and_undeclared_types_fail() -> None:
    ws = contract()
    pong = {"type": "pong", "id": "p", "seq": 1, "ts": "2026-03-01T12:00:00Z", "payload": {}}
    assert ws.server_errors(pong) == []
    assert any("seq" in e for e in ws.server_errors({**pong, "seq": 0}))
    assert ws.server_errors({**pong, "type": "debug"})[0].startswith("undeclared server message type='debug'")
    assert ws.server_errors([1, 2]) == ["a message is a JSON object, not list"]
    event = {"payload": {"data": {"status": "completed"}}}
    assert ws.is_final(event) and not ws.is_final({"payload": {"data": {"text": "hi"}}})


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["info", "x-service"], None, "x-service"),
        (["channels", "events", "x-handshake"], None, "x-handshake"),
        (["channels", "events", "x-sequence"], {"start": 1}, "x-sequence"),
        (["channels", "events", "x-message-roles", "first"], "hello", "undeclared messages"),
        (["channels", "events", "address"], "ws", "address"),
    ],
)
def test_a_document_the_suite_cannot_understand_is_a_contract_error(
    path: list[str], value: Any, message: str
) -> None:
    with pytest.raises(ContractError, match=message):
        contract(edited(path, value))


def test_unknown_options_are_a_config_error_and_connections_are_capped() -> None:
    with pytest.raises(ConfigError, match="colour"):
        Settings.from_options({"colour": "red"})
    assert Settings.from_options({"checks": ["resume", "heartbeat"]}).checks == ("resume", "heartbeat")
    with pytest.raises(
        ConfigError, match=r"^suite.websocket.open_timeout: must be a number greater than 0, got a string$"
    ):
        Settings.from_options({"open_timeout": "soon"})
    assert Settings(connections=500).concurrency(live=False) == 50
    assert Settings().concurrency(live=True) == 5 and Settings().concurrency(live=False) == 20


def test_reproductions_never_show_a_token() -> None:
    token = garbage_token()
    assert JWT.fullmatch(token)
    dialer = Dialer(contract(), "ws://127.0.0.1:1/ws", Observations(), Redactor(), RequestGuard(Limits()))
    header = dialer.reproduction(Credential(token, "header", "t"), ['{"type": "ping", "id": "p"}'])
    protocol = dialer.reproduction(Credential(token, "subprotocol", "t"), [])
    assert header.startswith("websocat -H 'Authorization: Bearer [REDACTED]' ws://127.0.0.1:1/ws")
    assert '{"type": "ping", "id": "p"}' in header
    assert "--protocol 'events.v1, bearer.[REDACTED]'" in protocol
    assert token not in header + protocol


def test_a_channel_without_x_sequence_numbers_nothing() -> None:
    document = copy.deepcopy(asyncapi_spec())
    del document["channels"]["events"]["x-sequence"]
    ws = WsContract(document)
    assert not ws.sequence.numbered and ws.sequence.reply_id_field == "id"
