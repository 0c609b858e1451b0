"""Helpers of the versioning suite's tests: running it through the gate, and stubs broken one way at a time.

Each variant is the real backend stub with one deprecation signal changed by a small ASGI middleware —
a dropped header, a rewritten `Link`, deprecation headers added to v2 — the way a careless proxy or
refactoring would; a past Sunset needs no middleware, only the stub's own settings.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contractgate.embedded import embedded_stubs
from contractgate.gate import GatePlan, run_gate
from contracts import PACKAGE_ROOT
from providers.results import Result, Verdict
from providers.suite import RunOptions
from providers.target import Target
from stubs.backend import create_app as backend_app
from stubs.platform import PlatformOptions

HeaderEdit = Callable[[MutableHeaders], None]


def versioning(
    target: Target | None = None, *, contracts_root: str | None = None, **options: Any
) -> list[Result]:
    """The `versioning` suite's results, through the gate as `contractgate gate --suite versioning` runs it."""
    outcome = run_gate(
        GatePlan(
            target=target,
            suites=("versioning",),
            options=RunOptions(suites={"versioning": options}),
            contracts_root=contracts_root,
        )
    )
    assert outcome.stopped is None, outcome.stopped
    return outcome.results


def of(results: list[Result], check: str, verdict: Verdict | None = None) -> list[Result]:
    return [r for r in results if r.check == check and (verdict is None or r.verdict is verdict)]


def not_passed(results: list[Result]) -> list[str]:
    return [
        f"{r.check} {r.operation}: {r.verdict.value} {r.observed}"
        for r in results
        if r.verdict is not Verdict.PASS
    ]


class EditHeaders:
    """Applies `edit` to the headers of every HTTP answer whose path starts with `prefix`."""

    def __init__(self, app: ASGIApp, prefix: str, edit: HeaderEdit) -> None:
        self.app, self.prefix, self.edit = app, prefix, edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def edited(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.edit(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, edited)


class AnswerStatus:
    """Answers `status` with a bare body to `METHOD path`, as a misrouted proxy would."""

    def __init__(self, app: ASGIApp, method: str, path: str, status: int) -> None:
        self.app, self.method, self.path, self.status = app, method, path, status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == self.method and scope["path"] == self.path:
            await send({"type": "http.response.start", "status": self.status, "headers": []})
            await send({"type": "http.response.body", "body": b"bad gateway"})
            return
        await self.app(scope, receive, send)


def drop(name: str) -> HeaderEdit:
    def edit(headers: MutableHeaders) -> None:
        del headers[name]

    return edit


def replace_header(name: str, value: str) -> HeaderEdit:
    def edit(headers: MutableHeaders) -> None:
        headers[name] = value

    return edit


def gate_like(**overrides: Any) -> PlatformOptions:
    """The stubs as the gate starts them, with `overrides` (factories, settings)."""
    options: dict[str, Any] = {
        "websocket": {"heartbeat_interval": 1.0},
        "backend": {"run_event_interval": 0.05},
    }
    backend = {**options.pop("backend"), **overrides.pop("backend", {})}
    return PlatformOptions(**options, backend=backend, **overrides)


def wrapped_backend(wrap: Callable[[ASGIApp], ASGIApp]) -> Callable[[Any], ASGIApp]:
    return lambda settings: wrap(backend_app(settings))


@contextmanager
def stubs(options: PlatformOptions | None = None) -> Iterator[Target]:
    with embedded_stubs(options) as (_, target):
        yield target


# --- contracts in a scratch git repository -------------------------------------------------------------


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=contractgate", "-c", "user.email=contractgate@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


def copy_contracts(root: Path) -> Path:
    """The package's OpenAPI documents, pacts and manifest copied to `root/contracts`; returns that folder."""
    contracts = root / "contracts"
    shutil.copytree(PACKAGE_ROOT / "openapi", contracts / "openapi")
    shutil.copytree(PACKAGE_ROOT / "pacts", contracts / "pacts")
    shutil.copy(PACKAGE_ROOT / "platform.yaml", contracts / "platform.yaml")
    return contracts


def committed_contracts(root: Path, branch: str = "main") -> Path:
    """A git repository at `root` whose first commit holds a copy of the contracts."""
    contracts = copy_contracts(root)
    git(root, "init", "-q", "-b", branch)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "contracts")
    return contracts


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
