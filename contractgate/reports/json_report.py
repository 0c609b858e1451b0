"""`gate.json`: the machine-readable report, every result with every field.

Its shape is versioned (`SCHEMA_ID`) and described by the JSON Schema shipped beside this module
(`gate-report.schema.json`); a change that removes or renames a field is a new version. Keys are
sorted and the results ordered, so two reports of one outcome are identical.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from contractgate.reports.model import MATRIX_COLUMNS, ReportData, SuiteSummary
from providers.results import Verdict

SCHEMA_ID = "contractgate/gate-report/v1"
SCHEMA_FILE = "gate-report.schema.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema that `gate.json` follows (package data)."""
    text = resources.files("contractgate.reports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _counts(tally: dict[Verdict, int]) -> dict[str, int]:
    return {verdict.value: tally[verdict] for verdict in Verdict} | {"total": sum(tally.values())}


def _suite(suite: SuiteSummary) -> dict[str, Any]:
    return {
        "name": suite.name,
        "ran": suite.seconds is not None,
        "verdict": suite.verdict.value if suite.verdict else None,
        "seconds": None if suite.seconds is None else round(suite.seconds, 3),
        "counts": _counts(suite.counts),
        "reason": suite.reason,
    }


def document(data: ReportData) -> dict[str, Any]:
    """The report as JSON data (what `render` serialises)."""
    matrix = data.matrix
    return {
        "schema": SCHEMA_ID,
        "contractgate_version": data.version,
        "generated_at": data.generated_at,
        "target": data.target,
        "verdict": data.verdict.value,
        "exit_code": data.exit_code,
        "stopped": data.stopped,
        "seconds": round(data.seconds, 3),
        "seed": data.seed,
        "seeds": list(data.seeds),
        "requests": data.requests,
        "counts": _counts(data.totals),
        "coverage": {
            "implied": data.coverage.implied,
            "ran": data.coverage.ran,
            "percent": round(data.coverage.percent, 2),
            "skipped": [
                {"suite": suite, "reason": reason, "count": count}
                for suite, reason, count in data.coverage.gaps
            ],
            "failure": data.coverage_failure,
        },
        "advisories": len(data.advisories),
        "sandbox": {"states_created": data.states_created, "leftovers": list(data.leftovers)},
        "suites": [_suite(s) for s in data.suites],
        "pact_matrix": [
            {"consumer": consumer, "provider": provider} | {col: cell[col] for col in MATRIX_COLUMNS}
            for (consumer, provider), cell in matrix.cells.items()
        ]
        if matrix
        else [],
        "results": [r.to_dict() for r in data.results],
        "shard": None if data.shard is None else {"index": data.shard[0], "total": data.shard[1]},
        "merged": data.merged,
        "run": {
            "contracts": data.contracts,
            "max_examples": data.max_examples,
            "strict_policy": data.strict,
            "min_coverage": data.min_coverage,
        },
        "units": [
            {
                "suite": u.suite,
                "unit": u.unit,
                "shard": u.shard,
                "seconds": None if u.seconds is None else round(u.seconds, 3),
            }
            for u in data.units
        ],
    }


def render(data: ReportData) -> str:
    return json.dumps(document(data), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
