"""A suite that could not run anything (the target has no broker) reads as skipped, with its reason,
in every report and in the terminal — not as an error, and never as a pass."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from contractgate.gate import GateOutcome
from contractgate.reports import html, json_report, junit, markdown
from contractgate.terminal import TerminalRenderer
from providers.results import Result, Verdict
from tests.contractgate.reports.samples import data_of, outcome, results

REASON = "not asked: no Pact Broker is configured for this target"


def no_broker() -> Result:
    return Result(
        "broker", "-", "can-i-deploy", "can-i-deploy", "the broker is asked", REASON, Verdict.SKIPPED
    )


def with_broker_skipped() -> GateOutcome:
    return outcome(
        suites=("pacts", "fuzz", "websocket", "broker"),
        results=[*results(), no_broker()],
        suite_seconds={"pacts": 2.25, "fuzz": 8.5, "websocket": 1.75, "broker": 0.0},
    )


def test_the_model_says_skipped_with_the_reason() -> None:
    broker = next(s for s in data_of(with_broker_skipped()).suites if s.name == "broker")
    assert broker.verdict is Verdict.SKIPPED and broker.reason == REASON
    others = [s for s in data_of(with_broker_skipped()).suites if s.name != "broker"]
    assert all(s.reason is None for s in others)


def test_json_markdown_html_and_junit_show_it_skipped_with_the_reason() -> None:
    data = data_of(with_broker_skipped())
    suite = next(s for s in json.loads(json_report.render(data))["suites"] if s["name"] == "broker")
    assert (suite["verdict"], suite["reason"]) == ("skipped", REASON)

    summary = markdown.render(data)
    assert "| broker | **SKIPPED** |" in summary and f"- **broker** skipped: {REASON}" in summary
    assert "| broker | **ERROR** |" not in summary

    page = html.render(data)
    heading = page.index("<h3>broker</h3>")
    card = page[page.rindex("<article", 0, heading) : page.index("</article>", heading)]
    assert 'class="card v-skipped"' in card and ">SKIPPED<" in card and REASON in card

    root = ET.fromstring(junit.render(data))
    testsuite = next(s for s in root.iter("testsuite") if s.get("name") == "broker")
    properties = {p.get("name"): p.get("value") for p in testsuite.iter("property")}
    assert testsuite.get("skipped") == "1" and testsuite.get("errors") == "0"
    assert properties["skipped"] == REASON


def test_the_terminal_says_why_it_was_skipped() -> None:
    out = io.StringIO()
    TerminalRenderer(out, colour=False).suite_finished("broker", [no_broker()], 0.0)
    assert out.getvalue() == f"■ broker: 1 skipped in 0.0s — skipped: {REASON}\n"


def test_a_suite_that_ran_and_gave_nothing_is_still_an_error() -> None:
    empty = outcome(suites=("pacts", "broker"), suite_seconds={"pacts": 1.0, "broker": 0.1})
    broker = next(s for s in data_of(empty).suites if s.name == "broker")
    assert broker.verdict is Verdict.ERROR and broker.reason is None
