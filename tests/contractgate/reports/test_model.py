"""What every report is built from: cleaning, ordering, the pact matrix, seeds and the headline."""

from __future__ import annotations

import random

from contractgate.reports import REPORT_FILES, build
from contractgate.reports.model import clean, jsonable, pact_matrix
from providers.redact import MASK
from providers.results import Verdict
from tests.contractgate.reports.samples import (
    GENERATED_AT,
    LEAKED_JWT,
    data_of,
    outcome,
    passing,
    results,
    stopped,
)


def test_clean_masks_jwts_and_shows_control_characters() -> None:
    assert clean(f"Bearer {LEAKED_JWT}!") == f"Bearer {MASK}!"
    assert clean("a\x00b\x07c\x1bd\ttab\nnl") == "a\\x00b\\x07c\\x1bd\ttab\nnl"
    assert clean("lone \ud800 surrogate, \uffff") == "lone \ufffd surrogate, \ufffd"
    assert clean("Grüße 日本語 🚀") == "Grüße 日本語 🚀"


def test_jsonable_cleans_nested_values_and_makes_them_json() -> None:
    value = {"token": LEAKED_JWT, 1: [float("inf"), {"x\x07"}], "object": object, "n": 3, "ok": True}
    cleaned = jsonable(value)
    assert cleaned["token"] == MASK
    assert cleaned["1"] == ["inf", ["x\\x07"]]
    assert cleaned["object"] == "<class 'object'>"
    assert cleaned["n"] == 3 and cleaned["ok"] is True


def test_every_field_of_every_result_is_cleaned() -> None:
    data = data_of(outcome())
    fuzz_fail = next(r for r in data.results if r.check == "response_schema_conformance")
    assert LEAKED_JWT not in (fuzz_fail.reproduction or "")
    assert f"Bearer {MASK}" in (fuzz_fail.reproduction or "")
    assert fuzz_fail.details["token"] == MASK
    error = next(r for r in data.results if r.check == "not_a_server_error")
    assert "\x07" not in error.observed and "bell\\x07" in error.observed


def test_reports_do_not_depend_on_the_order_results_arrived_in() -> None:
    shuffled = results()
    random.Random(7).shuffle(shuffled)
    first, second = data_of(outcome()), data_of(outcome(results=shuffled))
    assert first.results == second.results
    for render in REPORT_FILES.values():
        assert render(first) == render(second)


def test_results_are_grouped_by_suite_in_run_order() -> None:
    data = build(outcome(suites=("websocket", "fuzz", "pacts")), generated_at=GENERATED_AT, version="1")
    suites = [r.suite for r in data.results]
    assert suites == sorted(suites, key=("websocket", "fuzz", "pacts").index)
    assert [r.verdict for r in data.failures] == [Verdict.FAIL, Verdict.FAIL, Verdict.ERROR, Verdict.ERROR]


def test_the_pact_matrix_counts_each_pair_and_keeps_pending_apart() -> None:
    matrix = pact_matrix(results())
    assert matrix is not None
    assert matrix.consumers == ("backend-service", "mobile-app-legacy", "web-frontend", "websocket-service")
    assert matrix.providers == ("auth-service", "backend-service")
    assert matrix.cell("web-frontend", "backend-service") == {
        "pass": 2,
        "fail": 1,
        "error": 0,
        "skipped": 0,
        "pending": 0,
    }
    assert matrix.cell("mobile-app-legacy", "auth-service") == {
        "pass": 1,
        "fail": 0,
        "error": 0,
        "skipped": 0,
        "pending": 1,
    }
    assert matrix.cell("websocket-service", "backend-service")["skipped"] == 1  # type: ignore[index]
    assert matrix.cell("backend-service", "backend-service") is None


def test_no_pact_results_means_no_matrix() -> None:
    assert pact_matrix(r for r in results() if r.suite != "pacts") is None


def test_seeds_come_from_the_results() -> None:
    assert data_of(outcome()).seeds == (1234,)
    assert data_of(stopped()).seeds == ()
    given = data_of(outcome(seed=7))
    assert (given.seed, given.seeds) == (7, (7, 1234))


def test_suites_that_never_ran_have_no_seconds_and_no_verdict() -> None:
    data = data_of(stopped())
    by_name = {s.name: s for s in data.suites}
    assert by_name["pacts"].verdict is Verdict.FAIL and by_name["pacts"].seconds == 2.25
    assert by_name["fuzz"].verdict is Verdict.ERROR  # it started, and nothing passed
    assert by_name["websocket"].seconds is None and by_name["websocket"].verdict is None


def test_the_headline_says_what_the_verdict_means() -> None:
    assert data_of(passing()).headline == "every contract holds"
    assert data_of(outcome()).headline == "2 checks failed: a contract is broken"
    assert data_of(stopped()).headline == "the gate stopped before it could decide"
    errors_only = [r for r in results() if r.verdict is not Verdict.FAIL]
    assert data_of(outcome(results=errors_only)).headline == "2 checks could not be decided"
    assert data_of(outcome(results=[])).headline == "nothing passed, so nothing is proven"


def test_generated_at_is_utc_to_the_second() -> None:
    assert data_of(outcome()).generated_at == "2025-05-01T12:00:00Z"
