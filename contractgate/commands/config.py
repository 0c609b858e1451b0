"""`contractgate config check` and `contractgate config schema`: the configuration, checked or described.

`check` reads the configuration (`--config PATH`, else the discovered one) exactly as `gate` does —
every table and key against the schema, every suite's settings against its dataclass — and prints
where it came from; a mistake is the same one line and exit 2. `schema` prints every table and key
with its type, default and meaning, generated from the dataclasses that define them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from contractgate.commands import Subcommands
from contractgate.config import load
from contractgate.schema import reference


def check(args: argparse.Namespace) -> int:
    config = load(args.config)
    where = str(config.source) if config.source else "no configuration file (the defaults)"
    targets = ", ".join(["stubs", *config.targets])
    print(f"ok: {where}; targets: {targets}")
    return 0


def schema(args: argparse.Namespace) -> int:
    print(reference(), end="")
    return 0


def register(commands: Subcommands) -> None:
    config = commands.add_parser("config", help="check the configuration, or describe every key it takes")
    sub = config.add_subparsers(dest="config_command", required=True, metavar="COMMAND")
    check_parser = sub.add_parser("check", help="read the configuration as `gate` does; exit 2 on a mistake")
    check_parser.add_argument(
        "--config", type=Path, help="contractgate.toml or pyproject.toml (default: discovered)"
    )
    check_parser.set_defaults(run=check)
    schema_parser = sub.add_parser("schema", help="every table and key: type, default, meaning (Markdown)")
    schema_parser.set_defaults(run=schema)
