"""`can-i-deploy`: the broker's matrix, asked whether a pacticipant version may go to an environment.

The question is the Pact CLI's — `GET /matrix?q[][pacticipant]=NAME&q[][version]=V&latestby=cvp&
environment=ENV` — and so is the answer: `summary.deployable` (true, false, or null while results are
still unknown, e.g. a provider build that is still verifying), its reason, and the matrix rows
(consumer version × provider version × verification result). While the answer is unknown the
question is asked again, a bounded number of times, `retry_interval` seconds apart.

A `Decision` keeps the rows that decide it: all of them when the answer is yes, else the failed and
unknown ones — each failed row with the interactions that failed, read from the verification result
the row links to (its `testResults`), so "no" names what broke.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.broker.client import BrokerClient
from providers.errors import BrokerError

__all__ = ["Decision", "MatrixRow", "can_i_deploy"]


@dataclass(frozen=True)
class MatrixRow:
    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None
    #: The verification's result; None when the pact was not verified by this provider version.
    success: bool | None
    verification_url: str | None = None
    pact_url: str | None = None
    failed_interactions: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return {True: "success", False: "failed", None: "unknown"}[self.success]

    def describe(self) -> str:
        line = (
            f"{self.consumer} {self.consumer_version or '?'} → "
            f"{self.provider} {self.provider_version or '(no verified version)'}: {self.status}"
        )
        if self.failed_interactions:
            line += " — failed: " + "; ".join(repr(i) for i in self.failed_interactions)
        return line

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "consumer_version": self.consumer_version,
            "provider": self.provider,
            "provider_version": self.provider_version,
            "success": self.success,
            "verification": self.verification_url,
            "failed_interactions": list(self.failed_interactions),
        }


@dataclass(frozen=True)
class Decision:
    pacticipant: str
    version: str
    environment: str
    #: True: deploy; False: do not; None: still unknown after every retry (do not deploy either).
    deployable: bool | None
    reason: str
    rows: tuple[MatrixRow, ...]
    notices: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    #: How many times the matrix was asked (1 + retries while unknown).
    queries: int = 1
    url: str = ""

    @property
    def yes(self) -> bool:
        return self.deployable is True

    def deciding_rows(self) -> tuple[MatrixRow, ...]:
        return self.rows if self.yes else tuple(r for r in self.rows if r.success is not True)

    def summary(self) -> str:
        answer = {True: "yes", False: "no", None: "unknown"}[self.deployable]
        return f"can {self.pacticipant} {self.version} be deployed to {self.environment}? {answer}: {self.reason}"


def _name(party: Mapping[str, Any]) -> tuple[str, str | None]:
    version = party.get("version") or {}
    number = version.get("number") if isinstance(version, dict) else None
    return str(party.get("name", "?")), str(number) if number is not None else None


def _href(resource: Any) -> str | None:
    href = (
        ((resource or {}).get("_links") or {}).get("self", {}).get("href")
        if isinstance(resource, dict)
        else None
    )
    return href if isinstance(href, str) else None


def _row(entry: Mapping[str, Any]) -> MatrixRow:
    consumer, consumer_version = _name(entry.get("consumer") or {})
    provider, provider_version = _name(entry.get("provider") or {})
    verification = entry.get("verificationResult")
    success = verification.get("success") if isinstance(verification, dict) else None
    return MatrixRow(
        consumer,
        consumer_version,
        provider,
        provider_version,
        success if isinstance(success, bool) else None,
        verification_url=_href(verification),
        pact_url=_href(entry.get("pact")),
    )


def failed_interactions(client: BrokerClient, row: MatrixRow) -> tuple[str, ...]:
    """The interactions a failed verification names (descriptions; ids looked up in the pact)."""
    if row.success is not False or not row.verification_url:
        return ()
    verification = client.get(row.verification_url)
    failed = [
        t for t in verification.get("testResults") or [] if isinstance(t, dict) and t.get("success") is False
    ]
    names: list[str] = []
    descriptions: dict[str, str] | None = None
    for entry in failed:
        description = entry.get("interactionDescription")
        if not description and entry.get("interactionId") and row.pact_url:
            if descriptions is None:
                pact = client.get(row.pact_url)
                descriptions = {
                    str(i.get("_id")): str(i.get("description"))
                    for i in pact.get("interactions") or []
                    if isinstance(i, dict) and i.get("_id")
                }
            description = descriptions.get(str(entry["interactionId"]))
        names.append(str(description or entry.get("interactionId") or "an interaction"))
    return tuple(dict.fromkeys(names))


def can_i_deploy(
    client: BrokerClient,
    pacticipant: str,
    version: str,
    environment: str,
    *,
    retry_while_unknown: int = 0,
    retry_interval: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Decision:
    """Ask the matrix; while the answer is unknown ask again, at most `retry_while_unknown` times."""
    if retry_while_unknown < 0 or retry_interval < 0:
        raise BrokerError("can-i-deploy: retries and their interval cannot be negative")
    url = client.base_url + "/matrix"
    params = [
        ("q[][pacticipant]", pacticipant),
        ("q[][version]", version),
        ("latestby", "cvp"),
        ("environment", environment),
    ]
    queries = 0
    while True:
        answer = client.get(url, params)
        queries += 1
        summary = answer.get("summary")
        if not isinstance(summary, dict) or not isinstance(answer.get("matrix"), list):
            raise BrokerError(f"Pact Broker's matrix answer at {url} has no summary or matrix")
        deployable = summary.get("deployable")
        if deployable is not None or queries > retry_while_unknown:
            break
        sleep(retry_interval)
    rows = []
    for entry in answer["matrix"]:
        if isinstance(entry, dict):
            row = _row(entry)
            if row.success is False:
                row = MatrixRow(**{**row.__dict__, "failed_interactions": failed_interactions(client, row)})
            rows.append(row)
    notices = tuple(
        str(n.get("text")) for n in answer.get("notices") or [] if isinstance(n, dict) and n.get("text")
    )
    return Decision(
        pacticipant=pacticipant,
        version=version,
        environment=environment,
        deployable=deployable if isinstance(deployable, bool) else None,
        reason=str(summary.get("reason") or ""),
        rows=tuple(rows),
        notices=notices,
        counts={k: int(summary.get(k) or 0) for k in ("success", "failed", "unknown")},
        queries=queries,
        url=client.query_url(url, params),
    )
