"""Old consumers' pacts: chosen by the deprecated operations their requests exercise, verified as pacts are.

Verification itself is the `pacts` suite's (tested in tests/providers/pacts); here: which interactions
are chosen, and that a provider change breaking an old consumer fails naming the interaction.
"""

from __future__ import annotations

import json
from typing import Any, cast

from contracts import openapi_specs, pact_files
from providers.credentials import Credentials, TokenSource
from providers.http import TargetHttp
from providers.pacts.sources import LoadedPacts, parse_pact
from providers.platform import of_folder
from providers.redact import Redactor
from providers.results import Verdict
from providers.suite import RunContext, RunOptions
from providers.target import Target
from providers.versioning.lifecycle import Lifecycle
from providers.versioning.old_consumers import old_interactions, pact_settings
from tests.providers.pacts.broken_providers import EditJsonResponses, rename_field
from tests.providers.versioning.support import gate_like, not_passed, of, stubs, versioning, wrapped_backend

LIFECYCLE = Lifecycle(openapi_specs())
PACTS = {"parts": ["pacts"]}


def interaction(description: str, method: str, path: str) -> dict[str, Any]:
    return {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {"method": method, "path": path},
        "response": {"status": 200},
    }


def test_interactions_are_chosen_by_the_deprecated_operation_they_exercise_not_by_consumer() -> None:
    pact = parse_pact(
        {
            "consumer": {"name": "web-frontend"},  # a "current" consumer still calling v1
            "provider": {"name": "backend-service"},
            "interactions": [
                interaction("old list", "GET", "/v1/threads"),
                interaction("old thread", "GET", "/v1/threads/3f6c2d9e-1b7a-4c8e-9d2f-5a6b7c8d9e0f"),
                interaction("new list", "GET", "/v2/threads"),
                interaction("wrong method", "PATCH", "/v1/threads"),
                interaction("internal", "GET", "/internal/v1/runs/x"),
            ],
        },
        "inline",
    )
    chosen = old_interactions(pact, LIFECYCLE)
    assert [(i.description, v.label) for i, v in chosen] == [
        ("old list", "GET /v1/threads"),
        ("old thread", "GET /v1/threads/{thread_id}"),
    ]


def test_the_legacy_consumer_is_the_only_one_of_the_shipped_pacts_on_deprecated_operations() -> None:
    chosen = {}
    for path in pact_files():
        pact = parse_pact(json.loads(path.read_text()), str(path))
        found = old_interactions(pact, LIFECYCLE)
        if found:
            chosen[pact.name] = len(found)
    assert chosen == {"mobile-app-legacy → auth-service": 7, "mobile-app-legacy → backend-service": 10}


def test_old_consumers_pacts_verify_against_the_stubs() -> None:
    with stubs() as target:
        results = versioning(target, **PACTS)
    assert not_passed(results) == []
    assert len(results) == 17
    assert all(r.suite == "versioning" and r.check == "old-consumer-pact" for r in results)
    thread = next(
        r for r in results if r.details["interaction"] == "a v1 request for one of the user's threads"
    )
    assert thread.details["deprecated_operation"] == "GET /v1/threads/{thread_id}"
    assert thread.details["spec"] == "backend-v1"


def test_a_provider_change_that_breaks_an_old_consumer_fails_naming_the_interaction() -> None:
    factory = wrapped_backend(
        lambda app: EditJsonResponses(app, "POST", r"/v1/threads", rename_field("message_count", "messages"))
    )
    with stubs(gate_like(backend_factory=factory)) as target:
        results = versioning(target, **PACTS)
    failed = of(results, "old-consumer-pact", Verdict.FAIL)
    assert [r.operation for r in failed] == ["mobile-app-legacy → backend-service: a new v1 thread"]
    assert failed[0].details["deprecated_operation"] == "POST /v1/threads"
    assert any("message_count" in m["mismatch"] for m in failed[0].details["mismatches"])
    assert failed[0].reproduction and "/v1/threads" in failed[0].reproduction


def test_no_pact_on_a_deprecated_operation_is_a_skip_not_a_pass() -> None:
    web = [p for p in pact_files() if p.name.startswith("web-frontend-backend")]
    source = LoadedPacts([parse_pact(json.loads(p.read_text()), str(p)) for p in web], "web-frontend only")
    with stubs() as target:
        results = versioning(target, parts=["pacts"], pacts={"source": source})
    assert [r.verdict for r in results] == [Verdict.SKIPPED]
    assert "no pact of web-frontend only exercises any of the 16 deprecated operations" in results[0].observed


def test_a_pact_on_a_service_the_target_lacks_is_skipped_not_forgotten() -> None:
    with stubs() as target:
        partial = Target("auth only", {"auth-service": target.services["auth-service"]})
        results = versioning(partial, **PACTS)
    skipped = [r for r in results if r.verdict is Verdict.SKIPPED]
    assert [r.operation for r in skipped] == ["mobile-app-legacy → backend-service"]
    assert "has no backend-service" in skipped[0].observed
    assert len(of(results, "old-consumer-pact", Verdict.PASS)) == 7


def test_the_pacts_suites_consumer_filter_does_not_hide_old_consumers() -> None:
    ctx = RunContext(
        platform=of_folder(),
        target=Target("none", {}),
        specs=openapi_specs(),
        asyncapi=None,
        credentials=Credentials(),
        tokens=cast(TokenSource, None),
        http=cast(TargetHttp, None),
        redactor=Redactor(),
        options=RunOptions(suites={"pacts": {"consumers": ["web-frontend"], "timeout": 3}}),
    )
    inherited = pact_settings(ctx, None)
    assert inherited.consumers == frozenset() and inherited.timeout == 3
    assert pact_settings(ctx, {"consumers": ["mobile-app-legacy"]}).consumers == {"mobile-app-legacy"}
