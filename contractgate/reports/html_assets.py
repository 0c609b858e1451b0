"""The stylesheet and script inlined into `index.html` (kept apart from the markup that `html.py` builds).

No fonts, images or anything else from outside: the page is one file that opens from a CI artefact,
offline. The script only adds the filter bar (free text, verdict and suite toggles; `#filter=TEXT` in
the address presets the text); every result is in the HTML already, so the page reads the same
without it. The script never writes HTML: it shows and hides elements that are there.
"""

from __future__ import annotations

CSS = """
:root {
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9;
  --error: #9a4d00; --error-bg: #fff1c2; --skipped: #57606a; --skipped-bg: #eaeef2;
  --pending: #6639ba; --pending-bg: #f3eeff;
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --paper: #ffffff; --wash: #f6f8fa;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: var(--wash);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
code, pre, .mono {
  font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 13px;
}
main { max-width: 1200px; margin: 0 auto; padding: 0 24px 48px; }
h2 { font-size: 20px; margin: 32px 0 12px; }
h3 { font-size: 15px; margin: 0; }
.banner { color: #fff; padding: 24px; }
.banner .inner {
  max-width: 1200px; margin: 0 auto; padding: 0 24px; display: flex; gap: 24px;
  align-items: center; flex-wrap: wrap;
}
.banner.v-pass { background: var(--pass); }
.banner.v-fail { background: var(--fail); }
.banner.v-error { background: var(--error); }
.verdict-word {
  font-size: 40px; font-weight: 800; letter-spacing: 2px; line-height: 1; padding: 12px 20px;
  border: 3px solid rgba(255,255,255,.85); border-radius: 8px;
}
.headline { font-size: 22px; font-weight: 600; margin: 0; }
.banner .meta { margin: 4px 0 0; opacity: .95; }
.banner code { background: rgba(255,255,255,.2); padding: 1px 6px; border-radius: 4px; color: #fff; }
.stopped {
  background: var(--error-bg); border: 1px solid var(--error); color: var(--ink);
  border-radius: 6px; padding: 10px 14px; margin-top: 16px;
}
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0; padding: 0; list-style: none; }
.chip {
  display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 13px;
  font-weight: 600; white-space: nowrap;
}
.chip.zero { opacity: .45; }
.c-pass { color: var(--pass); background: var(--pass-bg); }
.c-fail { color: var(--fail); background: var(--fail-bg); }
.c-error { color: var(--error); background: var(--error-bg); }
.c-skipped { color: var(--skipped); background: var(--skipped-bg); }
.c-pending { color: var(--pending); background: var(--pending-bg); }
.totals { margin-top: 20px; }
.totals .chip { font-size: 15px; padding: 3px 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.card {
  background: var(--paper); border: 1px solid var(--line); border-top: 5px solid var(--skipped);
  border-radius: 8px; padding: 14px 16px;
}
.card.v-pass { border-top-color: var(--pass); }
.card.v-fail { border-top-color: var(--fail); }
.card.v-error { border-top-color: var(--error); }
.card .state { font-weight: 700; font-size: 13px; letter-spacing: 1px; margin: 2px 0 10px; }
.card .time { color: var(--muted); font-size: 13px; margin: 10px 0 0; }
.card .reason { font-size: 13px; margin: 10px 0 0; }
.t-pass { color: var(--pass); } .t-fail { color: var(--fail); } .t-error { color: var(--error); }
.t-skipped { color: var(--skipped); } .t-pending { color: var(--pending); }
.tag {
  display: inline-block; min-width: 58px; text-align: center; white-space: nowrap;
  border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 700; letter-spacing: .5px;
}
.tag.v-pass { background: var(--pass); color: #fff; } .tag.v-fail { background: var(--fail); color: #fff; }
.tag.v-error { background: var(--error); color: #fff; } .tag.v-skipped { background: var(--skipped); color: #fff; }
.tag.pending { background: var(--pending); color: #fff; }
#filters {
  position: sticky; top: 0; z-index: 2; margin-top: 24px; padding: 10px 14px;
  background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
  display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; box-shadow: 0 2px 6px rgba(31,35,40,.08);
}
#filters input[type=search] {
  font: inherit; padding: 5px 10px; border: 1px solid var(--line); border-radius: 6px;
  min-width: 260px; flex: 1;
}
#filters fieldset {
  border: 0; margin: 0; padding: 0; display: flex; gap: 10px; flex-wrap: wrap; align-items: center;
}
#filters legend { float: left; font-weight: 600; margin-right: 6px; font-size: 13px; color: var(--muted); }
#filters label { font-size: 13px; white-space: nowrap; cursor: pointer; }
#filter-status { color: var(--muted); font-size: 13px; }
.failure {
  background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--fail);
  border-radius: 8px; padding: 14px 16px; margin-bottom: 12px;
}
.failure.v-error { border-left-color: var(--error); }
.failure h3 { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; overflow-wrap: anywhere; }
.failure .where { color: var(--muted); font-weight: 400; }
.failure dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 10px 0 0; }
.failure dt { font-weight: 600; color: var(--muted); }
.failure dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
pre {
  background: #0d1117; color: #e6edf3; border-radius: 6px; padding: 10px 12px; margin: 6px 0 0;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 360px; overflow: auto;
}
.empty {
  background: var(--paper); border: 1px dashed var(--line); border-radius: 8px; padding: 14px 16px;
  color: var(--muted);
}
table {
  border-collapse: collapse; width: 100%; background: var(--paper); border: 1px solid var(--line);
  border-radius: 8px;
}
th, td {
  text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere;
}
thead th { background: var(--wash); font-size: 13px; color: var(--muted); position: sticky; top: 0; }
.matrix th[scope=row] { white-space: nowrap; }
.matrix td.none { color: var(--muted); text-align: center; }
.matrix td.v-pass { background: #f0fbf3; } .matrix td.v-fail { background: #fff5f4; }
.matrix td.v-error { background: #fffaeb; } .matrix td.v-pending { background: #f9f6ff; }
.results { table-layout: fixed; font-size: 14px; }
.results col.verdict { width: 96px; } .results col.suite { width: 90px; } .results col.service { width: 140px; }
.results col.what { width: 30%; }
.results td.what .check { color: var(--muted); }
.results tr.v-fail td { background: #fff8f7; } .results tr.v-error td { background: #fffcf2; }
.results details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 24px; }
@media print { #filters { display: none !important; } pre { max-height: none; } }
"""

