"""The `contractgate` command line: builds the parser from `contractgate.commands`, runs, exits.

Exit codes: 0 every contract holds, 1 a contract failed, 2 the gate could not run (bad configuration,
contract or argument; a target that is down). A `ContractgateError` becomes one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from contractgate import __version__
from contractgate.commands import MODULES, Command
from providers.errors import ContractgateError


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, like every other error of the gate."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="contractgate", description="Contract and consumer-driven integration tests.")
    parser.add_argument("--version", action="version", version=f"contractgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for module in MODULES:
        importlib.import_module(module).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Command = args.run
    try:
        return command(args)
    except ContractgateError as exc:
        print(f"contractgate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("contractgate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`contractgate compat … | head`): not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
