"""Entry points: compare two documents, two sources, or the contracts of a git revision with the work tree.

`compare(old, new)` is the engine (a list of `Change`s in document order); `compare_sources` names the
two sides and treats a missing side as a spec added or removed; `compare_revision` does that for
every OpenAPI document of a contracts folder (what `contractgate compat --base REV` runs in CI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from providers.compat.check import check
from providers.compat.model import Change, Direction, Severity, make_change, tally, worst
from providers.compat.operations import DocumentComparator
from providers.compat.sources import SPEC_SUFFIXES, Repository, SpecSource, ensure_openapi, load_spec


def compare(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    old_label: str = "old",
    new_label: str = "new",
    today: date | None = None,
) -> list[Change]:
    """Every change from `old` to `new` that a client could notice, classified by `model.RULES`.

    `today` is the date sunsets are judged against (default: today). Swagger 2.0 documents are
    converted first; documents are not modified."""
    old = ensure_openapi(old, old_label)
    new = ensure_openapi(new, new_label)
    check(old, old_label)
    if new is not old:
        check(new, new_label)
    return DocumentComparator(old, new, old_label, new_label, today).run()


@dataclass(frozen=True)
class Comparison:
    """The changes between two named documents; a side is None when that document does not exist."""

    old: str | None
    new: str | None
    changes: tuple[Change, ...]

    @property
    def label(self) -> str:
        return f"{self.old or '(none)'} → {self.new or '(none)'}"

    def count(self, severity: Severity) -> int:
        return tally(self.changes)[severity]

    @property
    def worst(self) -> Severity | None:
        return worst(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "counts": {s.value: n for s, n in tally(self.changes).items()},
            "changes": [c.to_dict() for c in self.changes],
        }


def compare_sources(old: SpecSource | None, new: SpecSource | None) -> Comparison:
    if old is None and new is None:
        raise ValueError("nothing to compare")
    if old is None:
        assert new is not None
        added = make_change("spec-added", Direction.REQUEST, new.label, "new document")
        return Comparison(None, new.label, (added,))
    if new is None:
        removed = make_change("spec-removed", Direction.REQUEST, old.label, "document deleted")
        return Comparison(old.label, None, (removed,))
    changes = compare(old.document, new.document, old_label=old.label, new_label=new.label)
    return Comparison(old.label, new.label, tuple(changes))


def compare_files(old: str, new: str, *, timeout: float = 10.0) -> Comparison:
    """Two file paths or http(s) URLs (the same one twice is read once)."""
    before = load_spec(old, timeout=timeout)
    after = before if new == old else load_spec(new, timeout=timeout)
    return compare_sources(before, after)


def compare_file_at_revision(revision: str, path: Path) -> Comparison:
    """`path` as of `revision` against `path` in the work tree (added since the revision: no change)."""
    repository = Repository.of(path, revision)
    before = repository.spec(path)
    after = load_spec(str(path)) if path.exists() or before is None else None
    return compare_sources(before, after)


def compare_revision(revision: str, folder: Path) -> list[Comparison]:
    """Every spec file directly in `folder`, as of `revision` against the work tree."""
    repository = Repository.of(folder, revision)
    then = set(repository.specs_in(folder))
    now = (
        {p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(SPEC_SUFFIXES)}
        if folder.is_dir()
        else set()
    )
    comparisons = []
    for name in sorted(then | now):
        before = repository.spec(folder / name) if name in then else None
        after = None
        if name in now:
            loaded = load_spec(str(folder / name))
            after = SpecSource(repository.relative(folder / name), loaded.document)
        comparisons.append(compare_sources(before, after))
    return comparisons
