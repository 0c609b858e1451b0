"""`gate.json`: valid against its shipped JSON Schema, every result with every field, deterministic."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from contractgate.reports import json_report
from providers.redact import MASK
from providers.results import Result
from tests.contractgate.reports.samples import LEAKED_JWT, SCRIPT, UNICODE, data_of, outcome, passing, stopped


def _document(gate_outcome: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json_report.render(data_of(gate_outcome or outcome())))
    return document


def _validate(document: dict[str, Any]) -> None:
    schema = json_report.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.mark.parametrize(
    "make", [outcome, passing, stopped, lambda: outcome(seed=7)], ids=["fail", "pass", "stopped", "seeded"]
)
def test_the_report_validates_against_the_shipped_schema(make: Any) -> None:
    _validate(_document(make()))


def test_the_schema_rejects_what_it_should() -> None:
    document = _document()
    for broken in (
        {**document, "verdict": "maybe"},
        {**document, "schema": "contractgate/gate-report/v0"},
        {**document, "surprise": 1},
        {**document, "results": [{**document["results"][0], "verdict": "passed"}]},
        {key: value for key, value in document.items() if key != "exit_code"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            _validate(broken)


def test_top_level_fields() -> None:
    document = _document()
    assert document["schema"] == "contractgate/gate-report/v1"
    assert document["contractgate_version"] == "9.9.9"
    assert document["generated_at"] == "2025-05-01T12:00:00Z"
    assert (document["verdict"], document["exit_code"], document["stopped"]) == ("fail", 1, None)
    assert document["target"] == "stubs"
    assert (document["seed"], document["seeds"]) == (None, [1234])
    assert document["requests"] == 321
    assert document["counts"] == {"pass": 6, "fail": 2, "error": 2, "skipped": 3, "total": 13}


def test_suites_carry_counts_seconds_and_whether_they_ran() -> None:
    suites = {s["name"]: s for s in _document(stopped())["suites"]}
    assert list(suites) == ["pacts", "fuzz", "websocket"]
    assert suites["pacts"] == {
        "name": "pacts",
        "ran": True,
        "verdict": "fail",
        "seconds": 2.25,
        "counts": {"pass": 4, "fail": 1, "error": 1, "skipped": 2, "total": 8},
        "reason": None,
    }
    assert suites["websocket"]["ran"] is False and suites["websocket"]["seconds"] is None
    document = _document(stopped())
    assert document["verdict"] == "error" and document["exit_code"] == 2
    assert document["stopped"].startswith("fuzz: target unreachable")


def test_every_result_has_every_field() -> None:
    document = _document()
    fields = {f.name for f in dataclasses.fields(Result)}
    assert len(document["results"]) == len(outcome().results)
    for result in document["results"]:
        assert set(result) == fields
    pending = next(r for r in document["results"] if r["details"].get("pending"))
    assert pending["details"]["consumer"] == "mobile-app-legacy" and pending["verdict"] == "skipped"


def test_the_pact_matrix_is_in_the_report() -> None:
    rows = {(row["consumer"], row["provider"]): row for row in _document()["pact_matrix"]}
    assert rows["web-frontend", "backend-service"]["fail"] == 1
    assert rows["mobile-app-legacy", "auth-service"]["pending"] == 1
    assert (
        _document(outcome(results=[r for r in outcome().results if r.suite != "pacts"]))["pact_matrix"] == []
    )


def test_hostile_text_survives_as_data_and_tokens_do_not() -> None:
    text = json_report.render(data_of(outcome()))
    assert LEAKED_JWT not in text
    fuzz = next(r for r in json.loads(text)["results"] if r["check"] == "response_schema_conformance")
    assert SCRIPT in fuzz["observed"] and UNICODE in fuzz["observed"]
    assert fuzz["details"]["token"] == MASK
    assert fuzz["details"]["ratio"] == "nan"  # JSON has no NaN


def test_two_renders_are_identical() -> None:
    assert json_report.render(data_of(outcome())) == json_report.render(data_of(outcome()))
