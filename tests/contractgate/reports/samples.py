"""Synthetic gate outcomes for the report tests, with hostile text in every field a target controls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contractgate.gate import GateOutcome
from contractgate.reports import ReportData, build
from providers.results import Result, Verdict

GENERATED_AT = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
#: A JWT that a suite forgot to redact: every report must mask it anyway.
LEAKED_JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz"
#: Sets an attribute if it ever runs; the rendered DOM must not carry it.
SCRIPT = "</script><script>document.documentElement.setAttribute('data-pwned','1')</script>"
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">"
CONTROL = "bell\x07 nul\x00 esc\x1b[31m vt\x0b ff\x0c end"
UNICODE = "Grüße, 日本語, naïve — ✓ 🚀"
MARKDOWN = "a | pipe, `tick`, ```fence```, **bold**, [link](http://x), </details>"


def pact(consumer: str, provider: str, verdict: Verdict, n: int, *, pending: bool = False) -> Result:
    return Result(
        suite="pacts",
        service=provider,
        operation=f"{consumer} → {provider}: interaction {n}",
        check="pact",
        expectation=f"the answer matches what {consumer} relies on",
        observed="matched" if verdict is Verdict.PASS else f"$.body.id: expected a string, got 42 ({n})",
        verdict=verdict,
        reproduction=f"curl -X GET http://127.0.0.1:8002/v2/threads/{n}",
        details={"consumer": consumer, "provider": provider, "pending": pending, "interaction": f"i{n}"},
    )


def results() -> list[Result]:
    return [
        pact("web-frontend", "backend-service", Verdict.PASS, 1),
        pact("web-frontend", "backend-service", Verdict.PASS, 2),
        pact("web-frontend", "backend-service", Verdict.FAIL, 3),
        pact("web-frontend", "auth-service", Verdict.PASS, 4),
        pact("mobile-app-legacy", "auth-service", Verdict.PASS, 5),
        pact("mobile-app-legacy", "auth-service", Verdict.SKIPPED, 6, pending=True),
        pact("backend-service", "auth-service", Verdict.ERROR, 7),
        pact("websocket-service", "backend-service", Verdict.SKIPPED, 8),
        Result(
            suite="fuzz",
            service="backend-service",
            operation="GET /v2/threads/{thread_id}",
            check="response_schema_conformance",
            expectation="responses match the schema of the operation",
            observed=f"field title was {SCRIPT} & {IMG} & {UNICODE}",
            verdict=Verdict.FAIL,
            reproduction=(
                f"curl -X GET 'http://127.0.0.1:8002/v2/threads/x' -H 'Authorization: Bearer {LEAKED_JWT}'"
                f" -H 'X-Note: {MARKDOWN}'"
            ),
            details={"seed": 1234, "spec": "backend-v2", "token": LEAKED_JWT, "ratio": float("nan")},
        ),
        Result(
            suite="fuzz",
            service="backend-service",
            operation="POST /v2/threads",
            check="not_a_server_error",
            expectation="no 5xx",
            observed=f"500 Internal Server Error: {CONTROL}",
            verdict=Verdict.ERROR,
            reproduction=None,
            details={"seed": 1234, "spec": "backend-v2"},
        ),
        Result(
            suite="fuzz",
            service="auth-service",
            operation="POST /v2/auth/token",
            check="status_code_conformance",
            expectation="declared statuses only",
            observed="512 response(s) checked, none broke it",
            verdict=Verdict.PASS,
            details={"seed": 1234, "spec": "auth-v2"},
        ),
        Result(
            suite="fuzz",
            service="auth-service",
            operation="GET /v1/auth/me",
            check="all",
            expectation="the operation is fuzzed",
            observed=f"no credential: {MARKDOWN}",
            verdict=Verdict.SKIPPED,
            details={"seed": 1234, "spec": "auth-v1"},
        ),
        Result(
            suite="websocket",
            service="websocket-service",
            operation="ws /ws",
            check="handshake-accepted",
            expectation="a genuine user token is accepted",
            observed=f"accepted ({UNICODE})",
            verdict=Verdict.PASS,
        ),
    ]


def outcome(**changes: Any) -> GateOutcome:
    values: dict[str, Any] = {
        "target": "stubs",
        "suites": ("pacts", "fuzz", "websocket"),
        "results": results(),
        "seconds": 12.5,
        "suite_seconds": {"pacts": 2.25, "fuzz": 8.5, "websocket": 1.75},
        "stopped": None,
        "requests": 321,
    }
    values.update(changes)
    return GateOutcome(**values)


def passing() -> GateOutcome:
    kept = [r for r in results() if r.verdict is Verdict.PASS]
    return outcome(results=kept)


def stopped() -> GateOutcome:
    """The target went down during `fuzz`: websocket never ran."""
    kept = [r for r in results() if r.suite == "pacts"]
    return outcome(
        results=kept,
        suite_seconds={"pacts": 2.25, "fuzz": 0.5},
        stopped="fuzz: target unreachable: http://127.0.0.1:8002 (ConnectError)",
    )


def data_of(gate_outcome: GateOutcome) -> ReportData:
    return build(gate_outcome, generated_at=GENERATED_AT, version="9.9.9")
