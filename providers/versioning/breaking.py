"""Breaking changes between the contracts as they were (the base) and as they are (the work tree).

Each OpenAPI document of the run's contracts folder is compared with the same file at the base by the
compat engine (`providers.compat`), so the working tree — uncommitted edits included — is what is
judged. The base is `suite.versioning.base`:

| base                                  | compared with
|---------------------------------------|-----
| unset (default)                       | git: the merge base of HEAD with `main` (else `origin/main`), else HEAD
| a git revision (`v2.3.0`, `HEAD~1`)   | git: that commit
| a folder                              | its `openapi/` folder (or the folder itself), file by file name
| an http(s) URL template with `{name}` | `{name}` = each document's file stem (`{file}`: its file name);
|                                       | a 404 means the document is new (removals cannot be seen)

Verdicts. Within a major version (`info.x-api-version`, else the major of `info.version`) every
breaking change is a failing result of its own, its operation the change's location, the rule and
the JSON pointers in the details, a `contractgate compat` command as its reproduction. A deprecation
is a *pass with a note*: announcing an end is what a compatible API should do, and the result keeps
it visible in reports. A document without a breaking change gets one passing result naming what did
change. When the major version itself changed, breaking changes are what the new major is for: one
skipped result lists them (not judged, never a pass).

Skipped with the reason when the default base cannot be had: git missing, the contracts not in a git
work tree, a repository without commits. An explicitly configured base that cannot be had (an unknown
revision, git missing for it, a folder without documents) is a `ConfigError`: the gate cannot run as
configured.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contracts import SpecFile
from providers.compat import Change, Comparison, Severity, compare_sources, load_spec, tally
from providers.compat.model import RULES_BY_KIND
from providers.compat.sources import (
    SPEC_SUFFIXES,
    Repository,
    SpecSource,
    ensure_openapi,
    is_url,
    parse_text,
)
from providers.errors import ConfigError, ContractError
from providers.http import TargetHttp
from providers.results import Result, Skip, Verdict

SUITE = "versioning"
CHECK = "breaking-change"
GIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Pair:
    """One document at the base and now; a side is None when the document does not exist there."""

    name: str
    old: SpecSource | None
    new: SpecSource | None
    #: How to replay the comparison on the command line.
    reproduction: str


# --- the base --------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False
    )


def _commit(top: Path, revision: str) -> str | None:
    found = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    return found.stdout.strip() if found.returncode == 0 else None


def default_revision(top: Path) -> tuple[str, str]:
    """(revision, how it was chosen): the merge base with main (or origin/main), else HEAD."""
    if _commit(top, "HEAD") is None:
        raise Skip(f"the git repository {top} has no commit yet: no base to compare with")
    for branch in ("refs/heads/main", "refs/remotes/origin/main"):
        if _commit(top, branch) is not None:
            merged = _git(top, "merge-base", "HEAD", branch)
            if merged.returncode == 0 and merged.stdout.strip():
                short = branch.removeprefix("refs/heads/").removeprefix("refs/remotes/")
                return merged.stdout.strip()[:12], f"the merge base of HEAD with {short}"
    return "HEAD", "HEAD (no main branch)"


def _work_tree(folder: Path, explicit: bool) -> Path:
    def unjudged(reason: str) -> Exception:
        return ConfigError(f"suite.versioning.base: {reason}") if explicit else Skip(reason)

    if shutil.which("git") is None:
        raise unjudged("git is not on the PATH: no base revision to compare the contracts with")
    try:
        found = _git(folder, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise unjudged(f"git could not run in {folder} ({type(exc).__name__})") from None
    if found.returncode != 0:
        raise unjudged(f"{folder} is not in a git work tree: no base revision to compare the contracts with")
    return Path(found.stdout.strip())


def _names(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(SPEC_SUFFIXES)}


def git_pairs(folder: Path, configured: str | None) -> tuple[str, list[Pair]]:
    top = _work_tree(folder, explicit=configured is not None)
    if configured is None:
        revision, chosen = default_revision(top)
    else:
        if _commit(top, configured) is None:
            raise ConfigError(f"suite.versioning.base: unknown revision {configured!r} in {top}")
        revision, chosen = configured, configured
    repository = Repository.of(folder, revision)
    then = set(repository.specs_in(folder))
    now = _names(folder)
    pairs = []
    for name in sorted(then | now):
        path = folder / name
        old = repository.spec(path) if name in then else None
        new = None
        if name in now:
            new = SpecSource(repository.relative(path), load_spec(str(path)).document)
        reproduction = f"contractgate compat --base {revision} {repository.relative(path)}"
        pairs.append(Pair(name, old, new, reproduction))
    return (chosen if chosen == revision else f"{chosen} ({revision})"), pairs


def folder_pairs(folder: Path, base: Path) -> tuple[str, list[Pair]]:
    old_folder = base / "openapi" if (base / "openapi").is_dir() else base
    then, now = _names(old_folder), _names(folder)
    if not then:
        raise ConfigError(f"suite.versioning.base: {base} holds no OpenAPI documents")
    pairs = []
    for name in sorted(then | now):
        old = load_spec(str(old_folder / name)) if name in then else None
        new = load_spec(str(folder / name)) if name in now else None
        pairs.append(Pair(name, old, new, f"contractgate compat {old_folder / name} {folder / name}"))
    return str(old_folder), pairs


def _fetch(url: str, timeout: float, http: TargetHttp | None = None) -> SpecSource | None:
    """The base document at `url`, or None when it is not there (404). In a gate run the request goes
    through the run's guard (`http`): rate cap, budget and timeout hold for spec fetches too."""
    try:
        if http is not None:
            response = http.request("GET", url, follow_redirects=True)
        else:
            response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ContractError(f"{url}: cannot fetch ({type(exc).__name__})") from None
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise ContractError(f"{url}: answered HTTP {response.status_code}")
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return SpecSource(
        url, ensure_openapi(parse_text(response.text, url, json_first=media.endswith("json")), url)
    )


