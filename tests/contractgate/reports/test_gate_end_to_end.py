"""`contractgate gate` as a pipeline runs it: exit 0 on the embedded stubs and four valid reports.

A real run of every suite in a subprocess (about half a minute on two cores), from an empty working
directory so that the default `reports/` lands there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from contractgate.gate import SUITES
from contractgate.reports.json_report import load_schema
from tests.contractgate.reports.browser import rendered_dom

ROOT = Path(__file__).resolve().parents[3]


def test_the_gate_passes_on_the_stubs_and_writes_valid_reports(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ["PACT_DO_NOT_TRACK"] = "true"
    done = subprocess.run(
        [sys.executable, "-m", "contractgate", "gate", "-q"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    reports = tmp_path / "reports"
    names = ["gate.json", "junit.xml", "summary.md", "index.html"]
    lines = done.stdout.strip().splitlines()
    assert "reports: " + " ".join(f"reports/{n}" for n in names) in lines
    assert lines[-1].startswith("PASS")

    document = json.loads((reports / "gate.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema()).validate(document)
    assert (document["verdict"], document["exit_code"]) == ("pass", 0)
    assert [s["name"] for s in document["suites"]] == list(SUITES)
    assert document["counts"]["pass"] > 0 and document["counts"]["fail"] == 0

    junit = ET.parse(reports / "junit.xml").getroot()
    assert int(junit.get("tests", "-1")) == len(document["results"]) == len(list(junit.iter("testcase")))
    assert junit.get("failures") == "0" and junit.get("errors") == "0"

    assert (reports / "summary.md").read_text(encoding="utf-8").startswith("## contractgate: PASS")

    dom = rendered_dom(reports / "index.html", tmp_path / "profile")
    assert '<header class="banner v-pass" id="verdict"' in dom
    assert '<div class="verdict-word" aria-label="verdict">PASS</div>' in dom
