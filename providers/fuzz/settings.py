"""The Schemathesis configuration of a fuzz run: the project's own file first, the gate's rules on top.

A team's `schemathesis.toml` is honoured exactly as the Schemathesis CLI honours it (found in the working
directory or a parent, else beside the contracts folder, or named by `[suite.fuzz] config`): per-operation `[[operations]]`
expected statuses, disabled phases, hooks, generation tweaks. The gate then sets what a verdict needs to
mean the same thing on every run: every check, positive and negative data, every phase, the run's seed and
example count, the per-request timeout of the target, and no state carried between runs (no example
database, no request cache). Where the file names a base URL, the target wins: the gate decides where
requests go.

Suite settings (`[suite.fuzz]`, `FuzzSettings`): `config` (path of a Schemathesis config file), `checks`
(Schemathesis check names, default all), `exclude_checks`, `jobs` (worker processes, default: the
cores available; 1 runs every spec in the gate's own process), `in_process` (default true: with one
process, services that run in it are called in-process; false sends everything over HTTP).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemathesis.config import ConfigError as SchemathesisConfigError
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from contracts import contracts_root
from providers.errors import ConfigError
from providers.settings import parse

CONFIG_FILE = "schemathesis.toml"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
#: Sends methods an operation does not declare (PUT, DELETE, …): never against a live target.
UNDECLARED_METHODS_CHECK = "unsupported_method"
#: Undeclared methods that are safe to send anywhere: OPTIONS only changes nothing and reveals `Allow`.
SAFE_UNDECLARED_METHODS = frozenset({"options"})


@dataclass(frozen=True)
class FuzzSettings:
    """`[suite.fuzz]` settings."""

    #: A Schemathesis config file (default: `schemathesis.toml`, found as the Schemathesis CLI finds it).
    config: Path | None = None
    #: Schemathesis checks to run (default: all) and to leave out.
    checks: tuple[str, ...] = ("all",)
    exclude_checks: tuple[str, ...] = ()
    #: Call services that run in this process in-process; false sends everything over HTTP.
    in_process: bool = True
    #: Worker processes; None = one per core available.
    jobs: int | None = None

    @classmethod
    def from_suite(cls, raw: Mapping[str, Any]) -> FuzzSettings:
        """From `[suite.fuzz]` (or options given in code); a mistake is a one-line `ConfigError`."""
        return parse(cls, raw, "suite.fuzz")


def discover() -> Path | None:
    """Where the CLI would find the config (the working directory up to the repository root), else the
    one beside the contracts in use: the gate run from elsewhere must judge by the same exceptions."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
        if (folder / ".git").is_dir():
            break
    beside = contracts_root().resolve().parent / CONFIG_FILE
    return beside if beside.is_file() else None


def load(settings: FuzzSettings) -> SchemathesisConfig:
    """The project's Schemathesis config (named, or discovered as `discover` says), or the defaults."""
    path = settings.config or discover()
    try:
        if path is None:
            return SchemathesisConfig()
        if not path.is_file():
            raise ConfigError(f"fuzz suite: Schemathesis config {path} does not exist")
        return SchemathesisConfig.from_path(path)
    except (SchemathesisConfigError, tomllib.TOMLDecodeError) as exc:
        where = path or Path.cwd() / CONFIG_FILE
        reason = " ".join(str(exc).split())
        raise ConfigError(f"Schemathesis config {where}: {reason}") from None
    except OSError as exc:
        raise ConfigError(f"Schemathesis config {path}: cannot read ({exc.strerror or exc})") from None


def apply_gate_rules(
    config: SchemathesisConfig,
    settings: FuzzSettings,
    *,
    seed: int,
    max_examples: int,
    timeout: float,
    live: bool,
) -> SchemathesisConfig:
    """Put the gate's rules on top of the project's config (as CLI options go on top of the file)."""
    config.update(seed=seed, max_failures=None)
    # Results must follow from (contract, target, seed) alone: nothing replayed from earlier runs.
    config.cache.enabled = False
    project = config.projects.override
    # Schemathesis mines string constants from the Python source of the app it is handed to generate
    # with; the app it is handed is the gate's gateway, so it would generate from contractgate's own
    # source — and from whichever of its modules the process happened to have imported. The CLI, given a
    # URL, mines nothing; neither does the gate.
    project.analysis.constants.enabled = False
    excluded = list(settings.exclude_checks)
    if live:
        excluded.append(UNDECLARED_METHODS_CHECK)
        # Undeclared methods could be writes: of them only the safe OPTIONS is sent (RFC 9110 §9.2.1), so
        # `allow_header_conformance` still compares each path's `Allow` with the methods it declares.
        project.phases.coverage.unexpected_methods = set(SAFE_UNDECLARED_METHODS)
    try:
        project.checks.update(included_check_names=list(settings.checks), excluded_check_names=excluded)
        project.phases.update(phases=list(PHASES))
        project.generation.update(
            modes=list(GenerationMode),
            max_examples=max_examples,
            database="none",
        )
        project.update(request_timeout=timeout, workers=1)
    except SchemathesisConfigError as exc:
        raise ConfigError(f"fuzz suite: {' '.join(str(exc).split())}") from None
    return config
