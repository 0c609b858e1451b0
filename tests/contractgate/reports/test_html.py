"""`index.html`: self-contained, escaped, readable without script, and rendered by headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from contractgate.reports import html
from contractgate.reports.model import ReportData
from tests.contractgate.reports.browser import rendered_dom, screenshot
from tests.contractgate.reports.samples import IMG, LEAKED_JWT, SCRIPT, data_of, outcome, passing, stopped


class Elements(HTMLParser):
    """Every start tag with its attributes, and every `<script>`/`<style>` body."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.bodies: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.bodies else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.bodies[self._in].append(data)

    def count(self, tag: str, **attrs: str) -> int:
        return sum(
            1
            for t, a in self.tags
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        )


def _page(tmp_path: Path, data: ReportData) -> Path:
    page = tmp_path / "index.html"
    page.write_text(html.render(data), encoding="utf-8")
    return page


def test_the_page_loads_nothing_from_outside() -> None:
    text = html.render(data_of(outcome()))
    elements = Elements(text)
    for tag, attrs in elements.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed", "audio", "video", "source", "base"}
        assert not {"src", "href", "srcset", "action", "style"} & set(attrs), (tag, attrs)
    assert elements.count("script") == 1 and elements.count("style") == 1
    assert "@import" not in text and "url(" not in text and "@font-face" not in text


def test_the_content_security_policy_admits_only_this_pages_style_and_script() -> None:
    elements = Elements(html.render(data_of(outcome())))
    policy = next(a["content"] for t, a in elements.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert policy is not None and policy.startswith("default-src 'none'; ")

    def digest(source: str) -> str:
        return base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(''.join(elements.bodies['script']))}'" in policy
    assert f"style-src 'sha256-{digest(''.join(elements.bodies['style']))}'" in policy


def test_every_value_is_escaped() -> None:
    text = html.render(data_of(outcome()))
    assert SCRIPT not in text and IMG not in text
    assert (
        "&lt;/script&gt;&lt;script&gt;document.documentElement.setAttribute(&#x27;data-pwned&#x27;,&#x27;1&#x27;)"
        in text
    )
    assert LEAKED_JWT not in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_everything_is_in_the_html_without_script() -> None:
    data = data_of(outcome())
    elements = Elements(html.render(data))
    assert elements.count("tr", data_verdict="fail") == 2  # all results are table rows …
    assert sum(1 for t, a in elements.tags if t == "tr" and "data-filter-item" in a) == len(data.results)
    assert (
        elements.count("article", data_verdict="fail") + elements.count("article", data_verdict="error") == 4
    )
    assert elements.count("pre") >= 3  # … failures carry their reproductions in <pre>
    assert sum(1 for t, a in elements.tags if a.get("id") == "filters" and "hidden" in a) == 1


def test_the_matrix_has_a_cell_per_pair() -> None:
    text = html.render(data_of(outcome()))
    start = text.index('<table class="matrix">')
    matrix = text[start : text.index("</table>", start)]
    assert matrix.count('<th scope="row">') == 4
    assert (
        '<td class="v-fail"><ul class="chips"><li class="chip c-pass">2 pass</li><li class="chip c-fail">1 fail</li>'
        in matrix
    )
    assert '<li class="chip c-pending">1 pending</li>' in matrix
    assert '<td class="none" title="no pact">—</td>' in matrix
    no_pacts = outcome(results=[r for r in outcome().results if r.suite != "pacts"])
    assert "consumer × provider" not in html.render(data_of(no_pacts))


@pytest.mark.parametrize(
    ("make", "word", "headline"),
    [
        (passing, "PASS", "every contract holds"),
        (outcome, "FAIL", "2 checks failed: a contract is broken"),
        (stopped, "ERROR", "the gate stopped before it could decide"),
    ],
    ids=["pass", "fail", "error"],
)
def test_chromium_renders_the_verdict(tmp_path: Path, make: object, word: str, headline: str) -> None:
    page = _page(tmp_path, data_of(make()))  # type: ignore[operator]
    dom = rendered_dom(page, tmp_path / "profile")
    banner = re.search(r'<header class="banner v-(\w+)" id="verdict".*?</header>', dom, re.S)
    assert banner is not None and banner.group(1) == word.lower()
    assert f'<div class="verdict-word" aria-label="verdict">{word}</div>' in banner.group(0)
    assert headline in banner.group(0)
    assert 'data-js="ready"' in dom  # the script ran under the page's own CSP


def test_injected_script_is_inert_in_chromium(tmp_path: Path) -> None:
    dom = rendered_dom(_page(tmp_path, data_of(outcome())), tmp_path / "profile")
    assert "data-pwned" not in dom.split(">", 2)[1]  # the <html> element was never touched
    assert 'data-pwned="' not in dom
    assert "&lt;/script&gt;&lt;script&gt;document.documentElement.setAttribute('data-pwned','1')" in dom
    assert '&lt;img src=x onerror="document' in dom or '&lt;img src=x onerror="document' in dom
    assert dom.count("<script>") == 1


def test_the_filter_bar_appears_with_script_and_filters(tmp_path: Path) -> None:
    page = _page(tmp_path, data_of(outcome()))
    dom = rendered_dom(page, tmp_path / "profile", fragment="#filter=interaction%203")
    bar = re.search(r'<div id="filters"[^>]*>', dom)
    assert bar is not None and "hidden" not in bar.group(0)
    rows = re.findall(r"<tr [^>]*data-filter-item[^>]*>", dom)
    assert len(rows) == 13
    assert (
        sum("hidden" not in row for row in rows) == 1
    )  # only "web-frontend → backend-service: interaction 3"
    assert '<span id="filter-status" aria-live="polite">1 of 13 results shown</span>' in dom


def test_without_script_the_page_still_shows_everything(tmp_path: Path) -> None:
    page = _page(tmp_path, data_of(outcome()))
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"<script>.*</script>", "", text, flags=re.S), encoding="utf-8")
    dom = rendered_dom(page, tmp_path / "profile")
    assert 'data-js="ready"' not in dom
    assert re.search(r'<div id="filters" hidden=""', dom)
    rows = re.findall(r"<tr [^>]*data-filter-item[^>]*>", dom)
    assert len(rows) == 13 and not any("hidden" in row for row in rows)
    assert "Failures and errors (4)" in dom


def test_a_screenshot_of_the_page(tmp_path: Path) -> None:
    """A picture to look at (kept in pytest's tmp dir); here we check that Chromium drew a page."""
    png = tmp_path / "index.png"
    size = screenshot(_page(tmp_path, data_of(outcome())), png, tmp_path / "profile", width=1280, height=1800)
    assert size == (1280, 1800)
    assert png.stat().st_size > 20_000  # a blank page compresses to a few kB
