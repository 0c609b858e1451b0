"""Deciding cheaply that two parts of the documents are the same, so they are not compared at all.

Two values at the same JSON pointer are the same when they are equal (a C-speed `==`, instant when
both sides are one object — a description compared with itself) and every `$ref` inside them leads to
a component that is itself unchanged. A component (`#/components/<section>/<name>`, or a file bundled
under `x-contractgate-files`) is *changed* when its value differs between the documents or it refers,
directly or through others, to a changed one — computed once per comparison over the reference graph.
A large description changed in a few places is then compared in the few places that changed.
"""

from __future__ import annotations

from typing import Any

from providers.compat.bundle import FILES
from providers.compat.resolve import Node, Resolver, escape

_FILES_PREFIX = f"#/{FILES}/"


def refs_in(value: Any) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return found


def entry_of(ref: str) -> str | None:
    """The component or bundled file a reference points into, or None (anything else)."""
    if ref.startswith("#/components/"):
        parts = ref.split("/", 4)
        return "/".join(parts[:4]) if len(parts) >= 4 else None
    if ref.startswith(_FILES_PREFIX):
        key = ref[len(_FILES_PREFIX) :].split("/", 1)[0]
        return _FILES_PREFIX + key
    return None


def _entries(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    components = document.get("components")
    if isinstance(components, dict):
        for section, entries in components.items():
            if isinstance(entries, dict):
                for name, value in entries.items():
                    found[f"#/components/{escape(str(section))}/{escape(str(name))}"] = value
    files = document.get(FILES)
    if isinstance(files, dict):
        for key, value in files.items():
            found[_FILES_PREFIX + escape(str(key))] = value
    return found


class Sameness:
    def __init__(self, old: Resolver, new: Resolver) -> None:
        self.old, self.new = old, new
        self._changed: set[str] | None = None
        self._refs: dict[int, tuple[Any, set[str]]] = {}

    def _refs_of(self, value: Any) -> set[str]:
        cached = self._refs.get(id(value))
        if cached is None:
            cached = (value, refs_in(value))  # the value is kept so its id cannot be reused
            self._refs[id(value)] = cached
        return cached[1]

    @property
    def changed(self) -> set[str]:
        if self._changed is None:
            old, new = _entries(self.old.document), _entries(self.new.document)
            changed = {p for p in old.keys() | new.keys() if p not in old or p not in new or old[p] != new[p]}
            users: dict[str, set[str]] = {}
            for pointer, value in old.items():
                for ref in self._refs_of(value):
                    entry = entry_of(ref)
                    users.setdefault(entry or "?", set()).add(pointer)
            pending = [*changed, "?"]
            while pending:
                for user in users.get(pending.pop(), ()):
                    if user not in changed:
                        changed.add(user)
                        pending.append(user)
            self._changed = changed
        return self._changed

    def same(self, old: Node, new: Node) -> bool:
        """`old` and `new` are the same value at the same place, and lead only to unchanged components."""
        if old.pointer != new.pointer or (old.value is not new.value and old.value != new.value):
            return False
        changed = self.changed
        for ref in self._refs_of(old.value):
            entry = entry_of(ref)
            if entry is None or entry in changed:
                return False
        return True
