"""The code knows no platform: no name of the reference platform appears in `providers/` or `contractgate/`.

The names come from the reference contracts themselves (so a new path or state is covered the day it is
added): services, path templates, provider states, scopes, client ids, account names and the usernames
consumers use, the claim names of its tokens. Distinctive names may not appear anywhere in the source,
comments and docstrings included; names that are also ordinary words ("member", "backend", "a user
exists") may not appear as a string literal of their own. Names a standard gives (the `scope` claim of
RFC 8693, `/.well-known/…` paths) and contractgate's own vocabulary (suite names) are not the platform's.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from contracts import PACKAGE_ROOT, asyncapi_spec, manifest, openapi_specs
from providers.checks import SUITE_MODULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("providers", "contractgate")


def _reference_names() -> tuple[set[str], set[str]]:
    specs = openapi_specs(PACKAGE_ROOT)
    found = manifest(PACKAGE_ROOT)
    assert found is not None, "the reference contracts have a platform.yaml"
    data = found[1]
    distinctive: set[str] = {spec.service for spec in specs}
    asyncapi = asyncapi_spec(PACKAGE_ROOT)
    assert asyncapi is not None
    distinctive.add(asyncapi["info"]["x-service"])
    for spec in specs:
        for path in spec.document.get("paths", {}):
            if path.count("/") >= 2 and not path.startswith("/.well-known/"):
                distinctive.add(path.split("{")[0].rstrip("/"))
        for scheme in spec.document.get("components", {}).get("securitySchemes", {}).values():
            for flow in (scheme.get("flows") or {}).values():
                distinctive.update(flow.get("scopes") or {})
    states: set[str] = set()
    for pact in (PACKAGE_ROOT / "pacts").glob("*.json"):
        for interaction in json.loads(pact.read_text())["interactions"]:
            states.update(state["name"] for state in interaction.get("providerStates", []))
    distinctive.update(data.get("clients", {}))
    accounts = data.get("accounts", {})
    distinctive.update(str(a["example"]) for a in accounts.values() if a.get("example"))
    distinctive.update(str(a["tenant"]) for a in accounts.values() if a.get("tenant"))
    distinctive.update(c for c in data["tokens"]["claims"].values() if "_" in c)
    generic = {*accounts, *states}
    for spec in specs:
        for scheme in spec.document.get("components", {}).get("securitySchemes", {}).values():
            generic.update(scheme.get("x-audiences") or [])
    distinctive |= {name for name in accounts if "-" in name or "_" in name}
    # contractgate's own words: suite names, and the x-handshake key listing where a token goes ("auth").
    return distinctive, generic - distinctive - set(SUITE_MODULES) - {"auth"}


DISTINCTIVE, GENERIC = _reference_names()


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_the_reference_names_are_read_from_the_contracts() -> None:
    # The test must be able to fail: it knows the names it looks for.
    assert {"/v2/threads", "auth-service", "tenant_id", "alice@example.com", "runs:read"} <= DISTINCTIVE
    assert {"member", "admin", "backend", "a thread exists"} <= GENERIC


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_name_in_the_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = sorted(
        name for name in DISTINCTIVE if re.search(rf"(?<![\w/-]){re.escape(name)}(?![\w-])", text)
    )
    literals = {
        node.value
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    found += sorted(literals & GENERIC)
    assert found == [], f"{path.relative_to(ROOT)} names the reference platform: {found}"
