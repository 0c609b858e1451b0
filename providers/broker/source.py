"""Pacts to verify, from a Pact Broker: the `pacts for verification` of each provider.

`BrokerPactSource` is a `providers.pacts.sources.PactSource`: for each provider it follows the index's
`pb:provider-pacts-for-verification` relation, POSTs the consumer version selectors (default:
`mainBranch`, `deployedOrReleased`, `matchingBranch`), `providerVersionBranch`, `includePendingStatus`
and `includeWipPactsSince` to it — the request the Pact verifiers make — and fetches each pact it
lists. What the broker says about each pact (pending, WIP, its notices, the
`pb:publish-verification-results` link) goes into the pact's `BrokerInfo`; the verification code
only ever sees `PactDocument`s.

`matchingBranch` means "the consumer branch named like the provider's": without a provider branch the
broker rejects it, so it is left out (and said so) rather than sent. A provider the broker has never
heard of has no pacts to verify, not an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from providers.broker.client import BrokerClient, BrokerNotFound
from providers.errors import ConfigError, ContractError
from providers.pacts.sources import BrokerInfo, PactDocument, parse_pact

__all__ = ["DEFAULT_SELECTORS", "BrokerPactSource", "VerificationRequest", "parse_selector", "selectors_of"]

#: What a provider verifies by default: its consumers' main branches, what is deployed or released,
#: and the consumer branch matching its own (the Pact documentation's recommended set).
DEFAULT_SELECTORS: tuple[Mapping[str, Any], ...] = (
    {"mainBranch": True},
    {"deployedOrReleased": True},
    {"matchingBranch": True},
)
_SELECTOR_KEYS = {
    "mainBranch",
    "branch",
    "fallbackBranch",
    "matchingBranch",
    "tag",
    "fallbackTag",
    "latest",
    "consumer",
    "deployed",
    "released",
    "deployedOrReleased",
    "environment",
}
#: Members of a served pact that are the broker's, not the pact's.
_HAL_KEYS = ("_links", "_embedded", "createdAt")


def parse_selector(text: str | Mapping[str, Any]) -> dict[str, Any]:
    """A consumer version selector from JSON text (`'{"mainBranch": true}'`) or a mapping."""
    if isinstance(text, str):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"consumer version selector {text!r} is not JSON ({exc.msg})") from None
    else:
        value = dict(text)
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"consumer version selector {text!r} must be a non-empty JSON object")
    unknown = sorted(set(value) - _SELECTOR_KEYS)
    if unknown:
        raise ConfigError(
            f"consumer version selector {text!r}: unknown key {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_SELECTOR_KEYS))})"
        )
    return value


@dataclass(frozen=True)
class VerificationRequest:
    """The body of a pacts-for-verification request, as the Pact verifiers send it."""

    selectors: tuple[Mapping[str, Any], ...] = DEFAULT_SELECTORS
    provider_branch: str | None = None
    provider_tags: tuple[str, ...] = ()
    include_pending: bool = True
    include_wip_since: date | None = None
    #: Selectors left out, and why (e.g. `matchingBranch` without a provider branch).
    dropped: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.include_wip_since is not None and not self.include_pending:
            raise ConfigError(
                "WIP pacts are pending by definition: include pending pacts to include WIP ones"
            )
        if self.provider_branch is None and any(s.get("matchingBranch") for s in self.selectors):
            kept = tuple(s for s in self.selectors if not s.get("matchingBranch"))
            object.__setattr__(self, "selectors", kept)
            object.__setattr__(
                self, "dropped", (*self.dropped, "matchingBranch (no provider branch to match)")
            )

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "consumerVersionSelectors": [dict(s) for s in self.selectors],
            "includePendingStatus": self.include_pending,
        }
        if self.provider_branch:
            body["providerVersionBranch"] = self.provider_branch
        if self.provider_tags:
            body["providerVersionTags"] = list(self.provider_tags)
        if self.include_wip_since is not None:
            body["includeWipPactsSince"] = self.include_wip_since.isoformat()
        return body

    def describe(self) -> str:
        selectors = ", ".join(json.dumps(dict(s), separators=(",", ":")) for s in self.selectors) or "none"
        extras = []
        if self.provider_branch:
            extras.append(f"provider branch {self.provider_branch}")
        if self.include_pending:
            extras.append("pending")
        if self.include_wip_since:
            extras.append(f"WIP since {self.include_wip_since.isoformat()}")
        if self.dropped:
            extras.append("left out: " + ", ".join(self.dropped))
        return f"selectors {selectors}" + (f"; {'; '.join(extras)}" if extras else "")


def _notices(properties: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(n.get("text")) for n in properties.get("notices") or [] if isinstance(n, dict) and n.get("text")
    )


class BrokerPactSource:
    """The pacts a broker hands each of `providers` for verification."""

    def __init__(
        self, client: BrokerClient, providers: Iterable[str], request: VerificationRequest | None = None
    ) -> None:
        self.client = client
        self.providers = tuple(dict.fromkeys(providers))
        self.request = request or VerificationRequest()

    @property
    def description(self) -> str:
        return f"the Pact Broker at {self.client.base_url} ({self.request.describe()})"

    def pacts(self) -> list[PactDocument]:
        documents: list[PactDocument] = []
        for provider in self.providers:
            documents += self.pacts_of(provider)
        return documents

    def pacts_of(self, provider: str) -> list[PactDocument]:
        url = self.client.relation("pb:provider-pacts-for-verification", provider=provider)
        try:
            answer = self.client.post(url, self.request.body())
        except BrokerNotFound:
            return []  # a provider the broker does not know has nothing to verify
        listed = (answer.get("_embedded") or {}).get("pacts")
        if not isinstance(listed, list):
            raise ContractError(f"{url}: the broker's answer has no _embedded.pacts list")
        return [self._fetch(provider, entry, url) for entry in listed]

    def _fetch(self, provider: str, entry: Any, listed_at: str) -> PactDocument:
        href = (
            ((entry or {}).get("_links") or {}).get("self", {}).get("href")
            if isinstance(entry, dict)
            else None
        )
        if not isinstance(href, str):
            raise ContractError(f"{listed_at}: a pact for verification has no self link")
        properties = entry.get("verificationProperties") or {}
        served = self.client.get(href)
        links = served.get("_links") or {}
        publish = (links.get("pb:publish-verification-results") or {}).get("href")
        info = BrokerInfo(
            pending=bool(properties.get("pending")),
            wip=bool(properties.get("wip")),
            verification_results_url=self.client.url(publish) if isinstance(publish, str) else None,
            notices=tuple(n for n in (str(entry.get("shortDescription") or ""), *_notices(properties)) if n),
        )
        document = {k: v for k, v in served.items() if k not in _HAL_KEYS}
        pact = parse_pact(document, self.client.url(href), info)
        if pact.provider != provider:
            raise ContractError(f"{href}: the broker served a pact for {pact.provider}, not {provider}")
        return pact


def selectors_of(texts: Sequence[str | Mapping[str, Any]] | None) -> tuple[Mapping[str, Any], ...]:
    """Selectors from the command line or configuration; none given means the defaults."""
    return tuple(parse_selector(t) for t in texts) if texts else DEFAULT_SELECTORS
