"""Where the two documents of a comparison come from: a file, an http(s) URL, or a git revision.

Everything that cannot be read becomes a one-line `ContractError` (exit 2): a missing file, a URL that
does not answer or answers an error, text that is not UTF-8, not JSON or YAML, too large or an alias
bomb (`loader`), an external `$ref` that cannot be resolved (`bundle`), a document that is neither
OpenAPI 3 nor Swagger 2.0 (which is converted, `swagger`). An unknown revision or a path outside a git
work tree is a `ConfigError`. Git is driven through its command line (`git show REV:path`, `git
ls-tree`) in the repository that holds the path; a multi-file description at a revision is read at
that revision throughout.

Each file is parsed once per side (a file referenced many times is read once), and documents are
never modified after loading, so both sides of a comparison may share one (`diff.compare_files`
loads a file compared with itself once).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.compat.bundle import Location, Reader, bundle, file_location
from providers.compat.loader import MAX_BYTES, parse
from providers.compat.swagger import convert, is_swagger2
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
    return parse(text.encode("utf-8"), label, json_first=json_first)


def ensure_openapi(document: dict[str, Any], label: str) -> dict[str, Any]:
    """The document as OpenAPI 3 (Swagger 2.0 converted), or a `ContractError` saying what it is."""
    if is_swagger2(document):
        document = convert(document)
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"swagger {document['swagger']}" if "swagger" in document else f"openapi: {version!r}"
        raise ContractError(f"{label}: not an OpenAPI 3 or Swagger 2.0 document ({found})")
    if not isinstance(document.get("paths", {}), dict):
        raise ContractError(f"{label}: #/paths: must be a mapping, found {type(document['paths']).__name__}")
    if not isinstance(document.get("webhooks", {}), dict):
        raise ContractError(
            f"{label}: #/webhooks: must be a mapping, found {type(document['webhooks']).__name__}"
        )
    return document


def _load(data: bytes, location: Location, read: Reader) -> SpecSource:
    document = parse(data, location.label, json_first=location.where.endswith(".json"))
    return SpecSource(location.label, ensure_openapi(bundle(document, location, read), location.label))


def load_spec(source: str, *, timeout: float = 10.0) -> SpecSource:
    """A file path or an http(s) URL → the OpenAPI document it holds, external references bundled."""

    def read(location: Location) -> bytes:
        if location.kind == "url":
            return _fetch(location.where, timeout)
        return _read_file(location.where, location.label)

    location = Location("url", source, source) if is_url(source) else file_location(source)
    return _load(read(location), location, read)


def _read_file(path: str, label: str) -> bytes:
    try:
        file = Path(path)
        if file.is_file() and file.stat().st_size > MAX_BYTES:
            raise ContractError(
                f"{label}: {file.stat().st_size} bytes, more than the {MAX_BYTES} a document may have"
            )
        return file.read_bytes()
    except OSError as exc:
        raise ContractError(f"{label}: cannot read ({exc.strerror or exc})") from None


def _fetch(url: str, timeout: float) -> bytes:
    import httpx  # only when a URL is given: keeps `contractgate compat` on files quick to start

    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ContractError(f"{url}: cannot fetch ({type(exc).__name__}: {exc or 'no detail'})") from None
    if response.status_code >= 400:
        raise ContractError(f"{url}: answered HTTP {response.status_code}")
    if len(response.content) > MAX_BYTES:
        raise ContractError(f"{url}: more than the {MAX_BYTES} bytes a document may have")
    return response.content


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

    def _show(self, relative: str) -> bytes | None:
        shown = _git(self.top, "show", f"{self.revision}:{relative}")
        if shown.returncode != 0:
            if _git(self.top, "cat-file", "-e", f"{self.revision}:{relative}").returncode != 0:
                return None
            raise ContractError(
                f"{self.revision}:{relative}: git show failed ({shown.stderr.decode(errors='replace').strip()})"
            )
        return shown.stdout

    def spec(self, path: Path) -> SpecSource | None:
        """The document at `path` as of the revision; None when the revision has no such file."""
        relative = self.relative(path)
        data = self._show(relative)
        if data is None:
            return None

        def read(location: Location) -> bytes:
            if location.kind == "url":
                return _fetch(location.where, 10.0)
            found = self._show(location.where)
            if found is None:
                raise ContractError(f"{location.label}: no such file at revision {self.revision}")
            return found

        location = Location("git", relative, f"{self.revision}:{relative}")
        return _load(data, location, read)

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