def url_pairs(
    folder: Path, template: str, timeout: float, http: TargetHttp | None = None
) -> tuple[str, list[Pair]]:
    pairs = []
    for name in sorted(_names(folder)):
        url = template.replace("{name}", Path(name).stem).replace("{file}", name)
        old = _fetch(url, timeout, http)
        pairs.append(
            Pair(name, old, load_spec(str(folder / name)), f"contractgate compat {url} {folder / name}")
        )
    return template, pairs


def pairs_of(
    folder: Path, base: str | None, *, timeout: float = 10.0, http: TargetHttp | None = None
) -> tuple[str, list[Pair]]:
    """The base's label and the documents to compare; `Skip` or `ConfigError` when there is no base."""
    if base is not None and is_url(base):
        if "{name}" not in base and "{file}" not in base:
            raise ConfigError(
                f"suite.versioning.base: the URL {base!r} needs a {{name}} or {{file}} placeholder"
            )
        return url_pairs(folder, base, timeout, http)
    if base is not None and Path(base).is_dir():
        return folder_pairs(folder, Path(base))
    return git_pairs(folder, base)


# --- judging ---------------------------------------------------------------------------------------


def major_version(source: SpecSource | None) -> str | None:
    if source is None:
        return None
    info = source.document.get("info") or {}
    if info.get("x-api-version"):
        return str(info["x-api-version"])
    version = str(info.get("version") or "")
    return f"v{version.split('.')[0]}" if version else None


def _service(pair: Pair) -> str:
    for source in (pair.new, pair.old):
        if source is not None:
            service = (source.document.get("info") or {}).get("x-service")
            if service:
                return str(service)
    return "-"


def _counts(changes: tuple[Change, ...]) -> str:
    counted = tally(changes)
    parts = [f"{n} {s.value}" for s, n in counted.items() if n]
    return ", ".join(parts) or "no change"


def _change_details(comparison: Comparison, change: Change, base: str) -> dict[str, Any]:
    return {
        **change.to_dict(),
        "rule": RULES_BY_KIND[change.kind].why,
        "document": comparison.label,
        "base": base,
    }


def judge(pair: Pair, base: str) -> Iterator[Result]:
    comparison = compare_sources(pair.old, pair.new)
    service = _service(pair)
    old_major, new_major = major_version(pair.old), major_version(pair.new)
    document = pair.new.label if pair.new else pair.old.label if pair.old else pair.name
    within = f"{document} ({new_major or old_major or 'unversioned'})"
    expectation = f"no breaking change within the major version, compared with {base}"
    breaking = [c for c in comparison.changes if c.severity is Severity.BREAKING]
    deprecations = [c for c in comparison.changes if c.severity is Severity.DEPRECATION]
    common = {
        "document": comparison.label,
        "base": base,
        "counts": {s.value: n for s, n in tally(comparison.changes).items()},
    }
    if old_major and new_major and old_major != new_major:
        yield Result(
            SUITE,
            service,
            document,
            CHECK,
            expectation,
            f"not judged: the major version changed ({old_major} → {new_major}), which is what breaking "
            f"changes need; {len(breaking)} breaking change(s) listed in the details",
            Verdict.SKIPPED,
            pair.reproduction,
            {**common, "changes": [_change_details(comparison, c, base) for c in breaking]},
        )
        return
    for change in breaking:
        yield Result(
            SUITE,
            service,
            change.location,
            CHECK,
            f"{expectation}: {within}",
            f"{change.kind}: {change.message}",
            Verdict.FAIL,
            pair.reproduction,
            _change_details(comparison, change, base),
        )
    for change in deprecations:
        yield Result(
            SUITE,
            service,
            change.location,
            CHECK,
            f"{expectation}: {within}",
            f"allowed, noted: {change.kind}: {change.message}",
            Verdict.PASS,
            pair.reproduction,
            _change_details(comparison, change, base),
        )
    if not breaking:
        yield Result(
            SUITE,
            service,
            document,
            CHECK,
            expectation,
            f"no breaking change ({_counts(comparison.changes)})",
            Verdict.PASS,
            pair.reproduction,
            {**common, "changes": [c.to_dict() for c in comparison.changes]},
        )


def spec_folders(specs: tuple[SpecFile, ...]) -> list[Path]:
    return sorted({spec.path.parent for spec in specs})


def breaking_changes(
    specs: tuple[SpecFile, ...], base: str | None, *, timeout: float = 10.0, http: TargetHttp | None = None
) -> Iterator[Result]:
    for folder in spec_folders(specs):
        try:
            label, pairs = pairs_of(folder, base, timeout=timeout, http=http)
        except Skip as exc:
            yield Result(
                SUITE,
                "-",
                str(folder),
                CHECK,
                "no breaking change within a major version, compared with a base",
                f"not compared: {exc}",
                Verdict.SKIPPED,
                details={"folder": str(folder)},
            )
            continue
        for pair in pairs:
            yield from judge(pair, label)
