"""JUnit XML: parses, counts match, one testcase per result, failures carry their reproduction."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from contractgate.reports import junit
from tests.contractgate.reports.samples import (
    CONTROL,
    LEAKED_JWT,
    MARKDOWN,
    SCRIPT,
    UNICODE,
    data_of,
    outcome,
    stopped,
)

COUNTS = ("tests", "failures", "errors", "skipped")
OUTCOMES = {"failure", "error", "skipped"}


def _root(gate_outcome: object = None) -> ET.Element:
    return ET.fromstring(junit.render(data_of(gate_outcome or outcome())).encode())  # type: ignore[arg-type]


def _case(root: ET.Element, name_part: str) -> ET.Element:
    return next(c for c in root.iter("testcase") if name_part in c.get("name", ""))


def test_the_document_has_the_shape_ci_systems_read() -> None:
    text = junit.render(data_of(outcome()))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    assert {child.tag for child in root} == {"testsuite"}
    for suite in root:
        assert suite.get("name") and suite.get("timestamp")
        assert all(int(suite.get(attribute, "x")) >= 0 for attribute in COUNTS)
        assert float(suite.get("time", "x")) >= 0
        assert suite[0].tag == "properties"
        assert {child.tag for child in suite[1:]} <= {"testcase"}
        for case in suite.iter("testcase"):
            assert case.get("classname") and case.get("name")
            outcomes = [child.tag for child in case if child.tag in OUTCOMES]
            assert len(outcomes) <= 1
            assert {child.tag for child in case} <= OUTCOMES | {"system-out"}


def test_counts_match_the_testcases() -> None:
    root = _root()
    for suite in root:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("errors", "-1")) == sum(c.find("error") is not None for c in cases)
        assert int(suite.get("skipped", "-1")) == sum(c.find("skipped") is not None for c in cases)
    assert [s.get("name") for s in root] == ["pacts", "fuzz", "websocket"]
    assert [root.get(attribute) for attribute in COUNTS] == ["13", "2", "2", "3"]
    assert root.get("time") == "12.500"
    assert [s.get("time") for s in root] == ["2.250", "8.500", "1.750"]


def test_a_failure_names_expectation_and_observation_and_carries_the_reproduction() -> None:
    case = _case(_root(), "response_schema_conformance")
    assert case.get("classname") == "fuzz.backend-service"
    assert case.get("name") == "GET /v2/threads/{thread_id} · response_schema_conformance"
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert message.startswith(
        "expected responses match the schema of the operation; observed field title was "
    )
    assert SCRIPT in message and UNICODE in message  # escaped in the file, intact once parsed
    assert "curl -X GET 'http://127.0.0.1:8002/v2/threads/x'" in (failure.text or "")
    assert MARKDOWN in (failure.text or "")


def test_errors_and_skips_are_marked_as_such() -> None:
    root = _root()
    error = _case(root, "not_a_server_error").find("error")
    assert error is not None and "no reproduction recorded" in (error.text or "")
    skipped = _case(root, "GET /v1/auth/me").find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("no credential:")
    passed = _case(root, "interaction 1 · pact")
    assert passed.find("failure") is None and passed.find("error") is None
    assert "threads/1" in (passed.findtext("system-out") or "")


def test_control_characters_and_tokens_never_reach_the_file() -> None:
    text = junit.render(data_of(outcome()))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    assert LEAKED_JWT not in text
    observed = _case(_root(), "not_a_server_error").find("error")
    assert observed is not None
    assert "bell\\x07 nul\\x00 esc\\x1b[31m" in observed.get("message", "")
    assert CONTROL not in text


def test_a_suite_that_never_ran_is_an_empty_testsuite_that_says_why() -> None:
    root = _root(stopped())
    websocket = next(s for s in root if s.get("name") == "websocket")
    assert websocket.get("tests") == "0" and websocket.findall("testcase") == []
    properties = {p.get("name"): p.get("value") for p in websocket.iter("property")}
    assert properties["not-run"] == "fuzz: target unreachable: http://127.0.0.1:8002 (ConnectError)"
    assert properties["verdict"] == "error"


def test_seeds_are_properties_of_the_suites_that_used_them() -> None:
    root = _root()
    seeds = {
        s.get("name"): [p.get("value") for p in s.iter("property") if p.get("name") == "seed"] for s in root
    }
    assert seeds == {"pacts": [], "fuzz": ["1234"], "websocket": []}
