"""Operations and their security requirements, read from the OpenAPI documents.

This is how suites stay independent of the reference platform: which operations exist, which are
public, which need a user token (of which audience, with which roles) or a service token (of which
audience, with which scopes), and which answers each may give — all come from the documents and
their `x-token-kind` / `x-audiences` scheme extensions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from contracts import SpecFile
from providers.errors import ContractError

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

TokenKind = Literal["user", "service"]


@dataclass(frozen=True)
class Requirement:
    """One way to satisfy an operation's security: a scheme and what the token must carry."""

    scheme: str
    kind: TokenKind
    audiences: tuple[str, ...]
    #: Scopes (service tokens) or role names (user tokens) the requirement lists.
    scopes: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return self.scopes if self.kind == "user" else ()


@dataclass(frozen=True)
class Operation:
    spec: str
    service: str
    version: str
    method: str  # upper case
    path: str
    operation_id: str
    #: Alternatives (OpenAPI's list of requirement objects); empty means public.
    requirements: tuple[Requirement, ...]
    deprecated: bool
    statuses: frozenset[str]
    document: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_public(self) -> bool:
        return not self.requirements

    @property
    def read_only(self) -> bool:
        return self.method in READ_ONLY_METHODS

    def declares(self, status: int) -> bool:
        text = str(status)
        return text in self.statuses or f"{text[0]}XX" in self.statuses or "default" in self.statuses


def _implied_kind(scheme: dict[str, Any]) -> str:
    """A scheme's token kind when it does not say: an OAuth2 scheme with only the client-credentials flow
    takes service tokens (RFC 6749 §4.4); anything else takes users' tokens."""
    flows = scheme.get("flows") or {}
    if str(scheme.get("type", "")).lower() == "oauth2" and flows and set(flows) == {"clientCredentials"}:
        return "service"
    return "user"


def _requirement(spec: SpecFile, scheme_name: str, scopes: list[str]) -> Requirement:
    schemes = spec.document.get("components", {}).get("securitySchemes", {})
    scheme = schemes.get(scheme_name)
    if not isinstance(scheme, dict):
        raise ContractError(f"{spec.path}: security requirement names unknown scheme {scheme_name!r}")
    kind = scheme.get("x-token-kind", _implied_kind(scheme))
    if kind not in ("user", "service"):
        raise ContractError(
            f"{spec.path}: security scheme {scheme_name!r}: x-token-kind must be user or service"
        )
    # Without x-audiences, the scheme takes whatever audience the issuer's login gives ("").
    audiences = scheme.get("x-audiences", [""])
    if not isinstance(audiences, list) or not audiences:
        raise ContractError(
            f"{spec.path}: security scheme {scheme_name!r}: x-audiences must be a non-empty list"
        )
    return Requirement(scheme_name, kind, tuple(str(a) for a in audiences), tuple(str(s) for s in scopes))


def operations_of(spec: SpecFile) -> list[Operation]:
    document = spec.document
    default_security = document.get("security", [])
    found = []
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if method not in HTTP_METHODS or not isinstance(op, dict):
                continue
            security = op.get("security", default_security)
            requirements = []
            for alternative in security:
                if len(alternative) > 1:
                    raise ContractError(
                        f"{spec.path}: {method.upper()} {path} combines schemes in one requirement; "
                        "contractgate supports one scheme per alternative"
                    )
                for scheme_name, scopes in alternative.items():
                    requirements.append(_requirement(spec, scheme_name, list(scopes)))
            found.append(
                Operation(
                    spec=spec.name,
                    service=spec.service,
                    version=spec.version,
                    method=method.upper(),
                    path=path,
                    operation_id=str(op.get("operationId") or f"{method} {path}"),
                    requirements=tuple(requirements),
                    deprecated=bool(op.get("deprecated")),
                    statuses=frozenset(str(s).upper() for s in op.get("responses", {})),
                    document=op,
                )
            )
    return found


def all_operations(specs: Iterable[SpecFile]) -> list[Operation]:
    return [op for spec in specs for op in operations_of(spec)]


def template_pattern(template: str) -> re.Pattern[str]:
    """`/things/{thread_id}` → a pattern matching `/things/<one segment>`."""
    parts = re.split(r"(\{[^/{}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p))


def operation_at(specs: Iterable[SpecFile], service: str, method: str, path: str) -> Operation | None:
    """The operation of `service` that a request (`method`, a concrete `path`) calls; a literal
    template segment wins over a parameter (`/things/mine` over `/things/{id}`)."""
    candidates = [
        op
        for op in all_operations(s for s in specs if s.service == service)
        if op.method == method.upper() and template_pattern(op.path).fullmatch(path.split("?", 1)[0])
    ]
    candidates.sort(key=lambda op: op.path.count("{"))
    return candidates[0] if candidates else None
