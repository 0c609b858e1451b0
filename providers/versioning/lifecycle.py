"""Which operations are deprecated and which are current, and where a successor may point — from the specs.

An operation is *deprecated* when it says `deprecated: true` or its document is deprecated; a
document is deprecated when every one of its operations is (the shape of a superseded major version,
like the reference platform's v1 documents). Every other operation of a non-deprecated document is
*current*. `info.x-api-version` names the version of each document in the results.

A deprecated operation's `Link rel="successor-version"` must lead to a current operation of the same
service: its path must match a template of a non-deprecated document of that service that holds at
least one current operation. Paths are matched segment by segment, a `{parameter}` standing for one
non-empty segment.

Which deprecation headers an answer must carry is read from the response the operation declares for
the answer's status (the status itself, its `4XX`-style range, then `default`); an answer with a
status the operation does not declare is held to the headers any of its responses declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contracts import SpecFile
from providers.contract import Operation, operations_of, template_pattern

DEPRECATION_HEADERS = ("Deprecation", "Sunset", "Link")


@dataclass(frozen=True)
class Versioned:
    """An operation and where it stands in its service's lifecycle."""

    operation: Operation
    spec: SpecFile
    deprecated: bool

    @property
    def label(self) -> str:
        return self.operation.label

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.operation.method and bool(
            template_pattern(self.operation.path).fullmatch(path)
        )


@dataclass(frozen=True)
class Successor:
    """The current operation(s) a successor link leads to."""

    spec: SpecFile
    template: str
    operations: tuple[str, ...]


def is_deprecated_document(spec: SpecFile) -> bool:
    operations = operations_of(spec)
    return bool(operations) and all(op.deprecated for op in operations)


class Lifecycle:
    def __init__(self, specs: Iterable[SpecFile]) -> None:
        self.specs = tuple(specs)
        self.deprecated_documents = frozenset(s.name for s in self.specs if is_deprecated_document(s))
        self.operations: list[Versioned] = [
            Versioned(op, spec, op.deprecated or spec.name in self.deprecated_documents)
            for spec in self.specs
            for op in operations_of(spec)
        ]

    def deprecated(self, service: str | None = None) -> list[Versioned]:
        return [v for v in self.operations if v.deprecated and service in (None, v.spec.service)]

    def current(self, service: str | None = None) -> list[Versioned]:
        return [v for v in self.operations if not v.deprecated and service in (None, v.spec.service)]

    def current_documents(self, service: str) -> list[SpecFile]:
        return [s for s in self.specs if s.service == service and s.name not in self.deprecated_documents]

    def successor(self, service: str, path: str) -> Successor | None:
        """The current operations at `path` in a non-deprecated document of `service`, if any."""
        for versioned in self.current(service):
            if template_pattern(versioned.operation.path).fullmatch(path):
                same = [
                    v.label
                    for v in self.current(service)
                    if v.spec.name == versioned.spec.name and v.operation.path == versioned.operation.path
                ]
                return Successor(versioned.spec, versioned.operation.path, tuple(same))
        return None

    def deprecated_operation(self, service: str, method: str, path: str) -> Versioned | None:
        """The deprecated operation of `service` a request (`method`, concrete `path`) exercises."""
        for versioned in self.deprecated(service):
            if versioned.matches(method, path):
                return versioned
        return None


# --- declared response headers ----------------------------------------------------------------------


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        node = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        seen += 1
    return node


def declared_response(versioned: Versioned, status: int) -> Mapping[str, Any] | None:
    """The response object the operation declares for `status` (exact, range, default), resolved."""
    responses = {str(k).upper(): v for k, v in (versioned.operation.document.get("responses") or {}).items()}
    for key in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        if key in responses:
            resolved = _resolve(versioned.spec.document, responses[key])
            return resolved if isinstance(resolved, Mapping) else {}
    return None


def _headers_of(versioned: Versioned, response: Mapping[str, Any]) -> dict[str, bool]:
    """Deprecation-header name (canonical case) → required, for the headers `response` declares."""
    found: dict[str, bool] = {}
    for name, header in (response.get("headers") or {}).items():
        for canonical in DEPRECATION_HEADERS:
            if str(name).lower() == canonical.lower():
                resolved = _resolve(versioned.spec.document, header)
                found[canonical] = bool(isinstance(resolved, Mapping) and resolved.get("required"))
    return found


def declared_headers(versioned: Versioned, status: int) -> tuple[dict[str, bool], bool]:
    """The deprecation headers declared for an answer of `status` (name → required), and whether the
    operation declares that status at all (when not, the headers of all its responses count)."""
    response = declared_response(versioned, status)
    if response is not None:
        return _headers_of(versioned, response), True
    union: dict[str, bool] = {}
    for raw in (versioned.operation.document.get("responses") or {}).values():
        resolved = _resolve(versioned.spec.document, raw)
        if isinstance(resolved, Mapping):
            for name, required in _headers_of(versioned, resolved).items():
                union[name] = union.get(name, False) or required
    return union, False
