"""From the Pact verifier's report to `Result`s a developer can act on: one per interaction.

Each result names the consumer, the provider, the interaction and its provider states, and lists
the mismatches as `{path, expected, actual, mismatch}` — `status`, `header Location`, `$.name`,
`metadata subprotocol` … — with a reproduction: the state-change call(s), then the request, with
the values a state supplies left as their `${…}` expressions and every secret redacted.

Verdicts: matched → pass; a mismatch, a refused handshake, a state the provider cannot set up or no
reply → fail (the provider does not honour what the consumer relies on); the verifier or the
connection breaking down → error. A *pending* interaction (V4, or a pending pact from a broker) that
fails is skipped, not failed — the consumer published it, the provider has not built it yet — and a
skip is never a pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from providers.checks import Basis, register
from providers.pacts.sources import Interaction, PactDocument
from providers.redact import Redactor
from providers.results import Result, Verdict

SUITE = "pacts"
CHECK = "pact"
register(
    "pacts",
    CHECK,
    Basis.CONTRACT,
    "the consumer's pact (its interaction, as the consumer published it)",
    "every interaction of every pact whose provider is in the target verifies",
)
_MAX_TEXT = 300


@dataclass(frozen=True)
class Mismatch:
    path: str
    expected: str
    actual: str
    mismatch: str

    def line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.mismatch}"


def _text(value: Any, redactor: Redactor) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = redactor.text(text)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def mismatches_of(entry: Mapping[str, Any], redactor: Redactor) -> list[Mismatch]:
    """The mismatches of one `interactionResults[]` entry, normalised."""
    mismatch = entry.get("mismatch") or {}
    if mismatch.get("type") == "error":
        return [Mismatch("", "", "", _text(mismatch.get("message", "error"), redactor))]
    found = []
    for item in mismatch.get("mismatches") or []:
        kind = str(item.get("type", ""))
        if kind == "StatusMismatch":
            path = "status"
        elif kind == "HeaderMismatch":
            path = f"header {item.get('key', '')}"
        elif kind == "MetadataMismatch":
            path = f"metadata {item.get('key', '')}"
        elif kind in ("QueryMismatch", "PathMismatch", "MethodMismatch"):
            path = kind.removesuffix("Mismatch").lower() + (
                f" {item['parameter']}" if item.get("parameter") else ""
            )
        elif kind == "BodyTypeMismatch":
            path = "body"
        else:
            path = str(item.get("path", ""))
        found.append(
            Mismatch(
                path,
                _text(item.get("expected"), redactor),
                _text(item.get("actual"), redactor),
                _text(item.get("mismatch", kind), redactor),
            )
        )
    return found


def _state_text(interaction: Interaction) -> str:
    return "; ".join(str(s) for s in interaction.states)


def expectation_of(pact: PactDocument, interaction: Interaction) -> str:
    given = f" given {_state_text(interaction)}" if interaction.states else ""
    what = (
        "the answer to " + interaction.summary if interaction.kind == "http" else "the reply to the message"
    )
    return f"{what} matches what {pact.consumer} relies on{given}"


def _expressions(part: Mapping[str, Any], kind: str) -> dict[str, str]:
    generators = (part.get("generators") or {}).get(kind) or {}
    if generators.get("type") == "ProviderState":  # the path's generator is the generator itself
        return {"": str(generators.get("expression"))}
    return {
        str(k): str(v.get("expression"))
        for k, v in generators.items()
        if isinstance(v, dict) and v.get("type") == "ProviderState"
    }


def _states_call(states_url: str | None, interaction: Interaction, redactor: Redactor) -> list[str]:
    if not states_url:
        return []
    return [
        redactor.curl(
            "POST",
            states_url,
            {"Content-Type": "application/json"},
            json.dumps({"state": s.name, "params": dict(s.params), "action": "setup"}, sort_keys=True),
        )
        for s in interaction.states
    ]


def reproduction_of(
    interaction: Interaction, base_url: str, states_url: str | None, redactor: Redactor, *, channel: str = ""
) -> str:
    """The state setup call(s) and the request, values from states as `${…}`, secrets redacted."""
    lines = _states_call(states_url, interaction, redactor)
    request = interaction.request
    if interaction.kind == "http":
        path = _expressions(request, "path").get("", str(request.get("path", "/")))
        headers = {
            k: ", ".join(v) if isinstance(v, list) else str(v)
            for k, v in (request.get("headers") or {}).items()
        }
        headers.update(_expressions(request, "header"))
        query = request.get("query") or {}
        url = base_url.rstrip("/") + path + (f"?{urlencode(query, doseq=True)}" if query else "")
        body = (request.get("body") or {}).get("content")
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        if isinstance(text, str) and "form-urlencoded" in headers.get("Content-Type", ""):
            fields = dict(pair.split("=", 1) for pair in text.split("&") if "=" in pair)
            fields.update({k.removeprefix("$."): v for k, v in _expressions(request, "body").items()})
            text = "&".join(f"{k}={v}" for k, v in fields.items())
        lines.append(redactor.curl(str(request.get("method", "GET")), url, headers, text))
    else:
        metadata = {k: str(v) for k, v in (request.get("metadata") or {}).items() if k != "contentType"}
        metadata.update(_expressions(request, "metadata"))
        shown = ", ".join(f"{k}: {redactor.header(k, v)}" for k, v in metadata.items())
        lines.append(f"# open {base_url.rstrip('/')}{channel}" + (f" with {shown}" if shown else ""))
        content = (request.get("contents") or {}).get("content")
        if content is not None:
            body = json.loads(json.dumps(content))
            for path, expression in _expressions(request, "body").items():
                keys = path.removeprefix("$.").split(".")
                target = body
                for key in keys[:-1]:
                    target = target.get(key, {}) if isinstance(target, dict) else {}
                if isinstance(target, dict):
                    target[keys[-1]] = expression
            lines.append("send " + redactor.json_text(json.dumps(body, sort_keys=True)))
    return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    """What happened to one interaction, before it becomes a `Result`."""

    verdict: Verdict
    observed: str
    mismatches: tuple[Mismatch, ...] = ()


@dataclass(frozen=True)
class Cause:
    """Why an interaction errored, found after the run (the verifier's report only says "failed")."""

    text: str
    verdict: Verdict = Verdict.FAIL


def outcome_of(entry: Mapping[str, Any] | None, redactor: Redactor, cause: Cause | None = None) -> Outcome:
    """Classify one `interactionResults[]` entry (None: the verifier never reported it)."""
    if entry is None:
        return Outcome(
            Verdict.ERROR, redactor.text(cause.text) if cause else "the Pact verifier did not report it"
        )
    if entry.get("result") == "OK" and not entry.get("mismatch"):
        return Outcome(Verdict.PASS, "matched")
    mismatches = tuple(mismatches_of(entry, redactor))
    observed = "; ".join(m.line() for m in mismatches) or "the interaction did not verify"
    if cause is not None:
        return Outcome(cause.verdict, f"{observed}: {redactor.text(cause.text)}", mismatches)
    if (entry.get("mismatch") or {}).get("type") == "error":
        return Outcome(Verdict.ERROR, observed, mismatches)
    return Outcome(Verdict.FAIL, observed, mismatches)


def result_of(
    pact: PactDocument,
    interaction: Interaction,
    outcome: Outcome,
    *,
    reproduction: str | None,
    duration: str | None = None,
) -> Result:
    pending = interaction.pending or bool(pact.broker and pact.broker.pending)
    verdict, observed = outcome.verdict, outcome.observed
    if pending and verdict in (Verdict.FAIL, Verdict.ERROR):
        verdict, observed = Verdict.SKIPPED, f"pending, not yet honoured: {observed}"
    details: dict[str, Any] = {
        "consumer": pact.consumer,
        "provider": pact.provider,
        "interaction": interaction.description,
        "kind": interaction.kind,
        "provider_states": [{"name": s.name, "params": dict(s.params)} for s in interaction.states],
        "mismatches": [m.__dict__ for m in outcome.mismatches],
        "pending": pending,
        # what verification found, before pending softened it (what a broker is told)
        "outcome": outcome.verdict.value,
        "source": pact.origin,
    }
    if duration:
        details["duration"] = duration
    return Result(
        suite=SUITE,
        service=pact.provider,
        operation=f"{pact.consumer} → {pact.provider}: {interaction.description}",
        check=CHECK,
        expectation=expectation_of(pact, interaction),
        observed=observed,
        verdict=verdict,
        reproduction=reproduction,
        details=details,
    )


def skipped(pact: PactDocument, interaction: Interaction, reason: str) -> Result:
    return result_of(
        pact, interaction, Outcome(Verdict.SKIPPED, f"not verified: {reason}"), reproduction=None
    )


def pact_skipped(pact: PactDocument, reason: str) -> Result:
    """One result for a whole pact that was not run (its provider is not in the target)."""
    return Result(
        suite=SUITE,
        service=pact.provider,
        operation=f"{pact.consumer} → {pact.provider}",
        check=CHECK,
        expectation=f"{len(pact.interactions)} interactions of {pact.consumer}'s pact are honoured",
        observed=f"not verified: {reason}",
        verdict=Verdict.SKIPPED,
        details={"consumer": pact.consumer, "provider": pact.provider, "source": pact.origin},
    )


def index_report(report: Mapping[str, Any]) -> dict[tuple[str, tuple[str, ...]], Mapping[str, Any]]:
    """`interactionResults` keyed by (description, provider state names)."""
    entries: Iterable[Mapping[str, Any]] = report.get("interactionResults") or []
    return {
        (str(e.get("description")), tuple(str(s) for s in e.get("providerStates") or [])): e for e in entries
    }
