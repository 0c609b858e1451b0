"""Multi-file descriptions: every external `$ref` resolved once, at load time, into one document.

A reference to another file (`common.yaml#/components/schemas/Error`, `./paths/users.yaml`, an http(s)
URL) is read relative to the file that holds it — from the file system, over HTTP, or from the same
git revision — parsed once, and stored under `x-contractgate-files` at the root of the document; the
reference is rewritten to point there (`#/x-contractgate-files/common.yaml/components/schemas/Error`).
So a bundled document is self-contained, a comparison needs nothing else, and a change found in an
external file is reported with its own file and pointer (`common.yaml#/components/schemas/Error`, see
`display_pointer`). A file that cannot be read or parsed, or a reference that points at nothing, is a
`ContractError` naming the file that holds the reference and its JSON pointer: exit 2.

Operation-level references (`get: {$ref: ops.yaml#/getUser}`), path items, parameters, responses and
schemas are all references like any other: once bundled, `Resolver.resolve` follows them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from providers.compat.loader import parse
from providers.errors import ContractError

FILES = "x-contractgate-files"
MAX_FILES = 1000
_PREFIX = f"#/{FILES}/"


@dataclass(frozen=True)
class Location:
    """Where a document is: a file path, an http(s) URL, or a path in a git revision (`kind`)."""

    kind: str  # "file" | "url" | "git"
    where: str
    label: str

    def join(self, reference: str) -> Location:
        if reference.startswith(("http://", "https://")):
            return Location("url", reference, reference)
        if self.kind == "url":
            url = urljoin(self.where, reference)
            return Location("url", url, url)
        if reference.startswith("file://"):
            path = unquote(urlsplit(reference).path)
            return Location("file", path, path)
        relative = unquote(reference)
        if self.kind == "git":
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.where), relative))
            revision = self.label.split(":", 1)[0]
            return Location("git", joined, f"{revision}:{joined}")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.where), relative))
        return Location("file", joined, joined)


#: Reads a location's bytes, or raises `ContractError` naming it.
Reader = Callable[[Location], bytes]


def display_pointer(pointer: str | None) -> str | None:
    """`#/x-contractgate-files/common.yaml/components/…` → `common.yaml#/components/…`."""
    if pointer is None or not pointer.startswith(_PREFIX):
        return pointer
    rest = pointer[len(_PREFIX) :]
    key, _, inner = rest.partition("/")
    name = key.replace("~1", "/").replace("~0", "~")
    return f"{name}#/{inner}" if inner else f"{name}#"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _refs(document: Any) -> list[dict[str, Any]]:
    """Every mapping holding a string `$ref`, found without recursion (documents can be deep)."""
    found: list[dict[str, Any]] = []
    stack = [document]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                found.append(value)
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    return found


def bundle(document: dict[str, Any], location: Location, read: Reader) -> dict[str, Any]:
    """Resolve the external references of `document` (parsed from `location`) in place; returns it."""
    if FILES in document:
        raise ContractError(f"{location.label}: #/{FILES} is reserved for the files contractgate bundles")
    keys: dict[str, str] = {location.where: ""}  # location → key under FILES ("" for the root)
    files: dict[str, Any] = {}
    pending: list[tuple[Any, Location, str]] = [(document, location, "")]
    while pending:
        doc, here, key = pending.pop()
        for holder in _refs(doc):
            reference: str = holder["$ref"]
            target, _, fragment = reference.partition("#")
            if fragment and not fragment.startswith("/"):
                continue  # `#anchor` forms are resolved by the Resolver within one document
            if not target:
                if key:  # a local pointer inside an external file points into that file
                    holder["$ref"] = f"{_PREFIX}{_escape(key)}{fragment}"
                continue
            there = here.join(target)
            if there.where not in keys:
                if len(keys) > MAX_FILES:
                    raise ContractError(f"{location.label}: more than {MAX_FILES} files referenced")
                name = _key_for(there, location, set(keys.values()))
                keys[there.where] = name
                try:
                    data = read(there)
                except ContractError as exc:
                    raise ContractError(f"{here.label}: $ref {reference!r}: {exc}") from None
                parsed = parse(data, there.label, json_first=there.where.endswith(".json"))
                files[name] = parsed
                pending.append((parsed, there, name))
            name = keys[there.where]
            holder["$ref"] = f"#{fragment}" if not name else f"{_PREFIX}{_escape(name)}{fragment}"
    if files:
        document[FILES] = files
    return document


def _key_for(there: Location, root: Location, taken: set[str]) -> str:
    """A readable, unique key for a referenced file: its path relative to the root document's folder."""
    if there.kind == "url" or root.kind == "url":
        name = there.where
    else:
        base = posixpath.dirname(root.where)
        name = (
            posixpath.relpath(there.where, base) if base or not there.where.startswith("/") else there.where
        )
    candidate, n = name, 1
    while candidate in taken or not candidate:
        n += 1
        candidate = f"{name}#{n}"
    return candidate


def file_location(path: str) -> Location:
    return Location("file", posixpath.normpath(Path(path).as_posix()), path)
