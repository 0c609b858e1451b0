"""Publishing verification results to the broker, one per pact — only when asked (e.g. in CI).

After the `pacts` suite verified a pact that came from a broker, `VerificationPublisher.publish` tells
the broker what happened, the way the Pact verifiers do: the provider version's branch is recorded
first through the provider's `pb:branch-version` relation (and its tags through `pb:version-tag`),
then the result is POSTed to the pact's `pb:publish-verification-results` link with `success`,
`providerApplicationVersion`, `buildUrl`, `verifiedBy` and one `testResults` entry per interaction
(its `_id`, description, success and mismatches as `{attribute, identifier, description}`).

What is published is what verification *found*: a pending pact that failed is published as a failure
(that is how it stays pending), although the gate counts it as skipped. A pact that was not verified
in full — interactions skipped (a live target without provider states, say) or not decidable (the
verifier broke down) — is not published at all: a partial success would let `can-i-deploy` say yes
for interactions nobody checked. A broker that refuses the publication stops the run (exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from providers.broker.client import BrokerClient
from providers.errors import BrokerError
from providers.pacts.sources import PactDocument
from providers.results import Result, Verdict

__all__ = ["Publication", "VerificationPublisher", "interaction_results"]

_ATTRIBUTES = {"status", "header", "metadata", "query", "path", "method"}


def _version() -> str:
    try:
        return metadata.version("contractgate")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


@dataclass(frozen=True)
class Publication:
    """What happened to one pact's result: published (with its URL) or not, and why."""

    pact: str
    success: bool | None
    url: str | None = None
    reason: str | None = None

    @property
    def published(self) -> bool:
        return self.url is not None

    def describe(self) -> str:
        if not self.published:
            return f"{self.pact}: verification result not published ({self.reason})"
        outcome = "success" if self.success else "failure"
        return f"{self.pact}: verification result published ({outcome}) to {self.url}"


def _mismatch(entry: Mapping[str, Any]) -> dict[str, str]:
    """A mismatch as the broker's verification results carry it (the Pact verifiers' shape)."""
    path = str(entry.get("path") or "")
    description = str(entry.get("mismatch", ""))
    attribute, _, identifier = path.partition(" ")
    if attribute in _ATTRIBUTES:
        found = {"attribute": attribute, "description": description}
        if identifier:
            found["identifier"] = identifier
        return found
    return {
        "attribute": "body",
        "identifier": path if path.startswith("$") else "$",
        "description": description,
    }


def interaction_results(pact: PactDocument, results: Sequence[Result]) -> list[dict[str, Any]]:
    """One `testResults` entry per interaction, in the pact's order."""
    ids = {i.description: i.raw.get("_id") for i in pact.interactions}
    entries = []
    for result in results:
        description = str(result.details.get("interaction", ""))
        success = result.details.get("outcome", result.verdict.value) == Verdict.PASS.value
        entry: dict[str, Any] = {"interactionDescription": description, "success": success}
        if ids.get(description):
            entry["interactionId"] = ids[description]
        mismatches = [_mismatch(m) for m in result.details.get("mismatches") or []]
        if mismatches:
            entry["mismatches"] = mismatches
        elif not success:
            entry["exceptions"] = [{"message": result.observed}]
        entries.append(entry)
    return entries


class VerificationPublisher:
    """Publishes each broker pact's verification as the provider's version (on `provider_branch`).

    `provider_version` is one version for every provider (a monorepo's commit) or one per provider.
    """

    def __init__(
        self,
        client: BrokerClient,
        provider_version: str | Mapping[str, str],
        *,
        provider_branch: str | None = None,
        provider_tags: Sequence[str] = (),
        build_url: str | None = None,
    ) -> None:
        versions = (
            [provider_version] if isinstance(provider_version, str) else list(provider_version.values())
        )
        if not versions or any(not v.strip() for v in versions):
            raise BrokerError("publishing verification results needs a provider version")
        self.client = client
        self.provider_version = provider_version
        self.provider_branch = provider_branch
        self.provider_tags = tuple(provider_tags)
        self.build_url = build_url
        self.publications: list[Publication] = []
        self._recorded: set[str] = set()

    def publish(self, pact: PactDocument, results: Sequence[Result]) -> str | None:
        """Publish `results` (this pact's) if the pact came from a broker; the line to show, if any."""
        if pact.broker is None or not pact.broker.verification_results_url:
            return None
        publication = self._publish(pact, [r for r in results if r.details.get("interaction")])
        self.publications.append(publication)
        return publication.describe()

    def _publish(self, pact: PactDocument, results: list[Result]) -> Publication:
        outcomes = [r.details.get("outcome", r.verdict.value) for r in results]
        verified = {Verdict.PASS.value, Verdict.FAIL.value}
        if len(results) < len(pact.interactions) or any(o not in verified for o in outcomes):
            unverified = len(pact.interactions) - sum(o in verified for o in outcomes)
            return Publication(pact.name, None, reason=f"{unverified} interactions were not verified")
        version = self.version_of(pact.provider)
        if version is None:
            return Publication(pact.name, None, reason=f"no version of {pact.provider} to publish it as")
        success = all(o == Verdict.PASS.value for o in outcomes)
        self._record_provider_version(pact.provider, version)
        body: dict[str, Any] = {
            "success": success,
            "providerApplicationVersion": version,
            "verifiedBy": {"implementation": "contractgate", "version": _version()},
            "testResults": interaction_results(pact, results),
        }
        if self.build_url:
            body["buildUrl"] = self.build_url
        assert pact.broker is not None and pact.broker.verification_results_url is not None
        answer = self.client.post(pact.broker.verification_results_url, body)
        href = ((answer.get("_links") or {}).get("self") or {}).get("href")
        return Publication(pact.name, success, self.client.url(href or pact.broker.verification_results_url))

    def version_of(self, provider: str) -> str | None:
        if isinstance(self.provider_version, str):
            return self.provider_version
        return self.provider_version.get(provider)

    def _record_provider_version(self, provider: str, version: str) -> None:
        """The provider version's branch and tags, once per provider, before its first result."""
        if provider in self._recorded or not (self.provider_branch or self.provider_tags):
            return
        pacticipant = self.client.get(self.client.relation("pb:pacticipant", pacticipant=provider))
        if self.provider_branch:
            url = self.client.relation(
                "pb:branch-version", pacticipant, branch=self.provider_branch, version=version
            )
            self.client.put(url, {})
        for tag in self.provider_tags:
            self.client.put(self.client.relation("pb:version-tag", pacticipant, version=version, tag=tag), {})
        self._recorded.add(provider)
