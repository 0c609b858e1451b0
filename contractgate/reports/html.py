"""`index.html`: one self-contained page a person opens from a CI artefact.

Verdict banner, suite cards, failures and errors with their reproductions, the consumer × provider matrix
of pact results and every result in a table. Everything is in the HTML (the script only adds the filter
bar), and nothing is loaded from outside. Results carry text from the target — attacker-controlled on a
live target — so every value goes through `esc`, and a Content-Security-Policy that admits only this
page's own stylesheet and script (by hash) keeps anything that slipped through inert.
"""

from __future__ import annotations

import base64
import hashlib
import html

from contractgate.reports.html_assets import CSS, JS
from contractgate.reports.model import MATRIX_COLUMNS, PactMatrix, ReportData, SuiteSummary, is_pending
from providers.results import Result, Verdict


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CSP = (
    f"default-src 'none'; style-src {_sha256(CSS)}; script-src {_sha256(JS)}; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def _chips(tally: dict[str, int], columns: tuple[str, ...], *, hide_zero: bool = False) -> str:
    chips = [
        f'<li class="chip c-{col}{" zero" if not tally[col] else ""}">{tally[col]} {col}</li>'
        for col in columns
        if tally[col] or not hide_zero
    ]
    return f'<ul class="chips">{"".join(chips)}</ul>'


def _verdict_counts(tally: dict[Verdict, int]) -> dict[str, int]:
    return {v.value: n for v, n in tally.items()}


_VERDICTS = tuple(v.value for v in Verdict)


def _banner(data: ReportData) -> str:
    suites = f"{len(data.suites)} suite{'s' if len(data.suites) != 1 else ''}"
    checks = sum(data.totals.values())
    seeds = f" · seed {', '.join(esc(s) for s in data.seeds)}" if data.seeds else ""
    sharding = f" · {esc(data.sharding)}" if data.sharding else ""
    return (
        f'<header class="banner v-{data.verdict.value}" id="verdict" role="banner">'
        '<div class="inner">'
        f'<div class="verdict-word" aria-label="verdict">{data.verdict.value.upper()}</div>'
        f'<div><p class="headline">{esc(data.headline)}</p>'
        f'<p class="meta">target <code>{esc(data.target)}</code>{sharding} · {suites} · {checks} checks · '
        f"{data.requests} requests · {data.seconds:.1f}s{seeds} · exit code {data.exit_code}</p></div>"
        "</div></header>"
    )


def _card(suite: SuiteSummary) -> str:
    state = suite.verdict.value if suite.verdict else "skipped"
    label = suite.verdict.value.upper() if suite.verdict else "NOT RUN"
    time = f"{suite.seconds:.1f}s" if suite.seconds is not None else "did not run"
    reason = f'<p class="reason">{esc(suite.reason)}</p>' if suite.reason else ""
    return (
        f'<article class="card v-{state}"><h3>{esc(suite.name)}</h3>'
        f'<p class="state t-{state}">{label}</p>'
        f"{_chips(_verdict_counts(suite.counts), _VERDICTS)}{reason}"
        f'<p class="time">{suite.total} checks · {time}</p></article>'
    )


def _where(result: Result) -> str:
    return f"{esc(result.service)} · {esc(result.operation)} · {esc(result.check)}"


def _tag(result: Result) -> str:
    """The verdict as a label; a pending pact that did not verify says so (its verdict is skipped)."""
    if is_pending(result):
        return '<span class="tag pending" title="pending pact: verdict skipped">PENDING</span>'
    return f'<span class="tag v-{result.verdict.value}">{result.verdict.value.upper()}</span>'


def _filter_attrs(result: Result) -> str:
    return f'data-filter-item data-verdict="{result.verdict.value}" data-suite="{esc(result.suite)}"'


def _failure(result: Result) -> str:
    reproduction = (
        f"<dt>reproduce</dt><dd><pre>{esc(result.reproduction)}</pre></dd>"
        if result.reproduction
        else "<dt>reproduce</dt><dd>no reproduction recorded</dd>"
    )
    return (
        f'<article class="failure v-{result.verdict.value}" {_filter_attrs(result)}>'
        f"<h3>{_tag(result)}"
        f'<span>{_where(result)}</span><span class="where">{esc(result.suite)}</span></h3>'
        f"<dl><dt>expected</dt><dd>{esc(result.expectation)}</dd>"
        f"<dt>observed</dt><dd>{esc(result.observed)}</dd>{reproduction}</dl></article>"
    )


def _failures(data: ReportData) -> str:
    failures = data.failures
    if not failures:
        return '<h2 id="failures">Failures and errors</h2><p class="empty">No failures and no errors.</p>'
    return f'<h2 id="failures">Failures and errors ({len(failures)})</h2>' + "".join(
        _failure(r) for r in failures
    )


def _worst(cell: dict[str, int]) -> str:
    return next((col for col in ("fail", "error", "pending", "skipped", "pass") if cell[col]), "skipped")


def _matrix(matrix: PactMatrix | None) -> str:
    if matrix is None:
        return ""
    head = "".join(f'<th scope="col">{esc(p)}</th>' for p in matrix.providers)
    rows = []
    for consumer in matrix.consumers:
        cells = []
        for provider in matrix.providers:
            cell = matrix.cell(consumer, provider)
            if cell is None:
                cells.append('<td class="none" title="no pact">—</td>')
            else:
                cells.append(
                    f'<td class="v-{_worst(cell)}">{_chips(cell, MATRIX_COLUMNS, hide_zero=True)}</td>'
                )
        rows.append(f'<tr><th scope="row">{esc(consumer)}</th>{"".join(cells)}</tr>')
    return (
        '<h2 id="pacts">Pacts: consumer × provider</h2>'
        f'<table class="matrix"><thead><tr><th scope="col">consumer \\ provider</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _filters(data: ReportData) -> str:
    verdicts = "".join(
        f'<label><input type="checkbox" name="verdict" value="{v.value}" checked> '
        f'<span class="t-{v.value}">{v.value}</span> ({data.totals[v]})</label>'
        for v in Verdict
    )
    suites = "".join(
        f'<label><input type="checkbox" name="suite" value="{esc(s.name)}" checked> {esc(s.name)}</label>'
        for s in data.suites
    )
    return (
        '<div id="filters" hidden role="search">'
        '<input type="search" id="filter-text" placeholder="Filter failures and results (text)" '
        'aria-label="filter text">'
        f"<fieldset><legend>verdict</legend>{verdicts}</fieldset>"
        f"<fieldset><legend>suite</legend>{suites}</fieldset>"
        '<span id="filter-status" aria-live="polite"></span></div>'
    )


def _row(result: Result) -> str:
    reproduction = (
        f"<details><summary>reproduce</summary><pre>{esc(result.reproduction)}</pre></details>"
        if result.reproduction
        else ""
    )
    return (
        f'<tr class="v-{result.verdict.value}" {_filter_attrs(result)}>'
        f"<td>{_tag(result)}</td>"
        f"<td>{esc(result.suite)}</td><td>{esc(result.service)}</td>"
        f'<td class="what">{esc(result.operation)} <span class="check">· {esc(result.check)}</span></td>'
        f"<td><div>{esc(result.expectation)}</div></td>"
        f"<td><div>{esc(result.observed)}</div>{reproduction}</td></tr>"
    )


def _results(data: ReportData) -> str:
    return (
        f'<h2 id="results">All results ({len(data.results)})</h2>'
        '<table class="results"><colgroup><col class="verdict"><col class="suite"><col class="service">'
        '<col class="what"><col><col></colgroup>'
        "<thead><tr><th>verdict</th><th>suite</th><th>service</th><th>operation · check</th>"
        "<th>expected</th><th>observed</th></tr></thead>"
        f"<tbody>{''.join(_row(r) for r in data.results)}</tbody></table>"
    )


def _coverage(data: ReportData) -> str:
    coverage = data.coverage
    parts = [
        f'<p class="coverage"><strong>Coverage:</strong> {esc(coverage.line())} of what the contracts imply</p>'
    ]
    if data.coverage_failure:
        parts.append(
            f'<p class="stopped"><strong>Too little coverage:</strong> {esc(data.coverage_failure)}</p>'
        )
    if coverage.gaps:
        rows = "".join(
            f"<tr><td>{count}</td><td>{esc(suite)}</td><td>{esc(reason)}</td></tr>"
            for suite, reason, count in coverage.gaps[:15]
        )
        parts.append(
            '<details><summary>skipped checks, by reason</summary><table class="gaps"><thead><tr><th>skipped</th>'
            f"<th>suite</th><th>why (what would let them run)</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    if data.advisories:
        items = "".join(
            f"<li>{esc(r.suite)} · {esc(r.operation)} · {esc(r.check)}: {esc(r.observed)}</li>"
            for r in data.advisories[:50]
        )
        parts.append(
            f"<details><summary>{len(data.advisories)} advisories (policy checks that failed; not failing the "
            f"gate)</summary><ul>{items}</ul></details>"
        )
    if data.leftovers:
        parts.append(
            '<p class="stopped"><strong>Left behind on the target:</strong> '
            + "; ".join(esc(t) for t in data.leftovers)
            + "</p>"
        )
    return "".join(parts)


def render(data: ReportData) -> str:
    stopped = f'<p class="stopped"><strong>Stopped:</strong> {esc(data.stopped)}</p>' if data.stopped else ""
    stopped += _coverage(data)
    totals = _chips(_verdict_counts(data.totals), _VERDICTS)
    body = (
        _banner(data)
        + "<main>"
        + stopped
        + f'<div class="totals">{totals}</div>'
        + '<h2 id="suites">Suites</h2><div class="cards">'
        + "".join(_card(s) for s in data.suites)
        + "</div>"
        + _filters(data)
        + _failures(data)
        + _matrix(data.matrix)
        + _results(data)
        + "</main>"
        + f"<footer>contractgate {esc(data.version)} · generated {esc(data.generated_at)} · "
        "full data in gate.json</footer>"
    )
    title = f"contractgate: {data.verdict.value.upper()} · {data.target}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body>{body}\n<script>{JS}</script></body></html>\n"
    )
