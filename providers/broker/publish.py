"""Publishing pacts to a broker through its contract publication endpoint (`pb:publish-contracts`).

One `POST` per consumer carries the consumer version (default: the git commit), its branch (default:
the git branch), the build URL, tags and every pact of that consumer, base64-encoded as the file holds
it — byte for byte, so publishing the same files for the same version again is a no-op the broker
reports as "same content" (idempotent), while different content for a version it already has is
refused (HTTP 409, a `BrokerError`): a version must name one set of contracts, or `can-i-deploy`
cannot be trusted.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.broker.client import BrokerClient
from providers.errors import ConfigError
from providers.pacts.sources import FilePactSource

__all__ = [
    "ConsumerVersion",
    "Published",
    "ci_build_url",
    "git_branch",
    "git_commit",
    "pact_files",
    "publish_pacts",
]


@dataclass(frozen=True)
class ConsumerVersion:
    number: str
    branch: str | None = None
    build_url: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Published:
    """The broker's answer for one consumer: the pact URLs and its notices (success, warnings…)."""

    consumer: str
    version: str
    contracts: tuple[str, ...]
    notices: tuple[tuple[str, str], ...]

    def warnings(self) -> list[str]:
        return [text for kind, text in self.notices if kind in ("warning", "error", "danger")]


def _git(*args: str, cwd: Path | None = None) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def git_commit(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The commit being built: git's HEAD, else the CI's variable (a checkout without .git)."""
    env = os.environ if environ is None else environ
    return _git("rev-parse", "HEAD", cwd=cwd) or env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA") or None


def git_branch(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The branch being built; CI variables first, as CI checkouts are often a detached HEAD."""
    env = os.environ if environ is None else environ
    for name in ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME"):
        if env.get(name):
            return env[name]
    branch = _git("rev-parse", "--abbrev-ref", "HEAD", cwd=cwd)
    return branch if branch and branch != "HEAD" else None


def ci_build_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The URL of the CI build running this, from the common CI variables (GitHub, GitLab, Jenkins)."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_RUN_ID"):
        return f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    return env.get("CI_JOB_URL") or env.get("BUILD_URL") or None


def _contract(path: Path) -> tuple[str, str, dict[str, Any]]:
    raw = path.read_bytes()
    pact = FilePactSource(path).pacts()[0]  # a file that is not a pact is a ContractError, naming it
    return (
        pact.consumer,
        pact.provider,
        {
            "consumerName": pact.consumer,
            "providerName": pact.provider,
            "specification": "pact",
            "contentType": "application/json",
            "content": base64.b64encode(raw).decode("ascii"),
        },
    )


def publish_pacts(
    client: BrokerClient,
    files: Iterable[Path],
    version: ConsumerVersion,
    *,
    merge: bool = False,
) -> list[Published]:
    """Publish pact files, grouped by consumer; every file is checked before anything is sent."""
    if not version.number.strip():
        raise ConfigError("a consumer version is needed to publish pacts")
    by_consumer: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        consumer, _, contract = _contract(Path(path))
        contract["onConflict"] = "merge" if merge else "overwrite"
        by_consumer.setdefault(consumer, []).append(contract)
    if not by_consumer:
        raise ConfigError("no pact files to publish")
    url = client.relation("pb:publish-contracts")
    published = []
    for consumer, contracts in by_consumer.items():
        body: dict[str, Any] = {
            "pacticipantName": consumer,
            "pacticipantVersionNumber": version.number,
            "contracts": contracts,
        }
        if version.branch:
            body["branch"] = version.branch
        if version.tags:
            body["tags"] = list(version.tags)
        if version.build_url:
            body["buildUrl"] = version.build_url
        answer = client.post(url, body)
        links = answer.get("_links") or {}
        published.append(
            Published(
                consumer=consumer,
                version=version.number,
                contracts=tuple(
                    str(c.get("href")) for c in links.get("pb:contracts") or [] if isinstance(c, dict)
                ),
                notices=tuple(
                    (str(n.get("type", "info")), str(n.get("text", "")))
                    for n in answer.get("notices") or []
                    if isinstance(n, dict)
                ),
            )
        )
    return published


def pact_files(paths: Sequence[Path]) -> list[Path]:
    """The pact files under the given files or folders (`*.json`, sorted)."""
    return FilePactSource(*paths).files()
