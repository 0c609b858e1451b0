"""The cross-service auth matrix: the real stubs agree with every cell; each authorization flaw is the
cell that disagrees, with the declared status it should have answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contractgate.embedded import embedded_stubs
from providers.results import Result, Verdict
from providers.target import Target, url_target
from tests.providers.tokens.flawed import FlawedPlatform
from tests.providers.tokens.support import failing, of, run_suite, unredacted

THREAD = "GET /v2/threads/{thread_id}"
USAGE = "GET /v2/admin/usage"
CANCEL = "POST /internal/v1/runs/{run_id}/cancel"
RUN = "GET /internal/v1/runs/{run_id}"
INTROSPECT = "POST /v2/auth/introspect"
OPERATIONS = [THREAD, USAGE, CANCEL, RUN, INTROSPECT]


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


@pytest.fixture(scope="module")
def flawed() -> Iterator[FlawedPlatform]:
    platform = FlawedPlatform().start()
    yield platform
    platform.stop()


@pytest.fixture(scope="module")
def results(stubs: Target) -> list[Result]:
    return run_suite("crossauth", stubs)


def test_the_real_stubs_agree_with_every_cell(results: list[Result]) -> None:
    assert [r for r in results if r.verdict is not Verdict.PASS] == []
    assert all(unredacted(r) == [] for r in results)


def test_the_cells_are_derived_from_the_requirements(results: list[Result]) -> None:
    cells = {(r.operation, r.check) for r in results}
    assert (THREAD, "member user token → allowed") in cells
    assert (THREAD, "member user token for another audience → 401") in cells
    assert (THREAD, "other tenant's user token → 404") in cells
    assert (THREAD, "service token → 403") in cells
    assert (USAGE, "admin user token → allowed") in cells
    assert (USAGE, "member user token → 403") in cells
    assert (CANCEL, "service token with runs:write → allowed") in cells
    assert (CANCEL, "service token without runs:write → 403") in cells
    assert (CANCEL, "service token for another audience → 401") in cells
    assert (CANCEL, "expired service token → 401") in cells
    assert (CANCEL, "member user token → 403") in cells
    # A user token at the auth service's introspection is both the wrong kind and the wrong audience.
    assert (INTROSPECT, "member user token → 401/403") in cells
    assert ("ws /ws", "member user token for another audience → 401") in cells
    other = of(results, THREAD, "other tenant's user token → 404")
    assert other.expectation == "denied with 404 (declared): the resource belongs to another tenant's user"
    assert other.details["token"] == "user token (other-tenant, roles member, aud=backend)"


@pytest.mark.parametrize(
    ("flaw", "cells"),
    [
        (
            "skip-audience",
            {
                (THREAD, "member user token for another audience → 401"),
                (USAGE, "member user token for another audience → 401"),
                (CANCEL, "service token for another audience → 401"),
                (RUN, "service token for another audience → 401"),
                # Let in, the user token is then refused as the wrong kind: 403, not the 401 it deserves.
                (CANCEL, "member user token for another audience → 401"),
                (RUN, "member user token for another audience → 401"),
            },
        ),
        (
            "skip-expiry",
            {
                (CANCEL, "expired service token → 401"),
                (RUN, "expired service token → 401"),
                (INTROSPECT, "expired service token → 401"),
            },
        ),
        (
            "skip-scope",
            {
                (CANCEL, "service token without runs:write → 403"),
                (RUN, "service token without runs:read → 403"),
            },
        ),
        ("skip-role", {(USAGE, "member user token → 403"), (USAGE, "other tenant's user token → 403")}),
        ("tenant-403", {(THREAD, "other tenant's user token → 404")}),
        ("tenant-leak", {(THREAD, "other tenant's user token → 404")}),
        # Only user operations: a service token turned user is refused on the internal API (its control
        # fails), and on the admin usage still lacks the role.
        ("service-as-user", {(THREAD, "service token → 403")}),
    ],
)
def test_each_flaw_is_the_cell_that_disagrees(
    flawed: FlawedPlatform, flaw: str, cells: set[tuple[str, str]]
) -> None:
    operations = [THREAD, USAGE] if flaw == "service-as-user" else OPERATIONS
    with flawed.flaws.on(flaw):
        results = run_suite("crossauth", flawed.target, operations=operations, websocket=False)
    assert failing(results) == cells
    for operation, check in cells:
        result = of(results, operation, check)
        assert result.verdict is Verdict.FAIL
        assert result.reproduction is not None and result.reproduction.startswith("curl ")
        assert unredacted(result) == []


def test_another_tenants_resource_answered_403_names_the_declared_404(flawed: FlawedPlatform) -> None:
    with flawed.flaws.on("tenant-403"):
        results = run_suite("crossauth", flawed.target, operations=[THREAD], websocket=False)
    result = of(results, THREAD, "other tenant's user token → 404")
    assert result.observed.startswith("HTTP 403")
    assert "404 (declared)" in result.expectation


def test_a_target_that_refuses_the_allowed_token_has_its_denials_as_errors(flawed: FlawedPlatform) -> None:
    with flawed.flaws.on("refuse-all"):
        results = run_suite(
            "crossauth", flawed.target, operations=[THREAD, CANCEL], websocket=False, control_retry_delay=0.05
        )
    primaries = [r for r in results if r.check.endswith("→ allowed") and r.verdict is Verdict.FAIL]
    assert sorted(r.operation for r in primaries) == sorted([THREAD, CANCEL])
    others = [r for r in results if r not in primaries]
    assert others and {r.verdict for r in others} == {Verdict.ERROR}


def test_without_the_key_holder_the_expired_service_token_is_not_a_row(stubs: Target) -> None:
    urls = {name: service.base_url for name, service in stubs.services.items()}
    results = run_suite(
        "crossauth", url_target("staging", urls, live=True), operations=[RUN, "GET /v2/users/me"]
    )
    assert not [r for r in results if "expired" in r.check]
    # Without writes there is no run to name: that operation is skipped, never passed.
    assert {r.verdict for r in results if r.operation == RUN} == {Verdict.SKIPPED}
    assert {r.verdict for r in results if r.operation == "GET /v2/users/me"} == {Verdict.PASS}
