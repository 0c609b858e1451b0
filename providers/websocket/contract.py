"""The WebSocket channel as the suite needs it, read from the AsyncAPI document (`ctx.asyncapi`).

Nothing about the reference platform's protocol is written in the suite: the service it is served by
(`info.x-service`), the channel's address, the messages the server may send and the client may send
(the `send` operations' messages and the `receive` operations' replies, versus the `receive`
operations' messages), their JSON Schemas, and the channel's contractgate extensions:

| block | what it says |
|---|---|
| `x-handshake` | how a client authenticates (header / subprotocol, scheme, token kind and audience) and what a refusal is (status, content type, schema, challenge header) |
| `x-close-codes` | close codes by meaning; the suite uses `token-expired`, `frame-too-large`, `handshake-refused` |
| `x-message-roles` | which message type plays which part: `first`, `heartbeat`, `ping`, `pong`, `subscribe`, `subscribed`, `event`, `resume`, `resumed`, `error` |
| `x-sequence` | the numbering: `field`, `start`, `step`, and `reply-id-field` (a reply repeats its request's id) |
| `x-message-fields` | per role, where each value sits (JSON Pointers), e.g. `first.session`, `event.position`, `event.final` |
| `x-error-codes` | `error` codes by meaning, e.g. `unknown-type` |

The keys of these blocks (role names, close-code meanings, field names) are contractgate's
vocabulary; their values are the target's protocol. Client messages are built from the contract's
own examples of the role's message, with the values the suite chooses set through the field
pointers, and checked against the client schema before they are sent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from providers.errors import ContractError
from providers.examples import example_of
from providers.results import Skip

_URI = "urn:contractgate:websocket-contract"
_MISSING = object()


@dataclass(frozen=True)
class Handshake:
    #: How a token may be presented: "header", "subprotocol" and/or "query".
    methods: tuple[str, ...]
    header: str
    scheme: str
    subprotocol: str | None
    token_prefix: str | None
    token_kind: str
    audiences: tuple[str, ...]
    refused_status: int
    forbidden_status: int | None
    refusal_content_type: str | None
    refusal_schema: str | None
    challenge_header: str | None
    #: The query parameter a token may travel in ("query" among the methods).
    query: str | None = None


@dataclass(frozen=True)
class CloseCode:
    meaning: str
    code: int
    reason: str | None


@dataclass(frozen=True)
class Sequence:
    field: str
    start: int
    step: int
    reply_id_field: str
    #: False when the channel numbers nothing (no x-sequence): the numbering checks are skipped.
    numbered: bool = True


@dataclass(frozen=True)
class Final:
    """The value that ends a stream: the field at `pointer` holding one of `values`."""

    pointer: str
    values: tuple[Any, ...]


def pointer_get(document: Any, pointer: str) -> Any:
    """The value at a JSON Pointer, or `_MISSING`."""
    node = document
    for part in pointer.split("/")[1:] if pointer else ():
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node


def pointer_set(document: dict[str, Any], pointer: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node: Any = document
    for key in parts[:-1]:
        node = node.setdefault(key, {})
    node[parts[-1]] = value


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a node that is not a reference."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#"):
            raise ContractError(f"AsyncAPI: only local references are supported, not {ref!r}")
        found = pointer_get(document, ref[1:])
        if found is _MISSING:
            raise ContractError(f"AsyncAPI: dangling reference {ref!r}")
        node, seen = found, seen + 1
        if seen > 20:
            raise ContractError(f"AsyncAPI: reference cycle at {ref!r}")
    return node


class WsContract:
    """One channel of an AsyncAPI document: its messages, schemas and protocol rules."""

    def __init__(self, document: dict[str, Any], channel: str | None = None) -> None:
        self.document = document
        info = document.get("info") or {}
        service = info.get("x-service") if isinstance(info, dict) else None
        self.service = service if isinstance(service, str) else ""
        if not self.service:
            raise ContractError("AsyncAPI: 'info.x-service' must name the service that serves the channel")
        self.channel_name, channel_doc = self._channel(channel)
        self.address = str(channel_doc.get("address") or "")
        if not self.address.startswith("/"):
            raise ContractError(f"AsyncAPI: channel {self.channel_name!r} needs an address such as /ws")
        self.pathname = self._server_pathname(channel_doc)
        self.handshake = self._handshake(channel_doc.get("x-handshake"))
        self.close_codes = {
            meaning: CloseCode(meaning, int(entry["code"]), entry.get("reason"))
            for meaning, entry in (channel_doc.get("x-close-codes") or {}).items()
            if isinstance(entry, dict) and "code" in entry
        }
        self.sequence = self._sequence(channel_doc.get("x-sequence"))
        self.fields: dict[str, dict[str, Any]] = {
            str(role): dict(values)
            for role, values in (channel_doc.get("x-message-fields") or {}).items()
            if isinstance(values, dict)
        }
        self.error_codes = {str(k): str(v) for k, v in (channel_doc.get("x-error-codes") or {}).items()}

        registry: Registry = Registry().with_resource(
            _URI, Resource.from_contents(document, default_specification=DRAFT7)
        )
        self._registry = registry
        #: wire type → validator, for each direction; wire type → the message's example envelopes.
        self._server: dict[str, jsonschema.protocols.Validator] = {}
        self._client: dict[str, jsonschema.protocols.Validator] = {}
        self._examples: dict[str, list[dict[str, Any]]] = {}
        self.type_field = ""
        self._read_operations(registry)
        self.roles = {str(k): str(v) for k, v in (channel_doc.get("x-message-roles") or {}).items()}
        declared = set(self._server) | set(self._client)
        unknown = sorted(t for t in self.roles.values() if t not in declared)
        if unknown:
            raise ContractError(f"AsyncAPI: x-message-roles names undeclared messages {unknown}")

    # -- reading ----------------------------------------------------------------------------------
    def _channel(self, wanted: str | None) -> tuple[str, dict[str, Any]]:
        channels = {
            name: _resolve(self.document, node)
            for name, node in (self.document.get("channels") or {}).items()
            if isinstance(node, dict)
        }
        if wanted is not None:
            if wanted not in channels:
                raise ContractError(f"AsyncAPI: no channel {wanted!r} (channels: {', '.join(channels)})")
            return wanted, channels[wanted]
        candidates = [name for name, doc in channels.items() if "x-message-roles" in doc] or list(channels)
        if len(candidates) != 1:
            raise ContractError(
                f"AsyncAPI: expected one channel with x-message-roles, found {len(candidates)}; "
                "name the channel in the websocket suite's options"
            )
        return candidates[0], channels[candidates[0]]

    def _server_pathname(self, channel_doc: dict[str, Any]) -> str:
        for ref in channel_doc.get("servers") or []:
            server = _resolve(self.document, ref)
            if isinstance(server, dict) and server.get("pathname"):
                return "/" + str(server["pathname"]).strip("/")
        return ""

    def _handshake(self, block: Any) -> Handshake:
        if not isinstance(block, dict):
            raise ContractError(f"AsyncAPI: channel {self.channel_name!r} needs an x-handshake block")
        try:
            return Handshake(
                methods=tuple(str(m) for m in block.get("auth") or ("header",)),
                header=str(block.get("header", "Authorization")),
                scheme=str(block.get("scheme", "Bearer")),
                subprotocol=block.get("subprotocol"),
                token_prefix=block.get("subprotocol-token-prefix"),
                token_kind=str(block.get("token-kind", "user")),
                # Without audiences, the channel takes whatever audience the issuer's login gives ("").
                audiences=tuple(str(a) for a in block.get("audiences") or ("",)),
                refused_status=int(block["refused-status"]),
                forbidden_status=int(block["forbidden-status"]) if "forbidden-status" in block else None,
                refusal_content_type=block.get("refusal-content-type"),
                refusal_schema=block.get("refusal-schema"),
                challenge_header=block.get("challenge-header"),
                query=str(block.get("query", "token")) if "query" in (block.get("auth") or ()) else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ContractError(f"AsyncAPI: x-handshake is incomplete or malformed ({exc})") from None

    def _sequence(self, block: Any) -> Sequence:
        if block is None:
            return Sequence(field="", start=1, step=1, reply_id_field="id", numbered=False)
        if not isinstance(block, dict) or "field" not in block:
            raise ContractError(f"AsyncAPI: channel {self.channel_name!r}: x-sequence needs a field")
        return Sequence(
            field=str(block["field"]),
            start=int(block.get("start", 1)),
            step=int(block.get("step", 1)),
            reply_id_field=str(block.get("reply-id-field", "id")),
        )

    def _read_operations(self, registry: Registry) -> None:
        for name, operation in (self.document.get("operations") or {}).items():
            channel = operation.get("channel", {}).get("$ref", "")
            if channel != f"#/channels/{self.channel_name}":
                continue
            action = operation.get("action")
            refs = list(operation.get("messages") or [])
            replies = list((operation.get("reply") or {}).get("messages") or [])
            if action == "send":
                self._add(self._server, refs + replies, registry, name)
            elif action == "receive":
                self._add(self._client, refs, registry, name)
                self._add(self._server, replies, registry, name)
            else:
                raise ContractError(f"AsyncAPI: operation {name!r} has action {action!r}")
        if not self._server:
            raise ContractError(f"AsyncAPI: no operation sends a message on {self.channel_name!r}")

    def _add(
        self,
        into: dict[str, jsonschema.protocols.Validator],
        refs: Iterable[Any],
        registry: Registry,
        operation: str,
    ) -> None:
        for ref in refs:
            message = _resolve(self.document, ref)
            payload = message.get("payload") if isinstance(message, dict) else None
            if not isinstance(payload, dict):
                raise ContractError(f"AsyncAPI: a message of operation {operation!r} has no payload schema")
            if "$ref" in payload:
                pointer = str(payload["$ref"])
            else:
                pointer = self._pointer_of(message) + "/payload"
            schema = _resolve(self.document, {"$ref": pointer})
            wire_type, type_field = self._wire_type(schema, pointer)
            if self.type_field and type_field != self.type_field:
                raise ContractError(
                    f"AsyncAPI: {pointer} discriminates by {type_field!r}, others by {self.type_field!r}"
                )
            self.type_field = type_field
            into[wire_type] = jsonschema.Draft7Validator(
                {"$ref": f"{_URI}{pointer}"},
                registry=registry,
                format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
            )
            examples = [e["payload"] for e in message.get("examples") or [] if isinstance(e, dict)]
            if not examples:
                # No example written: the smallest message the schema allows (its const type and
                # required fields), as for HTTP request bodies.
                try:
                    built = example_of(self.document, schema)
                except Skip:
                    built = None
                examples = [built] if isinstance(built, dict) else []
            self._examples.setdefault(wire_type, examples)

    def _pointer_of(self, message: dict[str, Any]) -> str:
        for name, candidate in (self.document.get("components", {}).get("messages") or {}).items():
            if candidate is message:
                return f"#/components/messages/{name}"
        raise ContractError("AsyncAPI: an inline message payload must live under components/messages")

    @staticmethod
    def _wire_type(schema: Any, pointer: str) -> tuple[str, str]:
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        for field_name, prop in properties.items():
            if isinstance(prop, dict) and isinstance(prop.get("const"), str):
                return prop["const"], field_name
        raise ContractError(f"AsyncAPI: {pointer} has no property with a `const` naming the message type")

    # -- questions the checks ask -----------------------------------------------------------------
    @property
    def server_types(self) -> frozenset[str]:
        return frozenset(self._server)

    @property
    def client_types(self) -> frozenset[str]:
        return frozenset(self._client)

    def role(self, role: str) -> str | None:
        """The wire type playing `role`, if the contract names one."""
        return self.roles.get(role)

    def close_code(self, meaning: str) -> CloseCode | None:
        return self.close_codes.get(meaning)

    def field(self, role: str, name: str) -> str | None:
        """The JSON Pointer of value `name` in the messages of `role`."""
        value = self.fields.get(role, {}).get(name)
        return value if isinstance(value, str) else None

    def read(self, message: Mapping[str, Any], role: str, name: str) -> Any | None:
        pointer = self.field(role, name)
        if pointer is None:
            return None
        value = pointer_get(message, pointer)
        return None if value is _MISSING else value

    @property
    def final(self) -> Final | None:
        block = self.fields.get("event", {}).get("final")
        if isinstance(block, dict) and isinstance(block.get("pointer"), str):
            return Final(block["pointer"], tuple(block.get("values") or ()))
        return None

    def is_final(self, message: Mapping[str, Any]) -> bool:
        final = self.final
        return final is not None and pointer_get(message, final.pointer) in final.values

    def server_errors(self, message: Any) -> list[str]:
        """Why a server message breaks the contract (empty when it conforms)."""
        if not isinstance(message, dict):
            return [f"a message is a JSON object, not {type(message).__name__}"]
        wire_type = message.get(self.type_field)
        validator = self._server.get(wire_type) if isinstance(wire_type, str) else None
        if validator is None:
            declared = ", ".join(sorted(self._server))
            return [f"undeclared server message {self.type_field}={wire_type!r} (declared: {declared})"]
        return [
            f"{'/' + '/'.join(str(p) for p in e.absolute_path) if e.absolute_path else '(message)'}: "
            f"{e.message[:200]}"
            for e in validator.iter_errors(message)
        ]

    def client_errors(self, message: dict[str, Any]) -> list[str]:
        validator = self._client.get(str(message.get(self.type_field)))
        if validator is None:
            return [f"no client message {message.get(self.type_field)!r}"]
        return [e.message for e in validator.iter_errors(message)]

    def build(self, role: str, message_id: str, **values: Any) -> dict[str, Any] | None:
        """A client message of `role` from the contract's example, with `values` set through the field
        pointers (`values` keys use `_` for `-`). None when the contract cannot say how to build it."""
        wire_type = self.role(role)
        examples = self._examples.get(wire_type or "", [])
        if wire_type is None or wire_type not in self._client or not examples:
            return None
        message = copy.deepcopy(examples[0])
        message[self.type_field] = wire_type
        message[self.sequence.reply_id_field] = message_id
        for name, value in values.items():
            pointer = self.field(role, name.replace("_", "-"))
            if pointer is None:
                return None
            pointer_set(message, pointer, value)
        return message

    def reply_id(self, message: Mapping[str, Any]) -> Any:
        return message.get(self.sequence.reply_id_field)

    def seq(self, message: Mapping[str, Any]) -> Any:
        return message.get(self.sequence.field)

    def type_of(self, message: Mapping[str, Any]) -> Any:
        return message.get(self.type_field)

    def is_role(self, message: Mapping[str, Any], role: str) -> bool:
        wire_type = self.role(role)
        return wire_type is not None and message.get(self.type_field) == wire_type

    def refusal_errors(self, body: Any) -> list[str]:
        """Why a refused handshake's body breaks `x-handshake.refusal-schema` (empty when it conforms)."""
        if not self.handshake.refusal_schema:
            return []
        validator = jsonschema.Draft7Validator(
            {"$ref": f"{_URI}{self.handshake.refusal_schema}"},
            registry=self._registry,
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        return [e.message for e in validator.iter_errors(body)]
