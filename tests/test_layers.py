"""The import rules of DESIGN.md, enforced: data flows contracts → stubs/consumers → providers → contractgate."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {"contracts", "stubs", "consumers", "providers", "contractgate"}
MAY_IMPORT = {
    "contracts": set(),
    "stubs": {"contracts"},
    "consumers": {"contracts"},
    "providers": {"contracts"},
    "contractgate": {"contracts", "stubs", "consumers", "providers"},
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_packages_import_only_what_they_may(package: str) -> None:
    allowed = MAY_IMPORT[package] | {package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(imports_of(path) - allowed)
        for path in sorted((ROOT / package).rglob("*.py"))
        if imports_of(path) - allowed
    }
    assert offenders == {}
