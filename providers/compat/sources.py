"""Where the two documents of a comparison come from: a file, an http(s) URL, or a git revision.

Everything that cannot be read becomes one-line `ContractError` (exit 2): a missing file, a URL that
does not answer or answers an error, text that is neither JSON nor YAML, a document that is not
OpenAPI 3. An unknown revision or a path outside a git work tree is a `ConfigError`. Git is driven
through its command line (`git show REV:path`, `git ls-tree`) in the repository that holds the path.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from contracts import ContractFileError, load_document
from providers.errors import ConfigError, ContractError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
GIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class SpecSource:
    """A parsed OpenAPI document and how to name it in a report (a path, a URL, `REV:path`)."""

    label: str
    document: dict[str, Any]


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def parse_text(text: str, label: str, *, json_first: bool = False) -> dict[str, Any]:
    """JSON or YAML text → mapping; the error names `label`, the line and the reason."""
    try:
        data = json.loads(text) if json_first or text.lstrip().startswith("{") else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ContractError(
            f"{label}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractError(f"{label}: not valid YAML{where}: {reason}") from None
    if not isinstance(data, dict):
        raise ContractError(f"{label}: expected a mapping at the top level, found {type(data).__name__}")
    return data


def ensure_openapi(document: dict[str, Any], label: str) -> dict[str, Any]:
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"swagger {document['swagger']}" if "swagger" in document else f"openapi: {version!r}"
        raise ContractError(f"{label}: not an OpenAPI 3 document ({found})")
    if not isinstance(document.get("paths", {}), dict):
        raise ContractError(f"{label}: 'paths' must be a mapping")
    return document


def load_spec(source: str, *, timeout: float = 10.0) -> SpecSource:
    """A file path or an http(s) URL → the OpenAPI document it holds."""
    if is_url(source):
        return SpecSource(source, ensure_openapi(_fetch(source, timeout), source))
    try:
        document = load_document(source)
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    return SpecSource(source, ensure_openapi(document, source))


def _fetch(url: str, timeout: float) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ContractError(f"{url}: cannot fetch ({type(exc).__name__}: {exc or 'no detail'})") from None
    if response.status_code >= 400:
        raise ContractError(f"{url}: answered HTTP {response.status_code}")
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return parse_text(response.text, url, json_first=media.endswith("json"))


# --- git ---------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise ConfigError("--base needs git on the PATH") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {' '.join(args)} took longer than {GIT_TIMEOUT:.0f}s") from None


def _existing_dir(path: Path) -> Path:
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


@dataclass(frozen=True)
class Repository:
    """The git work tree holding a path, and a revision of it that exists."""

    top: Path
    revision: str

    @classmethod
    def of(cls, path: Path, revision: str) -> Repository:
        folder = _existing_dir(path.resolve())
        found = _git(folder, "rev-parse", "--show-toplevel")
        if found.returncode != 0:
            raise ConfigError(f"{path}: not inside a git work tree (--base needs one)")
        top = Path(found.stdout.decode().strip())
        if _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode != 0:
            raise ConfigError(f"unknown revision {revision!r} in {top}")
        return cls(top, revision)

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.top.resolve()).as_posix()
        except ValueError:
            raise ConfigError(f"{path}: outside the git work tree {self.top}") from None

    def spec(self, path: Path) -> SpecSource | None:
        """The document at `path` as of the revision; None when the revision has no such file."""
        relative = self.relative(path)
        label = f"{self.revision}:{relative}"
        shown = _git(self.top, "show", f"{self.revision}:{relative}")
        if shown.returncode != 0:
            if _git(self.top, "cat-file", "-e", f"{self.revision}:{relative}").returncode != 0:
                return None
            raise ContractError(f"{label}: git show failed ({shown.stderr.decode(errors='replace').strip()})")
        try:
            text = shown.stdout.decode("utf-8")
        except UnicodeDecodeError:
            raise ContractError(f"{label}: not UTF-8 text") from None
        return SpecSource(
            label, ensure_openapi(parse_text(text, label, json_first=relative.endswith(".json")), label)
        )

    def specs_in(self, folder: Path) -> list[str]:
        """Names of the spec files directly in `folder` as of the revision."""
        relative = self.relative(folder)
        listed = _git(self.top, "ls-tree", "--name-only", self.revision, "--", f"{relative}/")
        if listed.returncode != 0:
            raise ConfigError(
                f"git ls-tree {self.revision} {relative}: {listed.stderr.decode(errors='replace').strip()}"
            )
        names = [Path(line).name for line in listed.stdout.decode().splitlines()]
        return sorted(n for n in names if n.endswith(SPEC_SUFFIXES))
