"""`summary.md`: verdict, per-suite counts, failures and the pact matrix, for PR comments and step summaries.

GitHub renders Markdown *and* inline HTML, so text from results is never pasted raw: outside code it is
HTML-escaped and stripped of Markdown syntax; inside code it goes in a fence longer than any run of
backticks it contains. The verdict line uses words in capitals (PASS / FAIL / ERROR), not emoji,
so it reads the same in a terminal, a log and a screen reader.
"""

from __future__ import annotations

import html
import re

from contractgate.reports.model import MATRIX_COLUMNS, ReportData
from providers.results import Result, Verdict

#: Failures shown in full; the rest are counted and left to gate.json / index.html.
MAX_FAILURES = 50
#: Longest reproduction shown; step summaries are limited to 1 MiB.
MAX_REPRODUCTION = 4000

#: What could start emphasis, code, a link, strikethrough or a table column mid-line (`<`, `>`, `&` are
#: HTML-escaped; text never starts a line, so `#`, `-`, `+` and `1.` cannot start a block).
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def text(value: str) -> str:
    """Plain text inside Markdown (a table cell, a list item): one line, no markup of any kind."""
    one_line = " ".join(value.split())
    return _MARKDOWN_SYNTAX.sub(r"\\\1", html.escape(one_line, quote=False))


def code(value: str) -> str:
    """An inline code span that holds `value` verbatim whatever backticks it contains."""
    one_line = " ".join(value.split())
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side, which lets a span start or end with a backtick.
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}" if one_line else "(empty)"


def fenced(value: str, language: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{value.rstrip()}\n{fence}"


def _counts_line(data: ReportData) -> str:
    return " · ".join(f"{data.totals[v]} {v.value}" for v in Verdict)


def _suites(data: ReportData) -> list[str]:
    lines = ["| suite | verdict | pass | fail | error | skipped | seconds |", "|---|---|--:|--:|--:|--:|--:|"]
    for suite in data.suites:
        c = suite.counts
        verdict = suite.verdict.value.upper() if suite.verdict else "NOT RUN"
        seconds = f"{suite.seconds:.1f}" if suite.seconds is not None else "–"
        lines.append(
            f"| {text(suite.name)} | **{verdict}** | {c[Verdict.PASS]} | {c[Verdict.FAIL]} | "
            f"{c[Verdict.ERROR]} | {c[Verdict.SKIPPED]} | {seconds} |"
        )
    skipped = [s for s in data.suites if s.verdict is Verdict.SKIPPED]
    if skipped:
        lines.append("")
        lines += [f"- **{text(s.name)}** skipped: {text(s.reason or 'no reason given')}" for s in skipped]
    return lines


def _coverage(data: ReportData) -> list[str]:
    coverage = data.coverage
    lines = [f"**Coverage:** {text(coverage.line())} of what the contracts imply", ""]
    if data.coverage_failure:
        lines += [f"**Too little coverage:** {text(data.coverage_failure)}", ""]
    if coverage.gaps:
        lines += ["| skipped | suite | why (what would let them run) |", "|--:|---|---|"]
        lines += [f"| {n} | {text(suite)} | {text(reason)} |" for suite, reason, n in coverage.gaps[:10]]
        if len(coverage.gaps) > 10:
            lines.append(f"| … | | {len(coverage.gaps) - 10} more reasons in gate.json |")
        lines.append("")
    if data.states_created or data.leftovers:
        lines.append(f"Provider states reached through the target's API: {data.states_created}.")
        if data.leftovers:
            lines.append("**Left behind (clean up by hand):** " + "; ".join(text(t) for t in data.leftovers))
        lines.append("")
    return lines


def _failure(result: Result) -> list[str]:
    lines = [
        f"#### {result.verdict.value.upper()}: {text(result.suite)} · {text(result.service)} · "
        f"{text(result.operation)} · {text(result.check)}",
        "",
        f"- **expected:** {text(result.expectation)}",
        f"- **observed:** {text(result.observed)}",
    ]
    if result.reproduction:
        reproduction = result.reproduction
        if len(reproduction) > MAX_REPRODUCTION:
            reproduction = reproduction[:MAX_REPRODUCTION] + "\n… (cut; the full command is in gate.json)"
        lines += [
            "",
            "<details><summary>reproduction</summary>",
            "",
            fenced(reproduction, "sh"),
            "",
            "</details>",
        ]
    return lines + [""]


def _matrix(data: ReportData) -> list[str]:
    matrix = data.matrix
    if matrix is None:
        return []
    lines = [
        "### Pact matrix (consumer × provider)",
        "",
        "| consumer \\\\ provider | " + " | ".join(text(p) for p in matrix.providers) + " |",
        "|---|" + "---|" * len(matrix.providers),
    ]
    for consumer in matrix.consumers:
        cells = []
        for provider in matrix.providers:
            cell = matrix.cell(consumer, provider)
            if cell is None:
                cells.append("–")
            else:
                parts = [f"{cell[col]} {col}" for col in MATRIX_COLUMNS if cell[col]]
                bad = cell["fail"] or cell["error"]
                cells.append(("**" + ", ".join(parts) + "**") if bad else ", ".join(parts) or "0")
        lines.append(f"| {text(consumer)} | " + " | ".join(cells) + " |")
    return lines + [""]


def render(data: ReportData) -> str:
    verdict = data.verdict.value.upper()
    suites = ", ".join(s.name for s in data.suites)
    sharding = f" · {text(data.sharding)}" if data.sharding else ""
    lines = [
        f"## contractgate: {verdict}",
        "",
        f"**{verdict}** — {text(data.headline)}. Target {code(data.target)}{sharding} · suites {text(suites)} · "
        f"{_counts_line(data)} · {data.requests} requests · {data.seconds:.1f}s",
        "",
    ]
    if data.stopped:
        lines += [f"**Stopped:** {text(data.stopped)}", ""]
    lines += _coverage(data)
    if data.seeds:
        lines += ["Seeds: " + ", ".join(code(str(s)) for s in data.seeds), ""]
    lines += _suites(data) + [""]
    failures = data.failures
    if failures:
        lines += [f"### Failures and errors ({len(failures)})", ""]
        for result in failures[:MAX_FAILURES]:
            lines += _failure(result)
        if len(failures) > MAX_FAILURES:
            lines += [f"… and {len(failures) - MAX_FAILURES} more: see `gate.json` or `index.html`.", ""]
    if data.advisories:
        lines += [
            f"### Advisories ({len(data.advisories)}): policy checks that failed, not failing the gate",
            "",
        ]
        lines += [
            f"- {text(r.suite)} · {text(r.operation)} · {text(r.check)}: {text(r.observed)}"
            for r in data.advisories[:MAX_FAILURES]
        ]
        lines.append("")
    lines += _matrix(data)
    lines.append(f"<sub>contractgate {text(data.version)} · generated {data.generated_at}</sub>")
    return "\n".join(lines) + "\n"
