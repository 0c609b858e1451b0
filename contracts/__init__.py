"""The contracts as data, and the one loader every package uses to find them.

The specs (`openapi/`, `asyncapi/`) and the generated pacts (`pacts/`) are the source of truth; this
module only locates and parses them. It imports nothing of the project, so everything may import it.
A team that replaces the reference contracts with its own points `CONTRACTGATE_CONTRACTS` (or the
`root` argument) at its own folder of the same shape.
"""

from __future__ import annotations

import json
import os
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
    "asyncapi_spec",
    "pact_files",
    "spec_by_name",
]

PACKAGE_ROOT = Path(__file__).resolve().parent
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


def _spec_file(path: Path) -> SpecFile:
    document = load_document(path)
    info = document.get("info")
    if not isinstance(info, dict):
        raise ContractFileError(f"{path}: missing 'info' object")
    service = info.get("x-service")
    if not isinstance(service, str) or not service:
        raise ContractFileError(f"{path}: 'info.x-service' must name the service the document describes")
    version = info.get("x-api-version") or path.stem.rsplit("-", 1)[-1]
    return SpecFile(name=path.stem, path=path, service=service, version=str(version), document=document)


@cache
def _openapi_specs(root: Path) -> tuple[SpecFile, ...]:
    folder = root / "openapi"
    return tuple(_spec_file(p) for p in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.json")))


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


@cache
def _asyncapi_spec(root: Path) -> dict[str, Any]:
    return load_document(root / "asyncapi" / "websocket.yaml")


def asyncapi_spec(root: Path | str | None = None) -> dict[str, Any]:
    """The AsyncAPI document of the WebSocket channel."""
    return _asyncapi_spec(contracts_root(root).resolve())


def pact_files(root: Path | str | None = None) -> list[Path]:
    """Every pact file under `pacts/`, sorted by name."""
    return sorted((contracts_root(root) / "pacts").glob("*.json"))
