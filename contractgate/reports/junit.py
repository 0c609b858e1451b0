"""JUnit XML for CI systems: one `<testsuite>` per suite, one `<testcase>` per result.

The shape is the one CI systems read (Jenkins, GitLab, GitHub test reporters, Azure): `<testsuites>`
with totals, `<testsuite name tests failures errors skipped time timestamp>`, `<testcase classname
name>` holding a `<failure>`, `<error>` or `<skipped>`. `classname` is `suite.service` so that CI UIs
group by service; `name` is `operation · check`. A failure's `message` is expectation versus
observation and its text the reproduction, which is what a developer copies. ElementTree escapes
markup; `model.clean` has already removed the control characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from contractgate.reports.model import ReportData
from providers.results import Result, Verdict


def _seconds(value: float | None) -> str:
    return f"{value or 0.0:.3f}"


def _message(result: Result) -> str:
    return f"expected {result.expectation}; observed {result.observed}"


def _body(result: Result) -> str:
    lines = [f"expected: {result.expectation}", f"observed: {result.observed}"]
    if result.reproduction:
        lines += ["", "reproduce:", result.reproduction]
    else:
        lines += ["", "(no reproduction recorded)"]
    return "\n".join(lines) + "\n"


def _testcase(parent: ET.Element, result: Result) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        classname=f"{result.suite}.{result.service}",
        name=f"{result.operation} · {result.check}",
    )
    if result.verdict is Verdict.FAIL:
        ET.SubElement(case, "failure", message=_message(result), type=result.check).text = _body(result)
    elif result.verdict is Verdict.ERROR:
        ET.SubElement(case, "error", message=_message(result), type=result.check).text = _body(result)
    elif result.verdict is Verdict.SKIPPED:
        ET.SubElement(case, "skipped", message=result.observed)
    elif result.reproduction:
        ET.SubElement(case, "system-out").text = result.reproduction + "\n"


def _seeds(data: ReportData, suite: str) -> list[str]:
    """The seeds this suite's results name (what `--seed` takes to reproduce it)."""
    seeds = {
        str(r.details["seed"]) for r in data.results if r.suite == suite and r.details.get("seed") is not None
    }
    return sorted(seeds)


def _tally(element: ET.Element, tests: int, failures: int, errors: int, skipped: int, seconds: float) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", str(skipped))
    element.set("time", _seconds(seconds))


def document(data: ReportData) -> ET.Element:
    root = ET.Element("testsuites", name=f"contractgate gate ({data.target})")
    totals = data.totals
    _tally(
        root,
        sum(totals.values()),
        totals[Verdict.FAIL],
        totals[Verdict.ERROR],
        totals[Verdict.SKIPPED],
        data.seconds,
    )
    for summary in data.suites:
        suite = ET.SubElement(root, "testsuite", name=summary.name)
        c = summary.counts
        _tally(
            suite, summary.total, c[Verdict.FAIL], c[Verdict.ERROR], c[Verdict.SKIPPED], summary.seconds or 0
        )
        suite.set("timestamp", data.generated_at.removesuffix("Z"))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="target", value=data.target)
        ET.SubElement(properties, "property", name="contractgate.version", value=data.version)
        ET.SubElement(properties, "property", name="verdict", value=data.verdict.value)
        ET.SubElement(properties, "property", name="coverage", value=data.coverage.line())
        for seed in _seeds(data, summary.name):
            ET.SubElement(properties, "property", name="seed", value=seed)
        if summary.seconds is None:
            ET.SubElement(properties, "property", name="not-run", value=data.stopped or "the gate stopped")
        if summary.reason:
            ET.SubElement(properties, "property", name="skipped", value=summary.reason)
        for result in data.results:
            if result.suite == summary.name:
                _testcase(suite, result)
    return root


def render(data: ReportData) -> str:
    root = document(data)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
