"""`contractgate compat`: the changes between two OpenAPI documents that can break existing clients.

    contractgate compat OLD NEW            two files or http(s) URLs
    contractgate compat --base REV PATH    PATH as of git revision REV against the work tree
    contractgate compat --base REV         every contracts/openapi document, REV against the work tree
    contractgate compat --rules            the rule table: every rule, its severities and basis

Exit 0 when nothing reaches `--fail-on` (default: breaking), 1 when something does, 2 when an input
cannot be read or understood (never 1: a document compat cannot judge is not a breaking change).
Text output groups changes by severity, then by what changed, with every location; `--format json`
lists every change with its JSON pointers; `--format markdown` suits a PR comment. OpenAPI 3.0 and
3.1 (YAML or JSON, multi-file) and Swagger 2.0 are read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from contractgate.commands import Subcommands, seconds
from contracts import contracts_root
from providers.compat import (
    Change,
    Comparison,
    Severity,
    compare_file_at_revision,
    compare_files,
    compare_revision,
    table,
    tally,
)
from providers.compat.model import RULES
from providers.errors import ConfigError, ContractError, ContractgateError

FAIL_ON = {"breaking": (Severity.BREAKING,), "deprecation": (Severity.BREAKING, Severity.DEPRECATION)}
_HEADINGS = {
    Severity.BREAKING: "Breaking",
    Severity.DEPRECATION: "Deprecation",
    Severity.NON_BREAKING: "Non-breaking",
}
_MARKS = {Severity.BREAKING: "✗", Severity.DEPRECATION: "!", Severity.NON_BREAKING: "·"}


def comparisons(args: argparse.Namespace) -> list[Comparison]:
    if args.base:
        if args.new is not None:
            raise ConfigError("with --base give one spec path (compared with the work tree) or none")
        if args.old is None:
            return compare_revision(args.base, contracts_root() / "openapi")
        return [compare_file_at_revision(args.base, Path(args.old))]
    if args.old is None or args.new is None:
        raise ConfigError("give OLD and NEW (files or URLs), or --base REV [PATH]")
    return [compare_files(args.old, args.new, timeout=args.timeout)]


def failing(results: Iterable[Comparison], fail_on: str) -> bool:
    return any(change.severity in FAIL_ON[fail_on] for c in results for change in c.changes)


def _all_changes(results: list[Comparison]) -> list[Change]:
    return [change for c in results for change in c.changes]


def _counts(changes: list[Change]) -> str:
    return ", ".join(f"{n} {s.value}" for s, n in tally(changes).items())


def _grouped(changes: Iterable[Change]) -> dict[tuple[str, str], list[str]]:
    """(kind, message) → locations, in order of first appearance: a shared schema's change once."""
    groups: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        locations = groups.setdefault((change.kind, change.message), [])
        if change.location not in locations:
            locations.append(change.location)
    return groups


def render_text(results: list[Comparison], fail_on: str) -> str:
    lines: list[str] = []
    for result in results:
        lines.append(f"{result.label}: {_counts(list(result.changes))}")
        for severity in Severity:
            selected = [c for c in result.changes if c.severity is severity]
            if not selected:
                continue
            lines.append(f"  {_HEADINGS[severity]} ({len(selected)})")
            for (kind, message), locations in _grouped(selected).items():
                lines.append(f"    {_MARKS[severity]} {kind}: {message}")
                lines.extend(f"        {location}" for location in locations)
        lines.append("")
    changes = _all_changes(results)
    verdict = "FAIL" if failing(results, fail_on) else "PASS"
    lines.append(f"{verdict}  {_counts(changes)} (fails on: {fail_on})")
    return "\n".join(lines)


def render_json(results: list[Comparison], fail_on: str) -> str:
    changes = _all_changes(results)
    report = {
        "verdict": "fail" if failing(results, fail_on) else "pass",
        "fail_on": fail_on,
        "counts": {s.value: n for s, n in tally(changes).items()},
        "comparisons": [c.to_dict() for c in results],
    }
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(results: list[Comparison], fail_on: str) -> str:
    changes = _all_changes(results)
    mark = "❌" if failing(results, fail_on) else "✅"
    lines = [f"## {mark} contractgate compat — {_counts(changes)}", ""]
    for result in results:
        lines += [f"### `{result.old or '(none)'}` → `{result.new or '(none)'}`", ""]
        if not result.changes:
            lines += ["No changes a client could notice.", ""]
        for severity in Severity:
            selected = [c for c in result.changes if c.severity is severity]
            if not selected:
                continue
            rows = ["| change | location |", "|---|---|"]
            rows += [f"| `{c.kind}` {_cell(c.message)} | `{_cell(c.location)}` |" for c in selected]
            title = f"{_HEADINGS[severity]} ({len(selected)})"
            if severity is Severity.NON_BREAKING:
                lines += [f"<details><summary>{title}</summary>", "", *rows, "", "</details>", ""]
            else:
                lines += [f"#### {title}", "", *rows, ""]
    return "\n".join(lines)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}


def render_rules(fmt: str) -> str:
    if fmt == "markdown":
        return table.markdown()
    if fmt == "json":
        keys = ("id", "family", "request", "response", "basis", "oasdiff", "differs")
        return json.dumps([{k: getattr(r, k) for k in keys} for r in RULES], indent=2, ensure_ascii=False)
    return table.text()


def run(args: argparse.Namespace) -> int:
    if args.rules:
        if args.old is not None or args.base:
            raise ConfigError("--rules takes no documents")
        print(render_rules(args.format), end="" if args.format == "text" else "\n")
        return 0
    try:
        results = comparisons(args)
    except ContractgateError:
        raise
    except RecursionError:
        raise ContractError("a document is nested too deeply to compare") from None
    except Exception as exc:  # never a traceback, never exit 1 for an error of ours
        raise ContractError(
            f"could not compare the documents ({type(exc).__name__}: {exc}); this is a contractgate bug, "
            "please report it with the two documents"
        ) from None
    print(RENDERERS[args.format](results, args.fail_on))
    return 1 if failing(results, args.fail_on) else 0


def register(commands: Subcommands) -> None:
    compat = commands.add_parser(
        "compat",
        help="list the changes between two OpenAPI documents that can break existing clients",
        description="\n\n".join((__doc__ or "").split("\n\n")[:3]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compat.add_argument(
        "old", nargs="?", metavar="OLD", help="the published document: a file or an http(s) URL"
    )
    compat.add_argument(
        "new", nargs="?", metavar="NEW", help="the candidate document: a file or an http(s) URL"
    )
    compat.add_argument(
        "--base",
        metavar="REV",
        help="compare the documents as of this git revision with the work tree "
        "(one PATH, or every contracts/openapi document when none is given)",
    )
    compat.add_argument(
        "--format", choices=tuple(RENDERERS), default="text", help="output format (default text)"
    )
    compat.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="breaking",
        help="exit 1 on breaking changes (default), or on deprecations too",
    )
    compat.add_argument("--timeout", type=seconds, default=10.0, help="seconds to fetch a URL (default 10)")
    compat.add_argument(
        "--rules",
        action="store_true",
        help="print the rule table (every rule, its severities and basis) and exit",
    )
    compat.set_defaults(run=run)
