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
    assert [r for r in results if r.verdict in (Verdict.FAIL, Verdict.ERROR)] == []
    # Only the cells no genuine token exists for are skipped, each saying so.
    skipped = {(r.check, r.observed) for r in results if r.verdict is Verdict.SKIPPED}
    assert {check for check, _ in skipped} == {"wrong-audience:user", "missing-scope:auth:introspect"}
    assert all("configure" in why or "no other audience" in why for _, why in skipped)
    assert all(unredacted(r) == [] for r in results)


def test_the_cells_are_derived_from_the_requirements(results: list[Result]) -> None:
    cells = {(r.operation, r.check) for r in results}
    assert (THREAD, "allowed:userToken") in cells
    assert (THREAD, "wrong-audience:user") in cells
    assert (THREAD, "other-owner") in cells
    assert (THREAD, "wrong-kind:service") in cells
    assert (USAGE, "allowed:userToken") in cells
    assert (USAGE, "missing-role:admin") in cells
    assert (CANCEL, "allowed:serviceToken") in cells
    assert (CANCEL, "missing-scope:runs:write") in cells
    assert (CANCEL, "wrong-audience:service") in cells
    assert (CANCEL, "expired") in cells
    assert (CANCEL, "wrong-kind:user") in cells
    assert ("ws /ws", "wrong-audience:user") in cells
    other = of(results, THREAD, "other-owner")
    assert other.expectation == "denied with 404 (declared): the resource belongs to another tenant's user"
    assert other.details["token"].startswith("user token (")
    assert {r.basis for r in results} <= {"contract", "standard"}


@pytest.mark.parametrize(
    ("flaw", "cells"),
    [
        (
            "skip-audience",
            {
                (THREAD, "wrong-audience:user"),
                (USAGE, "wrong-audience:user"),
                (CANCEL, "wrong-audience:service"),
                (RUN, "wrong-audience:service"),
            },
        ),
        ("skip-expiry", {(THREAD, "expired"), (USAGE, "expired"), (CANCEL, "expired"), (RUN, "expired"), (INTROSPECT, "expired")}),
        ("skip-scope", {(CANCEL, "missing-scope:runs:write"), (RUN, "missing-scope:runs:read")}),
        ("skip-role", {(USAGE, "missing-role:admin")}),
        ("tenant-403", {(THREAD, "other-owner")}),
        ("tenant-leak", {(THREAD, "other-owner")}),
        # Only user operations: a service token turned user is refused on the internal API (its control
        # fails), and on the admin usage still lacks the role.
        ("service-as-user", {(THREAD, "wrong-kind:service")}),
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
    result = of(results, THREAD, "other-owner")
    assert result.observed.startswith("HTTP 403")
    assert "404 (declared)" in result.expectation


def test_a_target_that_refuses_the_allowed_token_has_its_denials_as_errors(flawed: FlawedPlatform) -> None:
    with flawed.flaws.on("refuse-all"):
        results = run_suite(
            "crossauth", flawed.target, operations=[THREAD, CANCEL], websocket=False, control_retry_delay=0.05
        )
    primaries = [r for r in results if r.check.startswith("allowed") and r.verdict is Verdict.FAIL]
    assert sorted(r.operation for r in primaries) == sorted([THREAD, CANCEL])
    others = [r for r in results if r not in primaries]
    assert others and {r.verdict for r in others} == {Verdict.ERROR}


def test_without_the_key_holder_the_expired_cell_is_skipped_naming_what_enables_it(
    stubs: Target, results: list[Result]
) -> None:
    urls = {name: service.base_url for name, service in stubs.services.items()}
    live = run_suite("crossauth", url_target("staging", urls, live=True), operations=[RUN, "GET /v2/users/me"])
    expired = [r for r in live if r.check == "expired"]
    assert expired and {r.verdict for r in expired} == {Verdict.SKIPPED}
    assert all("signing_key_env" in r.observed for r in expired)
    # Without writes there is no run to name: that operation is skipped, never passed.
    assert {r.verdict for r in live if r.operation == RUN} == {Verdict.SKIPPED}
    me = [r for r in live if r.operation == "GET /v2/users/me"]
    assert {r.verdict for r in me} == {Verdict.PASS, Verdict.SKIPPED}
    # The same cells as on the stubs: nothing the contract implies disappears on a weaker target.
    on_stubs = {(r.operation, r.check) for r in results if r.operation in (RUN, "GET /v2/users/me")}
    assert {(r.operation, r.check) for r in live} == on_stubs
