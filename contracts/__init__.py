"""The contracts as data, and the one loader every package uses to find them.

A contracts folder holds the specs (`openapi/*.yaml|json`, `asyncapi/*.yaml|json`), the generated or
published pacts (`pacts/`) and the platform manifest (`platform.yaml`: what the specs alone do not say,
read by `providers.platform`). This module only locates and parses them. It imports nothing of the
project, so everything may import it. A team points `CONTRACTGATE_CONTRACTS` (or the `root` argument)
at its own folder; `contractgate init` writes one.

Which service a document describes is, in order: the manifest's `documents` entry for the file,
`info.x-service`, else the file name without a trailing version (`billing-v2.yaml` → `billing`). The
loader writes the answer into the parsed document's `info.x-service`, so every reader finds it there.
The major version is the manifest's entry, `info.x-api-version`, the file name's `-vN` suffix, else
`v` + the major of `info.version`. The manifest may also say what a generated spec cannot: the token
kind and audiences of a security scheme (`schemes: {NAME: {kind, audiences}}`, written into the
scheme's `x-token-kind` / `x-audiences` where the spec has none) and the roles or scopes an operation
requires (`operations: {"METHOD /path": {roles: [...]}}`, written into its security requirements).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ContractError",
    "ContractFileError",
    "ContractgateError",
    "SpecFile",
    "contracts_root",
    "load_document",
    "openapi_specs",
    "asyncapi_path",
    "asyncapi_spec",
    "manifest",
    "MANIFEST_FILE",
    "pact_files",
    "spec_by_name",
]

PACKAGE_ROOT = Path(__file__).resolve().parent
MANIFEST_FILE = "platform.yaml"
_VERSION_SUFFIX = re.compile(r"^(?P<name>.+?)[-_.](?P<version>v\d+)$")
#: libyaml's safe loader when PyYAML has it (some 40 times faster on the specs), else the Python one.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContractgateError(Exception):
    """The gate could not run (exit code 2); `str()` is the one line the user sees.

    The root of the tree drawn in `providers.errors`. It is defined here, at the bottom of the layers,
    so that the loader's own errors belong to it: a contract that cannot be read is never a crash.
    """

    exit_code = 2


class ContractError(ContractgateError):
    """A spec, pact or AsyncAPI document that cannot be read, parsed or understood; names the file."""


#: The loader's name for it (a contract file that cannot be read or parsed).
ContractFileError = ContractError


@dataclass(frozen=True)
class SpecFile:
    """One OpenAPI document and the service it describes (`info.x-service`)."""

    name: str  # file stem, e.g. "backend-v2"
    path: Path
    service: str  # e.g. "backend-service"
    version: str  # the major API version the document covers, e.g. "v2"
    document: dict[str, Any]


def contracts_root(root: Path | str | None = None) -> Path:
    """The folder holding `openapi/`, `asyncapi/` and `pacts/`."""
    if root is not None:
        return Path(root)
    env = os.environ.get("CONTRACTGATE_CONTRACTS")
    return Path(env) if env else PACKAGE_ROOT


def load_document(path: Path | str) -> dict[str, Any]:
    """Parse a YAML or JSON file into a mapping, or say which file is broken and how."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        elif isinstance(exc, json.JSONDecodeError):
            where = f" at line {exc.lineno}, column {exc.colno}"
        reason = getattr(exc, "problem", None) or getattr(exc, "msg", None) or str(exc)
        raise ContractFileError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}{where}: {reason}"
        ) from None
    if not isinstance(data, dict):
        raise ContractFileError(f"{path}: expected a mapping at the top level, found {type(data).__name__}")
    return data


def _stamp(root: Path) -> tuple[tuple[str, int], ...]:
    """What a folder's documents are now (names and modification times): parsed once per version."""
    found = []
    for path in [root / MANIFEST_FILE, *_documents(root / "openapi"), *_documents(root / "asyncapi")]:
        try:
            found.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(found)


def _manifest(root: Path) -> tuple[Path, dict[str, Any]] | None:
    return _manifest_at(root, _stamp(root))