JS = """
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  var box = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-filter-item]"));
  var rows = items.filter(function (el) { return el.tagName === "TR"; });
  var texts = items.map(function (el) { return el.textContent.toLowerCase(); });
  function chosen(name) {
    var set = {};
    bar.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
      if (input.checked) { set[input.value] = true; }
    });
    return set;
  }
  function apply() {
    var query = box.value.trim().toLowerCase();
    var verdicts = chosen("verdict");
    var suites = chosen("suite");
    var shown = 0;
    items.forEach(function (el, i) {
      var visible = verdicts[el.getAttribute("data-verdict")] === true &&
        suites[el.getAttribute("data-suite")] === true &&
        (query === "" || texts[i].indexOf(query) !== -1);
      el.hidden = !visible;
      if (visible && el.tagName === "TR") { shown += 1; }
    });
    status.textContent = shown + " of " + rows.length + " results shown";
  }
  // `index.html#filter=TEXT` opens the page filtered, so a filtered view can be linked to.
  var linked = /^#filter=(.*)$/.exec(window.location.hash);
  if (linked) {
    try { box.value = decodeURIComponent(linked[1]); } catch (e) { box.value = ""; }
  }
  box.addEventListener("input", function () {
    if (window.history.replaceState) {
      window.history.replaceState(null, "", box.value ? "#filter=" + encodeURIComponent(box.value) : "#");
    }
  });
  bar.addEventListener("input", apply);
  bar.addEventListener("change", apply);
  bar.hidden = false;
  apply();
  document.documentElement.setAttribute("data-js", "ready");
})();
"""
