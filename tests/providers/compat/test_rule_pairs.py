"""Every compat rule on its own pair of files (`tests/data/compat/<rule>/{old,new}.yaml`).

The pairs are read the way a user's files are (`load_spec`: the loader, bundling, Swagger conversion)
and compared on a fixed date, so sunset rules judge against a known "today". Each must report its
rule at every place `expect.yaml` lists, with the severity written there by hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from providers.compat import RULES, compare, compare_sources, load_spec
from tests.data.compat.cases import HERE, all_cases, files

TODAY = date(2026, 6, 1)
PAIRS = sorted(p for p in HERE.iterdir() if (p / "expect.yaml").is_file())


def test_every_rule_has_a_pair_and_every_pair_a_rule() -> None:
    assert sorted(p.name for p in PAIRS) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.rule)
def test_the_files_are_written_from_the_cases(case: object) -> None:
    folder = HERE / case.rule  # type: ignore[attr-defined]
    for name, text in files(case).items():  # type: ignore[arg-type]
        assert (folder / name).read_text(encoding="utf-8") == text, (
            f"run: python -m tests.data.compat.cases ({folder / name})"
        )


@pytest.mark.parametrize("folder", PAIRS, ids=lambda p: p.name)
def test_the_rule_is_reported_on_its_pair(folder: Path) -> None:
    expected = yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8"))
    rule = expected["rule"]
    old, new = load_spec(str(folder / "old.yaml")), load_spec(str(folder / "new.yaml"))
    if rule == "spec-removed":
        changes = list(compare_sources(old, None).changes)
    elif rule == "spec-added":
        changes = list(compare_sources(None, new).changes)
    else:
        changes = compare(old.document, new.document, old_label=old.label, new_label=new.label, today=TODAY)
    for item in expected["expect"]:
        found = [c for c in changes if c.kind == rule and item["where"] in c.location]
        assert found, f"{rule} not reported at {item['where']!r}: {[(c.kind, c.location) for c in changes]}"
        assert {c.severity.value for c in found} == {item["severity"]}, found
