"""`--shard K/N` on the command line: the shard, the costs to balance by, and what every shard must share.

The split itself is `providers.shards` (each suite names its units, every shard computes the same plan);
this module is what the command line and the reports add around it:

- `shard_argument` reads `K/N` (a usage error otherwise);
- `load_costs` reads the unit seconds of an earlier run's `gate.json` (`--shard-costs`), so that
  shards balance by what units measured rather than by their estimated weight — every shard must be
  given the same file, and `report merge` refuses shards that planned differently;
- `contracts_digest` fingerprints the contracts folder, recorded in every shard's `gate.json` so that
  the merge refuses shards of different contracts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

from contracts import contracts_root
from providers.errors import ConfigError
from providers.shards import Shard

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
#: The files of a contracts folder that are contracts (not the package's own Python files).
_CONTRACT_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


def shard_argument(text: str) -> tuple[int, int]:
    """An argparse `type`: "K/N" with N ≥ 1 and K from 1 to N."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected K/N (this shard of how many, e.g. 2/3), got {text!r}")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1:
        raise argparse.ArgumentTypeError(f"N must be at least 1, got {text!r}")
    if not 1 <= index <= total:
        raise argparse.ArgumentTypeError(f"K must be from 1 to {total}, got {text!r}")
    return index, total


def load_costs(path: Path) -> dict[tuple[str, str], float]:
    """(suite, unit) → seconds from the `units` of an earlier run's `gate.json`; a bad file is exit 2."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--shard-costs {path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"--shard-costs {path}: not JSON ({exc})") from None
    units = document.get("units") if isinstance(document, dict) else None
    if not isinstance(units, list):
        raise ConfigError(
            f"--shard-costs {path}: not a gate.json with units (one written by contractgate gate)"
        )
    costs: dict[tuple[str, str], float] = {}
    for entry in units:
        if not isinstance(entry, dict):
            raise ConfigError(f"--shard-costs {path}: units: each entry is an object")
        suite, unit, seconds = entry.get("suite"), entry.get("unit"), entry.get("seconds")
        if not isinstance(suite, str) or not isinstance(unit, str):
            raise ConfigError(f"--shard-costs {path}: units: each entry names its suite and unit")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
            costs[(suite, unit)] = float(seconds)
    return costs


def make_shard(value: tuple[int, int] | None, costs: Path | None) -> Shard:
    index, total = value or (1, 1)
    return Shard(index, total, load_costs(costs) if costs is not None else {})


def contracts_digest(root: str | None) -> str:
    """SHA-256 over the contracts folder's documents (relative paths and contents), e.g. "sha256:3f…"."""
    folder = contracts_root(root)
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in _CONTRACT_SUFFIXES)
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(unreadable)")
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()}"
