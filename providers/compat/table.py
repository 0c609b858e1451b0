"""The rule table, generated from `RULES`: as text (`contractgate compat --rules`) and as Markdown
(`providers/compat/RULES.md`, which a test keeps equal to `markdown()`).
"""

from __future__ import annotations

import textwrap
from collections import Counter

from providers.compat.model import FAMILIES, RULES, Rule, Severity

_SHORT = {Severity.BREAKING: "breaking", Severity.DEPRECATION: "deprecation", Severity.NON_BREAKING: "ok"}
RULES_FILE = "providers/compat/RULES.md"


def counts() -> dict[str, int]:
    """Rules per family, in table order."""
    counted = Counter(rule.family for rule in RULES)
    return {family: counted[family] for family in FAMILIES}


def _levels(rule: Rule) -> str:
    if rule.request is rule.response:
        return rule.request.value
    return f"request {_SHORT[rule.request]}, response {_SHORT[rule.response]}"


def text(width: int = 100) -> str:
    lines = [f"{len(RULES)} rules ({', '.join(f'{family} {n}' for family, n in counts().items())})", ""]
    indent = " " * 6
    for family in FAMILIES:
        lines.append(f"{family}:")
        for rule in (r for r in RULES if r.family == family):
            lines.append(f"  {rule.id}  [{_levels(rule)}]")
            lines += textwrap.wrap(rule.basis, width, initial_indent=indent, subsequent_indent=indent)
            if rule.oasdiff:
                lines += textwrap.wrap(
                    f"oasdiff: {rule.oasdiff}", width, initial_indent=indent, subsequent_indent=indent
                )
            if rule.differs:
                lines += textwrap.wrap(f"differs from oasdiff: {rule.differs}", width, initial_indent=indent,
                                       subsequent_indent=indent)  # fmt: skip
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    total = ", ".join(f"{family} {n}" for family, n in counts().items())
    lines = [
        "# compat rules",
        "",
        "Generated from `providers/compat/rules_*.py` by `contractgate compat --rules --format markdown`;",
        "a test keeps this file equal to the code. Severities: **breaking** fails `contractgate compat`",
        "(exit 1; oasdiff's ERR), **deprecation** fails it only with `--fail-on deprecation`, **non-breaking**",
        "never does (oasdiff's INFO; there is no WARN: an undecidable change is breaking). A schema rule has",
        "a severity per direction: *request* is data the client sends, *response* data it reads; webhooks",
        "and callbacks reverse the two. The *oasdiff* column names the oasdiff rule ids each rule covers",
        "(`*` for body, property, parameter…), the last one why a severity differs from oasdiff's default.",
        "",
        f"{len(RULES)} rules: {total}.",
        "",
    ]
    for family in FAMILIES:
        lines += [
            f"## {family}",
            "",
            "| rule | request | response | basis | oasdiff | differs from oasdiff |",
            "|---|---|---|---|---|---|",
        ]
        for rule in (r for r in RULES if r.family == family):
            lines.append(
                f"| `{rule.id}` | {rule.request.value} | {rule.response.value} | {_cell(rule.basis)} "
                f"| {_cell(rule.oasdiff)} | {_cell(rule.differs)} |"
            )
        lines.append("")
    return "\n".join(lines)
