"""The wire protocol of `/ws`, read from the AsyncAPI contract: building and parsing envelopes.

Server messages are built here (`envelope`) so that every one carries `type, id, seq, ts, payload`
in one shape. Client frames are parsed here (`Protocol.parse`) and validated against the message
schemas of `contracts/asyncapi/websocket.yaml`, like the HTTP stubs validate against their OpenAPI
documents: the client message types the service accepts are the messages of the contract's
`receive` operations, so the stub and its contract cannot drift apart silently. A frame the stub
cannot act on becomes a `ProtocolError` carrying the `error` code the contract names.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from stubs.schemas import compiled_validator
from stubs.settings import Clock

_CONTRACT_URI = "urn:contractgate:asyncapi"

# The `error` codes of the contract's ErrorMessage schema.
UNKNOWN_TYPE = "unknown_type"
INVALID_MESSAGE = "invalid_message"
NOT_FOUND = "not_found"
INVALID_RESUME = "invalid_resume"
TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions"


class ProtocolError(Exception):
    """A client message answered with an `error` message instead of being acted on."""

    def __init__(
        self, code: str, message: str, *, reply_to: str | None = None, ref: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reply_to = reply_to
        self.ref = ref

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message[:500]}
        if self.ref is not None:
            body["ref"] = self.ref
        return body


@dataclass(frozen=True)
class ClientMessage:
    type: str
    id: str
    payload: dict[str, Any]


def fresh_id() -> str:
    """An id for an unsolicited server message."""
    return uuid.uuid4().hex


def rfc3339(epoch: float) -> str:
    text = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def envelope(
    type_: str, payload: dict[str, Any], *, seq: int, clock: Clock, id_: str | None = None
) -> dict[str, Any]:
    return {"type": type_, "id": id_ or fresh_id(), "seq": seq, "ts": rfc3339(clock()), "payload": payload}


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _is_message_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and 1 <= len(value) <= 64


class Protocol:
    """The client messages a contract declares, and the validation of incoming frames against them."""

    def __init__(self, document: dict[str, Any]) -> None:
        registry: Registry = Registry().with_resource(
            _CONTRACT_URI, Resource.from_contents(document, default_specification=DRAFT7)
        )
        resolver = registry.resolver(_CONTRACT_URI)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        for operation in (document.get("operations") or {}).values():
            if operation.get("action") != "receive":
                continue
            for ref in operation.get("messages", []):
                message = resolver.lookup(ref["$ref"]).contents
                pointer = _payload_pointer(message, ref["$ref"], resolver)
                schema = resolver.lookup(f"#{pointer}").contents
                wire_type = schema.get("properties", {}).get("type", {}).get("const")
                if not isinstance(wire_type, str):
                    raise ValueError(f"message {ref['$ref']} has no `type` const in its payload schema")
                self._validators[wire_type] = compiled_validator(
                    jsonschema.Draft7Validator, registry, _CONTRACT_URI, pointer
                )

    @property
    def client_types(self) -> frozenset[str]:
        return frozenset(self._validators)

    def parse(self, text: str) -> ClientMessage:
        """A valid client message, or a `ProtocolError` saying what is wrong with the frame."""
        try:
            data = json.loads(text)
        except ValueError:
            raise ProtocolError(INVALID_MESSAGE, "the frame is not JSON") from None
        if not isinstance(data, dict):
            raise ProtocolError(INVALID_MESSAGE, "a message is a JSON object")
        message_id = data.get("id")
        reply_to = message_id if _is_message_id(message_id) else None
        if not isinstance(data.get("type"), str):
            raise ProtocolError(INVALID_MESSAGE, "'type' must be a string", reply_to=reply_to, ref="/type")
        if reply_to is None:
            raise ProtocolError(INVALID_MESSAGE, "'id' must be a string of 1 to 64 characters", ref="/id")
        validator = self._validators.get(data["type"])
        if validator is None:
            known = ", ".join(sorted(self._validators))
            raise ProtocolError(
                UNKNOWN_TYPE,
                f"unknown message type {data['type'][:64]!r}; known: {known}",
                reply_to=reply_to,
                ref="/type",
            )
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            where = _pointer(error.absolute_path)
            raise ProtocolError(
                INVALID_MESSAGE,
                f"{where or 'message'}: {error.message[:300]}",
                reply_to=reply_to,
                ref=where or None,
            )
        return ClientMessage(type=data["type"], id=reply_to, payload=data["payload"])


def _payload_pointer(message: dict[str, Any], message_ref: str, resolver: Any) -> str:
    """The JSON Pointer of a message's payload schema (following one level of component `$ref`)."""
    if "$ref" in message:  # a channel message that points at components/messages
        message_ref = message["$ref"]
        message = resolver.lookup(message_ref).contents
    payload = message.get("payload", {})
    if "$ref" in payload:
        return str(payload["$ref"]).lstrip("#")
    return message_ref.lstrip("#") + "/payload"
