"""The whole run from its shards' reports: N `gate.json` files of `gate --shard K/N` → one `GateOutcome`.

`report merge` reads each shard's `gate.json`, validates it against the schema, and refuses (one
`ConfigError` line, exit 2) what would not add up to one run: a missing or unreadable report, a report
that is not a shard's, shards of different N, a shard twice or one missing, shards of different
contracts, target, suites, seed or settings, and shards whose suites planned their units differently
(different `--shard-costs`, or contracts read differently). The outcome it returns is judged like a run
of the gate: every result of every shard, the verdict over all of them (a failure in any shard fails,
a stopped shard is an error), coverage and `min_coverage` over the union, advisories and leftovers of
every shard; its seconds are the longest shard's (they run side by side), its requests their sum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from contractgate.gate import GateOutcome, UnitRecord
from contractgate.reports.json_report import load_schema
from providers.errors import ConfigError
from providers.results import Result, Verdict

REPORT = "gate.json"


@dataclass(frozen=True)
class ShardReport:
    path: Path
    document: dict[str, Any]

    @property
    def index(self) -> int:
        return int(self.document["shard"]["index"])

    @property
    def total(self) -> int:
        return int(self.document["shard"]["total"])

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"


def read_report(directory: Path) -> ShardReport:
    """A shard's report directory (or its gate.json), read and validated; `ConfigError` naming it."""
    path = directory if directory.is_file() else directory / REPORT
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such report (is {directory} a shard's --report-dir?)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from None
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(load_schema()).iter_errors(document)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise ConfigError(f"{path}: not a gate report of this contractgate (at {where}: {error.message})")
    if document.get("shard") is None or "run" not in document or "units" not in document:
        what = "a merge" if document.get("merged") else "a run of an older contractgate"
        raise ConfigError(
            f"{path}: not a shard's report (it is {what}); merge the reports of gate --shard K/N"
        )
    return ShardReport(path, document)


#: What every shard of one run shares: (what to call it, how to read it from a report).
_SHARED: tuple[tuple[str, Any], ...] = (
    ("target", lambda d: d["target"]),
    ("suites", lambda d: [s["name"] for s in d["suites"]]),
    ("seed", lambda d: d["seed"]),
    ("contracts", lambda d: d["run"]["contracts"]),
    ("max_examples", lambda d: d["run"]["max_examples"]),
    ("strict_policy", lambda d: d["run"]["strict_policy"]),
    ("min_coverage", lambda d: d["run"]["min_coverage"]),
    ("contractgate version", lambda d: d["contractgate_version"]),
)


def check_together(reports: list[ShardReport]) -> None:
    """The reports are shards 1..N of one N, each once, of one run; else a `ConfigError` saying why."""
    if not reports:
        raise ConfigError("name the report directories of the shards to merge")
    first = reports[0]
    for report in reports[1:]:
        if report.total != first.total:
            raise ConfigError(
                f"{report.path} is shard {report.label} but {first.path} is shard {first.label}: "
                "merge the shards of one run (one N)"
            )
    seen: dict[int, ShardReport] = {}
    for report in reports:
        if report.index in seen:
            raise ConfigError(f"{seen[report.index].path} and {report.path} are both shard {report.label}")
        seen[report.index] = report
    missing = [f"{k}/{first.total}" for k in range(1, first.total + 1) if k not in seen]
    if missing:
        raise ConfigError(f"shard {', '.join(missing)} missing: got {', '.join(r.label for r in reports)}")
    for name, read in _SHARED:
        for report in reports[1:]:
            if read(report.document) != read(first.document):
                raise ConfigError(
                    f"{report.path} and {first.path} are not shards of one run: their {name} differ "
                    f"({read(report.document)!r} and {read(first.document)!r})"
                )
    _check_plans(reports)


def _check_plans(reports: list[ShardReport]) -> None:
    """Every shard that planned a suite gave each unit the same owner (else the union is not the run)."""
    owners: dict[tuple[str, str], tuple[int, ShardReport]] = {}
    for report in reports:
        for unit in report.document["units"]:
            key = (unit["suite"], unit["unit"])
            known = owners.setdefault(key, (unit["shard"], report))
            if known[0] != unit["shard"]:
                raise ConfigError(
                    f"{report.path} and {known[1].path} planned {key[0]} differently: unit {key[1]!r} is "
                    f"shard {unit['shard']}'s in one and shard {known[0]}'s in the other (give every shard the "
                    "same contracts, configuration and --shard-costs)"
                )


def _result(data: dict[str, Any]) -> Result:
    return Result(
        suite=data["suite"],
        service=data["service"],
        operation=data["operation"],
        check=data["check"],
        expectation=data["expectation"],
        observed=data["observed"],
        verdict=Verdict(data["verdict"]),
        reproduction=data["reproduction"],
        details=data["details"],
        basis=data.get("basis", "contract"),
        cites=data.get("cites", ""),
    )


def _units(reports: list[ShardReport]) -> list[UnitRecord]:
    """Every unit once, with the seconds of the shard that owns it."""
    units: dict[tuple[str, str], UnitRecord] = {}
    for report in reports:
        for unit in report.document["units"]:
            key = (unit["suite"], unit["unit"])
            seconds = unit["seconds"] if unit["shard"] == report.index else None
            if key not in units or seconds is not None:
                units[key] = UnitRecord(unit["suite"], unit["unit"], unit["shard"], seconds)
    return list(units.values())


def merged_outcome(reports: list[ShardReport]) -> GateOutcome:
    """The whole run of the shards (`check_together` first)."""
    check_together(reports)
    reports = sorted(reports, key=lambda r: r.index)
    first = reports[0].document
    suite_seconds: dict[str, float] = {}
    for report in reports:
        for suite in report.document["suites"]:
            if suite["seconds"] is not None:
                suite_seconds[suite["name"]] = max(suite_seconds.get(suite["name"], 0.0), suite["seconds"])
    stopped = [f"shard {r.label}: {r.document['stopped']}" for r in reports if r.document["stopped"]]
    leftovers = [text for r in reports for text in r.document["sandbox"]["leftovers"]]
    return GateOutcome(
        target=first["target"],
        suites=tuple(s["name"] for s in first["suites"]),
        results=[_result(data) for r in reports for data in r.document["results"]],
        seconds=max(r.document["seconds"] for r in reports),
        suite_seconds=suite_seconds,
        stopped="; ".join(stopped) or None,
        requests=sum(r.document["requests"] for r in reports),
        seed=first["seed"],
        strict=first["run"]["strict_policy"],
        states_created=sum(r.document["sandbox"]["states_created"] for r in reports),
        leftovers=list(dict.fromkeys(leftovers)),
        min_coverage=first["run"]["min_coverage"],
        units=_units(reports),
        contracts=first["run"]["contracts"],
        max_examples=first["run"]["max_examples"],
        merged=len(reports),
    )


def merge(directories: list[Path]) -> GateOutcome:
    return merged_outcome([read_report(directory) for directory in directories])
