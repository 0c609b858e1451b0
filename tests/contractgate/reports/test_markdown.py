"""`summary.md`: the verdict first, per-suite table, failures with collapsible reproductions, pact matrix."""

from __future__ import annotations

import re

from contractgate.reports import markdown
from providers.results import Result, Verdict
from tests.contractgate.reports.samples import LEAKED_JWT, MARKDOWN, data_of, outcome, passing, stopped


def _outside_code(text: str) -> str:
    """The document without its fenced code blocks (fences of 3 or more backticks)."""
    return re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", text, flags=re.S | re.M)


def test_the_verdict_comes_first_in_words() -> None:
    text = markdown.render(data_of(outcome()))
    lines = text.splitlines()
    assert lines[0] == "## contractgate: FAIL"
    assert lines[2].startswith("**FAIL** — 2 checks failed: a contract is broken. Target `stubs`")
    assert "6 pass · 2 fail · 2 error · 3 skipped · 321 requests · 12.5s" in lines[2]
    assert markdown.render(data_of(passing())).startswith(
        "## contractgate: PASS\n\n**PASS** — every contract holds."
    )
    stopped_text = markdown.render(data_of(stopped()))
    assert stopped_text.startswith("## contractgate: ERROR")
    assert "**Stopped:** fuzz: target unreachable: http://127.0.0.1:8002 (ConnectError)" in stopped_text


def test_a_table_row_per_suite() -> None:
    text = markdown.render(data_of(stopped()))
    assert "| pacts | **FAIL** | 4 | 1 | 1 | 2 | 2.2 |" in text
    assert "| websocket | **NOT RUN** | 0 | 0 | 0 | 0 | – |" in text


def test_failures_then_errors_with_collapsible_fenced_reproductions() -> None:
    text = markdown.render(data_of(outcome()))
    headings = [line for line in text.splitlines() if line.startswith("#### ")]
    assert [h.split(":")[0] for h in headings] == ["#### FAIL", "#### FAIL", "#### ERROR", "#### ERROR"]
    assert "### Failures and errors (4)" in text
    block = text[text.index("response\\_schema\\_conformance") :]
    assert "<details><summary>reproduction</summary>\n\n````sh\ncurl -X GET" in block
    # The reproduction holds a ``` run, so the fence is four backticks and the text stays verbatim.
    assert MARKDOWN in block[: block.index("</details>\n")]
    assert "Authorization: Bearer [REDACTED]" in block
    assert LEAKED_JWT not in text


def test_hostile_text_outside_code_is_inert() -> None:
    text = _outside_code(markdown.render(data_of(outcome())))
    assert "<script" not in text and "<img" not in text
    assert "&lt;/script&gt;&lt;script&gt;" in text
    assert "\x07" not in text and "bell\\\\x07" in text  # the backslash of \x07 is itself escaped


def test_markdown_helpers_escape_what_would_become_markup() -> None:
    assert markdown.text("a | b *c* [d](e) `f` <g> & ~h~\nnext") == (
        "a \\| b \\*c\\* \\[d\\](e) \\`f\\` &lt;g&gt; &amp; \\~h\\~ next"
    )
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("has `one` tick") == "``has `one` tick``"
    assert markdown.code("`edge`") == "`` `edge` ``"
    assert markdown.fenced("a\n````\nb").startswith("`````\n")


def test_the_pact_matrix_when_there_are_pact_results() -> None:
    text = markdown.render(data_of(outcome()))
    assert "### Pact matrix (consumer × provider)" in text
    assert "| consumer \\\\ provider | auth-service | backend-service |" in text
    assert "| mobile-app-legacy | 1 pass, 1 pending | – |" in text
    assert "| web-frontend | 1 pass | **2 pass, 1 fail** |" in text
    no_pacts = outcome(results=[r for r in outcome().results if r.suite != "pacts"])
    assert "Pact matrix" not in markdown.render(data_of(no_pacts))


def test_only_the_first_fifty_failures_are_shown() -> None:
    many = [
        Result("fuzz", "backend-service", f"GET /v2/items/{i:03}", "check", "ok", "broken", Verdict.FAIL)
        for i in range(60)
    ]
    text = markdown.render(data_of(outcome(results=many)))
    assert text.count("#### FAIL") == 50
    assert "GET /v2/items/049" in text and "GET /v2/items/050" not in text
    assert "… and 10 more: see `gate.json` or `index.html`." in text


def test_a_long_reproduction_is_cut() -> None:
    long = Result("fuzz", "s", "GET /x", "c", "ok", "broken", Verdict.FAIL, reproduction="x" * 10_000)
    text = markdown.render(data_of(outcome(results=[long])))
    assert "x" * markdown.MAX_REPRODUCTION in text and "x" * (markdown.MAX_REPRODUCTION + 1) not in text
    assert "… (cut; the full command is in gate.json)" in text