@cache
def _manifest_at(root: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[Path, dict[str, Any]] | None:
    path = root / MANIFEST_FILE
    return (path, load_document(path)) if path.is_file() else None


def manifest(root: Path | str | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The platform manifest (`platform.yaml`) of the contracts folder, parsed; None when there is none."""
    return _manifest(contracts_root(root).resolve())


def _declared(root: Path, path: Path) -> dict[str, Any]:
    """The manifest's `documents` entry for a spec file (by its path relative to the folder)."""
    found = _manifest(root)
    if found is None:
        return {}
    documents = found[1].get("documents") or {}
    if not isinstance(documents, dict):
        raise ContractFileError(f"{found[0]}: 'documents' must map spec files to {{service, version}}")
    entry = documents.get(path.relative_to(root).as_posix()) or {}
    if not isinstance(entry, dict):
        raise ContractFileError(
            f"{found[0]}: documents.{path.relative_to(root).as_posix()} must be a mapping"
        )
    return entry


def _describe(root: Path, path: Path, document: dict[str, Any]) -> tuple[str, str]:
    """The service and major version a document describes, written into its `info` (module docstring)."""
    info = document.get("info")
    if not isinstance(info, dict):
        raise ContractFileError(f"{path}: missing 'info' object")
    declared = _declared(root, path)
    stem = _VERSION_SUFFIX.match(path.stem)
    service = declared.get("service") or info.get("x-service") or (stem["name"] if stem else path.stem)
    if not isinstance(service, str) or not service:
        raise ContractFileError(f"{path}: 'info.x-service' must be a service name")
    version = declared.get("version") or info.get("x-api-version") or (stem["version"] if stem else None)
    if not version:
        major = str(info.get("version") or "").lstrip("vV").split(".")[0]
        version = f"v{major}" if major.isdigit() else "v1"
    info["x-service"] = service
    return service, str(version)


def _annotate(root: Path, path: Path, document: dict[str, Any]) -> None:
    """Write the manifest's `schemes` and `operations` into a parsed OpenAPI document (module docstring)."""
    found = _manifest(root)
    if found is None:
        return
    where, data = found
    schemes = data.get("schemes") or {}
    operations = data.get("operations") or {}
    if not isinstance(schemes, dict) or not isinstance(operations, dict):
        raise ContractFileError(f"{where}: 'schemes' and 'operations' must be mappings")
    declared = (document.get("components") or {}).get("securitySchemes") or {}
    for name, extra in schemes.items():
        scheme = declared.get(name)
        if not isinstance(scheme, dict) or not isinstance(extra, dict):
            continue
        if "kind" in extra:
            scheme.setdefault("x-token-kind", extra["kind"])
        if "audiences" in extra:
            scheme.setdefault("x-audiences", list(extra["audiences"]))
    for label, extra in operations.items():
        method, _, template = str(label).partition(" ")
        op = ((document.get("paths") or {}).get(template) or {}).get(method.lower())
        if not isinstance(op, dict) or not isinstance(extra, dict):
            continue
        wanted = list(extra.get("roles") or extra.get("scopes") or [])
        security = op.get("security", document.get("security", []))
        op["security"] = [
            {name: list(scopes) or wanted for name, scopes in alternative.items()} for alternative in security
        ]


def _spec_file(root: Path, path: Path) -> SpecFile:
    document = load_document(path)
    _annotate(root, path, document)
    service, version = _describe(root, path, document)
    return SpecFile(name=path.stem, path=path, service=service, version=version, document=document)


def _documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def _openapi_specs(root: Path) -> tuple[SpecFile, ...]:
    return _openapi_specs_at(root, _stamp(root))


@cache
def _openapi_specs_at(root: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[SpecFile, ...]:
    return tuple(_spec_file(root, p) for p in _documents(root / "openapi"))


def openapi_specs(root: Path | str | None = None) -> tuple[SpecFile, ...]:
    """Every OpenAPI document under `openapi/`, sorted by name. Parsed once per root."""
    return _openapi_specs(contracts_root(root).resolve())


def spec_by_name(name: str, root: Path | str | None = None) -> SpecFile:
    """The OpenAPI document with the given stem (e.g. "auth-v2")."""
    for spec in openapi_specs(root):
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in openapi_specs(root)) or "none"
    raise ContractFileError(f"no OpenAPI document named {name!r} (known: {known})")


def _asyncapi_spec(root: Path) -> dict[str, Any] | None:
    return _asyncapi_spec_at(root, _stamp(root))


@cache
def _asyncapi_spec_at(root: Path, stamp: tuple[tuple[str, int], ...]) -> dict[str, Any] | None:
    found = _documents(root / "asyncapi")
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ContractFileError(f"{root / 'asyncapi'}: one AsyncAPI document is supported, found {names}")
    document = load_document(found[0])
    _annotate_channel(root, document)
    _describe(root, found[0], document)
    return document


#: The manifest's `websocket` keys and the channel extensions they stand for.
_CHANNEL_EXTENSIONS = {
    "handshake": "x-handshake",
    "roles": "x-message-roles",
    "sequence": "x-sequence",
    "close_codes": "x-close-codes",
    "error_codes": "x-error-codes",
    "fields": "x-message-fields",
}


def _annotate_channel(root: Path, document: dict[str, Any]) -> None:
    """Write the manifest's `websocket` section into the AsyncAPI channel's `x-` extensions it lacks, so
    that a team's own AsyncAPI document stays as it is and the manifest says what contractgate needs."""
    found = _manifest(root)
    section = (found[1].get("websocket") or {}) if found else {}
    if not section:
        return
    if not isinstance(section, dict):
        raise ContractFileError(f"{found[0] if found else root}: 'websocket' must be a mapping")
    channels = document.get("channels") or {}
    name = section.get("channel") or (next(iter(channels)) if len(channels) == 1 else None)
    channel = channels.get(name) if isinstance(name, str) else None
    if not isinstance(channel, dict):
        raise ContractFileError(
            f"{found[0] if found else root}: websocket.channel must name a channel of the AsyncAPI document"
        )
    for key, extension in _CHANNEL_EXTENSIONS.items():
        if key in section:
            channel.setdefault(extension, section[key])


def asyncapi_path(root: Path | str | None = None) -> Path | None:
    """The AsyncAPI document's file (any under `asyncapi/`); None when there is none."""
    found = _documents(contracts_root(root).resolve() / "asyncapi")
    return found[0] if found else None


def asyncapi_spec(root: Path | str | None = None) -> dict[str, Any] | None:
    """The AsyncAPI document of the WebSocket channel (any file under `asyncapi/`); None when there is none."""
    return _asyncapi_spec(contracts_root(root).resolve())


def pact_files(root: Path | str | None = None) -> list[Path]:
    """Every pact file under `pacts/`, sorted by name."""
    return sorted((contracts_root(root) / "pacts").glob("*.json"))
