"""Deprecation headers probed on the stubs: green on the real ones, red — naming what — on broken ones.

Every test goes through the gate (`run_gate` with the `versioning` suite, `parts=["headers"]`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from contractgate.gate import GatePlan, run_gate
from contracts import openapi_specs
from providers.results import Verdict
from providers.suite import RunOptions
from providers.target import Target, url_target
from providers.versioning.lifecycle import Lifecycle
from stubs.server import bind
from stubs.versioning import DeprecationHeaders
from tests.providers.versioning.support import (
    AnswerStatus,
    EditHeaders,
    drop,
    gate_like,
    not_passed,
    of,
    replace_header,
    stubs,
    versioning,
    wrapped_backend,
)

HEADERS = {"parts": ["headers"]}


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with stubs() as found:
        yield found


def test_every_deprecated_and_current_operation_answers_as_its_contract_says(target: Target) -> None:
    results = versioning(target, **HEADERS)
    assert not_passed(results) == []
    lifecycle = Lifecycle(openapi_specs())
    deprecated = {r.operation.split(" (")[0] for r in of(results, "deprecation-header")}
    assert deprecated == {v.label for v in lifecycle.deprecated()}
    current = {r.operation.split(" (")[0] for r in of(results, "no-deprecation-headers")}
    assert current == {v.label for v in lifecycle.current()}
    # success and error answers are both judged: the 401 without a token and the genuine answer
    statuses = {r.details["status"] for r in of(results, "sunset-header")}
    assert {200, 201, 202, 204, 401} <= statuses
    me = [r for r in of(results, "successor-link") if r.operation.startswith("GET /v1/users/me")]
    assert [r.operation for r in me] == [
        "GET /v1/users/me (without a token)",
        "GET /v1/users/me (with a user token (member, aud=backend))",
    ]
    assert "GET /v2/users/me (backend-v2, v2)" in me[1].observed
    assert me[1].reproduction and "[REDACTED]" in me[1].reproduction and "eyJ" not in me[1].reproduction


def test_a_dropped_sunset_fails_on_every_answer_that_declares_it() -> None:
    factory = wrapped_backend(lambda app: EditHeaders(app, "/v1/", drop("sunset")))
    with stubs(gate_like(backend_factory=factory)) as target:
        results = versioning(target, **HEADERS)
    failed = of(results, "sunset-header", Verdict.FAIL)
    assert failed == [r for r in of(results, "sunset-header") if r.service == "backend-service"]
    assert any(r.operation == "GET /v1/threads (without a token)" for r in failed)
    assert all("has none" in r.observed for r in failed)
    assert of(results, "sunset-header", Verdict.PASS)  # auth-service still sends it
    assert of(results, "deprecation-header", Verdict.FAIL) == []


def test_a_past_sunset_fails() -> None:
    yesterday = int(time.time()) - 86400
    with stubs(gate_like(backend={"v1_sunset_at": yesterday})) as target:
        results = versioning(target, **HEADERS)
    failed = of(results, "sunset-header", Verdict.FAIL)
    assert failed and {r.service for r in failed} == {"backend-service"}
    assert all("is in the past" in r.observed for r in failed)


def test_a_link_to_a_successor_that_does_not_exist_fails() -> None:
    link = replace_header("link", '</v3/threads>; rel="successor-version"')
    factory = wrapped_backend(lambda app: EditHeaders(app, "/v1/", link))
    with stubs(gate_like(backend_factory=factory)) as target:
        results = versioning(target, **HEADERS)
    failed = of(results, "successor-link", Verdict.FAIL)
    assert failed and {r.service for r in failed} == {"backend-service"}
    assert "/v3/threads matches no current operation" in failed[0].observed
    assert "backend-v2" in failed[0].details["expected"]


def test_deprecation_headers_on_v2_fail() -> None:
    def deprecate_v2(app: object) -> object:
        return DeprecationHeaders(
            app, prefix="/v2/", deprecated_at=1767225600, sunset_at=1830297600, successor=lambda path: path
        )

    with stubs(gate_like(backend_factory=wrapped_backend(deprecate_v2))) as target:
        results = versioning(target, **HEADERS)
    failed = of(results, "no-deprecation-headers", Verdict.FAIL)
    assert {r.operation.split(" (")[0] for r in failed} == {
        v.label
        for v in Lifecycle(openapi_specs()).current("backend-service")
        if v.operation.path.startswith("/v2/")
    }
    assert "Deprecation: @1767225600" in failed[0].observed
    assert of(results, "no-deprecation-headers", Verdict.PASS)  # /health, /internal/v1 and auth v2 stay clean


def test_a_deprecation_date_in_the_future_fails(target: Target) -> None:
    before = 1767225600 - 7 * 86400  # a week before the stubs' deprecation date
    results = versioning(target, parts=["headers"], clock=lambda: before, skew=60)
    failed = of(results, "deprecation-header", Verdict.FAIL)
    assert len(failed) == len(of(results, "deprecation-header"))
    assert "is in the future" in failed[0].observed


def test_an_answer_that_is_not_the_operations_is_an_error_not_a_pass() -> None:
    factory = wrapped_backend(lambda app: AnswerStatus(app, "GET", "/v1/users/me", 502))
    with stubs(gate_like(backend_factory=factory)) as target:
        results = versioning(target, **HEADERS)
    errors = [r for r in results if r.verdict is Verdict.ERROR]
    assert {r.operation.split(" (")[0] for r in errors} == {"GET /v1/users/me"}
    assert len(errors) == 6  # two probes, three checks each
    assert "502, a server error the operation does not declare" in errors[0].observed


def test_a_target_that_does_not_answer_stops_the_gate() -> None:
    with stubs() as target:
        closed = bind("127.0.0.1", 0)
        port = closed.getsockname()[1]
        closed.close()
        urls = {name: service.base_url for name, service in target.services.items()}
        urls["backend-service"] = f"http://127.0.0.1:{port}"
        broken = url_target("broken", urls, live=False)
        outcome = run_gate(
            GatePlan(
                target=broken, suites=("versioning",), options=RunOptions(suites={"versioning": HEADERS})
            )
        )
    assert outcome.stopped is not None and "target unreachable" in outcome.stopped
    assert outcome.exit_code == 2


def test_writes_are_skipped_on_a_live_target(target: Target) -> None:
    urls = {name: service.base_url for name, service in target.services.items()}
    live = url_target("live", urls, live=True)
    results = versioning(live, **HEADERS)
    skipped = [r for r in results if r.verdict is Verdict.SKIPPED and "staging-safe" in r.observed]
    writes = [r for r in results if r.operation.split()[0] in ("POST", "DELETE")]
    assert writes and all(r in skipped and "sandbox" in r.observed for r in writes)
    assert not [r for r in results if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert of(results, "deprecation-header", Verdict.PASS)
