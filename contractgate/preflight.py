"""What can be known to be wrong before anything starts: the suites' settings and the contracts.

`run_gate` calls `prepare` before it starts the embedded stubs or sends a first request to a live
target, so that a mistake of ours — a setting of the wrong type, an unknown attack, an OpenAPI, AsyncAPI
or pact document the gate cannot read — is one `ContractgateError` line and exit 2 at once, on every
target, never a suite that crashes after a minute, a check blamed on the target, or a suite that
silently disappears. A document our readers choke on in a way they did not foresee is reported the same
way, naming the file: a contract the gate cannot understand is not one it can judge by.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from contractgate.suites import check_settings
from contracts import (
    MANIFEST_FILE,
    ContractError,
    ContractgateError,
    SpecFile,
    asyncapi_path,
    asyncapi_spec,
    contracts_root,
    openapi_specs,
)
from providers.platform import Platform
from providers.platform import load as load_platform

T = TypeVar("T")
#: Suites that read the pacts (the `pacts` suite, and `versioning`'s old consumers).
PACT_READERS = frozenset({"pacts", "versioning"})
#: What a reader raises on a document shaped unlike anything it foresaw.
_SURPRISES = (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError)


def understood(where: str | Path, read: Callable[[], T]) -> T:
    """`read()`, with any surprise of a reader turned into a `ContractError` naming the document."""
    try:
        return read()
    except ContractgateError as exc:
        text = str(exc)
        raise ContractError(text if str(where) in text else f"{where}: {text}") from None
    except _SURPRISES as exc:
        raise ContractError(f"{where}: cannot be understood ({type(exc).__name__}: {exc})") from None


def check_suite_settings(suites: tuple[str, ...], options: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Each chosen suite's settings, parsed and their names checked (`ConfigError` naming the key)."""
    return {name: check_settings(name, options.get(name), f"suite.{name}") for name in suites}


def _problem(document: Mapping[str, Any]) -> str | None:
    """Why `document` is not valid OpenAPI (the schema of its version), or None when it is."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.exceptions import OpenAPIError
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError, ValidatorDetectError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in exc.absolute_path)
        return f"not valid OpenAPI at {pointer}: {exc.message}"
    except ValidatorDetectError:
        return f"not an OpenAPI document of a known version (openapi: {document.get('openapi')!r})"
    except OpenAPIError as exc:
        return f"not valid OpenAPI: {type(exc).__name__}: {exc}"
    return None


#: A document's content (its SHA-256) → the problem found in it: each version of a document is validated
#: once per process (validation takes a good fraction of a second per document).
_CHECKED: dict[str, str | None] = {}


def validate_openapi(spec: SpecFile) -> None:
    """The document against the OpenAPI schema of its version (`openapi-spec-validator`)."""
    version = hashlib.sha256(json.dumps(spec.document, sort_keys=True, default=str).encode()).hexdigest()
    if version not in _CHECKED:
        _CHECKED[version] = understood(spec.path, lambda: _problem(spec.document))
    problem = _CHECKED[version]
    if problem:
        raise ContractError(f"{spec.path}: {problem}")


def load_specs(root: str | None) -> tuple[SpecFile, ...]:
    """The OpenAPI documents: valid OpenAPI, and read far enough to list operations and security."""
    from providers.contract import operations_of

    specs = openapi_specs(root)
    if not specs:
        raise ContractError(f"no OpenAPI documents found under {Path(root or contracts_root()) / 'openapi'}")
    for spec in specs:
        validate_openapi(spec)
        understood(spec.path, lambda spec=spec: operations_of(spec))  # type: ignore[misc]
    return specs


def load_asyncapi(root: str | None, channel: str | None) -> dict[str, Any] | None:
    """The AsyncAPI document, or None when the contracts have none; one the gate cannot parse or use
    (no channel, no `x-handshake` …) is a `ContractError`, whichever suites run: it is a contract."""
    from providers.websocket.contract import WsContract

    path = asyncapi_path(root) or Path(contracts_root(root)) / "asyncapi"
    document = understood(path, lambda: asyncapi_spec(root))
    if document is None:
        return None
    understood(path, lambda: WsContract(document, channel))
    return document


def load_pacts(specs: tuple[SpecFile, ...], settings: Any) -> None:
    """The pact files the run will verify, read now (a `source` given in code is the caller's)."""
    from providers.pacts.sources import FilePactSource

    if settings.source is not None:
        return
    folder = settings.folder
    if folder is None:
        folder = specs[0].path.parent.parent / "pacts" if specs else contracts_root() / "pacts"
        if not Path(folder).exists():
            return  # a contracts folder without pacts has none to verify (the suite says so)
    source = FilePactSource(folder)
    for path in source.files():
        understood(path, lambda path=path: FilePactSource(path).pacts())  # type: ignore[misc]


def prepare(
    suites: tuple[str, ...], options: Mapping[str, Mapping[str, Any]], root: str | None
) -> tuple[tuple[SpecFile, ...], dict[str, Any] | None, Platform]:
    """Check everything the run will read; returns the specs, the AsyncAPI document and the platform."""
    settings = check_suite_settings(suites, options)
    specs = understood(Path(root or contracts_root()) / "openapi", lambda: load_specs(root))
    platform = understood(Path(root or contracts_root()) / MANIFEST_FILE, lambda: load_platform(specs, root))
    channel = getattr(settings.get("websocket"), "channel", None)
    asyncapi = load_asyncapi(root, channel)
    if PACT_READERS & set(suites):
        from providers.pacts.suite import PactSettings
        from providers.settings import parse

        load_pacts(specs, parse(PactSettings, options.get("pacts"), "suite.pacts"))
    return specs, asyncapi, platform
