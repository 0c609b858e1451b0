"""Where pacts come from: a `PactSource` yields `PactDocument`s, whatever stores them.

`FilePactSource(folder)` reads `*.json` pact files (the committed `contracts/pacts/`); a Pact Broker
source will implement the same protocol, filling `BrokerInfo` from the broker's "pacts for
verification" answer (pending and WIP pacts, the URL to publish the verification result to) — the
verification code only ever sees `PactDocument`s. A file that is not a pact is a `ContractError`
naming it: a broken contract stops the gate (exit 2), it never verifies by accident.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from providers.errors import ContractError

InteractionKind = Literal["http", "sync-message", "async-message"]
_KINDS: Mapping[str, InteractionKind] = {
    "Synchronous/HTTP": "http",
    "Synchronous/Messages": "sync-message",
    "Asynchronous/Messages": "async-message",
}


@dataclass(frozen=True)
class ProviderState:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.name} ({args})"


@dataclass(frozen=True)
class Interaction:
    description: str
    kind: InteractionKind
    states: tuple[ProviderState, ...]
    #: The interaction as the pact file has it (request, response, matching rules, generators).
    raw: Mapping[str, Any]
    #: V4 `pending`: the consumer published it, the provider has not honoured it yet.
    pending: bool = False

    @property
    def request(self) -> Mapping[str, Any]:
        return dict(self.raw.get("request") or {})

    @property
    def summary(self) -> str:
        """`GET /things/{…}` for HTTP, `message` for messages: what a reader recognises."""
        if self.kind == "http":
            return f"{self.request.get('method', 'GET')} {self.request.get('path', '/')}"
        return "message"


@dataclass(frozen=True)
class BrokerInfo:
    """What a Pact Broker says about a pact it hands out for verification."""

    pending: bool = False
    wip: bool = False
    #: Where `publish` sends the verification result for this pact.
    verification_results_url: str | None = None
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class PactDocument:
    consumer: str
    provider: str
    interactions: tuple[Interaction, ...]
    #: The parsed pact, as read.
    document: Mapping[str, Any]
    #: Where it came from: a file path or a URL, for messages and reports.
    origin: str
    broker: BrokerInfo | None = None

    @property
    def name(self) -> str:
        return f"{self.consumer} → {self.provider}"

    def of_kind(self, kind: InteractionKind) -> list[Interaction]:
        return [i for i in self.interactions if i.kind == kind]

    def subset(self, interactions: list[Interaction]) -> dict[str, Any]:
        """This pact with only the given interactions (what one verifier run is handed)."""
        keep = {id(i.raw) for i in interactions}
        document = dict(self.document)
        document["interactions"] = [i.raw for i in self.interactions if id(i.raw) in keep]
        return document


class PactSource(Protocol):
    """Anything that can list the pacts to verify: files now, a Pact Broker next."""

    @property
    def description(self) -> str: ...

    def pacts(self) -> list[PactDocument]: ...


def _states(raw: Mapping[str, Any], origin: str, description: str) -> tuple[ProviderState, ...]:
    states = raw.get("providerStates")
    if states is None and isinstance(raw.get("providerState"), str):  # V2 pacts
        return (ProviderState(raw["providerState"]),)
    if states is None:
        return ()
    if not isinstance(states, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in states
    ):
        raise ContractError(f"{origin}: interaction {description!r} has malformed providerStates")
    return tuple(ProviderState(s["name"], dict(s.get("params") or {})) for s in states)


def parse_pact(document: Any, origin: str, broker: BrokerInfo | None = None) -> PactDocument:
    """A pact document (V2–V4 JSON), checked enough to verify it; `ContractError` names `origin`."""
    if not isinstance(document, dict):
        raise ContractError(f"{origin}: not a pact (expected a JSON object)")
    names = []
    for role in ("consumer", "provider"):
        party = document.get(role)
        if not isinstance(party, dict) or not isinstance(party.get("name"), str) or not party["name"]:
            raise ContractError(f"{origin}: not a pact (missing {role}.name)")
        names.append(party["name"])
    raw_interactions = document.get("interactions")
    if not isinstance(raw_interactions, list):
        raise ContractError(f"{origin}: not a pact (missing the interactions list)")
    interactions = []
    for index, raw in enumerate(raw_interactions):
        if not isinstance(raw, dict) or not isinstance(raw.get("description"), str):
            raise ContractError(f"{origin}: interaction #{index + 1} has no description")
        description = raw["description"]
        kind = _KINDS.get(str(raw.get("type", "Synchronous/HTTP")))
        if kind is None:
            raise ContractError(f"{origin}: interaction {description!r} has unknown type {raw.get('type')!r}")
        if kind in ("http", "sync-message") and not isinstance(raw.get("request"), dict):
            raise ContractError(f"{origin}: interaction {description!r} has no request")
        response = raw.get("response")
        expected = {"http": dict, "sync-message": list}.get(kind)
        if response is not None and expected is not None and not isinstance(response, expected):
            shape = "an object" if expected is dict else "a list"
            raise ContractError(f"{origin}: interaction {description!r} has a response that is not {shape}")
        interactions.append(
            Interaction(description, kind, _states(raw, origin, description), raw, bool(raw.get("pending")))
        )
    return PactDocument(names[0], names[1], tuple(interactions), document, origin, broker)


class LoadedPacts:
    """Pacts already read (e.g. checked up front by a command), handed to the suite as a source."""

    def __init__(self, pacts: list[PactDocument], description: str) -> None:
        self._pacts = list(pacts)
        self._description = description

    @property
    def description(self) -> str:
        return self._description

    def pacts(self) -> list[PactDocument]:
        return list(self._pacts)


class FilePactSource:
    """Pact files in a folder (`*.json`, sorted), or an explicit list of files."""

    def __init__(self, *paths: Path | str) -> None:
        self.paths = [Path(p) for p in paths]

    @property
    def description(self) -> str:
        return ", ".join(str(p) for p in self.paths)

    def files(self) -> list[Path]:
        found: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                found += sorted(path.glob("*.json"))
            elif path.is_file():
                found.append(path)
            else:
                raise ContractError(f"{path}: no such pact file or folder")
        return found

    def pacts(self) -> list[PactDocument]:
        documents = []
        for path in self.files():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ContractError(f"{path}: cannot read ({exc.strerror or exc})") from None
            except json.JSONDecodeError as exc:
                raise ContractError(
                    f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}"
                ) from None
            documents.append(parse_pact(data, str(path)))
        return documents
