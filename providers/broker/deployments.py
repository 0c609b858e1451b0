"""Environments and deployments: telling the broker which version now runs where.

`record_deployment` does what `pact broker record-deployment` does: it fetches the pacticipant
version through the index's `pb:pacticipant-version` relation and POSTs to that version's
`pb:record-deployment` link for the environment (the broker lists one per environment it knows). The
broker then treats that version as the one deployed there — for `can-i-deploy` and for the
`deployedOrReleased` selector — and the version previously deployed to the same environment (and
application instance) as no longer deployed. An unknown environment or version is a `BrokerError`
that says which ones the broker does know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.broker.client import BrokerClient, BrokerNotFound
from providers.errors import BrokerError

__all__ = ["Deployment", "Environment", "environments", "record_deployment"]


@dataclass(frozen=True)
class Environment:
    name: str
    uuid: str | None = None
    display_name: str | None = None
    production: bool = False


@dataclass(frozen=True)
class Deployment:
    pacticipant: str
    version: str
    environment: str
    application_instance: str | None
    url: str | None


def environments(client: BrokerClient) -> list[Environment]:
    """The environments the broker knows (`pb:environments`)."""
    answer = client.get(client.relation("pb:environments"))
    found = (answer.get("_embedded") or {}).get("environments") or []
    return [
        Environment(str(e.get("name")), e.get("uuid"), e.get("displayName"), bool(e.get("production")))
        for e in found
        if isinstance(e, dict) and e.get("name")
    ]


def record_deployment(
    client: BrokerClient,
    pacticipant: str,
    version: str,
    environment: str,
    *,
    application_instance: str | None = None,
) -> Deployment:
    """Record that `version` of `pacticipant` is now deployed to `environment`."""
    url = client.relation("pb:pacticipant-version", pacticipant=pacticipant, version=version)
    try:
        resource = client.get(url)
    except BrokerNotFound:
        raise BrokerError(
            f"the Pact Broker has no version {version} of {pacticipant} (publish its pacts or "
            "verification results first)"
        ) from None
    links = (resource.get("_links") or {}).get("pb:record-deployment") or []
    if isinstance(links, dict):
        links = [links]
    href = next(
        (link.get("href") for link in links if isinstance(link, dict) and link.get("name") == environment),
        None,
    )
    if not isinstance(href, str):
        known = sorted(str(link.get("name")) for link in links if isinstance(link, dict) and link.get("name"))
        raise BrokerError(
            f"the Pact Broker has no environment {environment!r} (known: {', '.join(known) or 'none'})"
        )
    body: dict[str, Any] = {}
    if application_instance:
        body["applicationInstance"] = application_instance
    answer = client.post(href, body)
    self_link = ((answer.get("_links") or {}).get("self") or {}).get("href")
    return Deployment(pacticipant, version, environment, application_instance, self_link)
