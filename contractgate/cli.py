"""The `contractgate` command line: builds the parser from `contractgate.commands`, runs, exits.

Exit codes: 0 every contract holds, 1 a contract failed, 2 the gate could not run (bad configuration,
contract or argument; a target that is down). A `ContractgateError` becomes one line on stderr, never a
traceback; so does anything else that escapes (a bug of ours), as a last resort: exit 2, never 1, since
a pipeline reads 1 as "a contract failed". `-v` (or `CONTRACTGATE_TRACEBACK=1`) shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from contractgate import __version__
from contractgate.commands import MODULES, Command, one_line
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


#: Set to show the traceback of an unexpected error (as `-v` does for the commands that take it).
TRACEBACK_ENV = "CONTRACTGATE_TRACEBACK"


def _unexpected(exc: Exception, args: argparse.Namespace) -> int:
    """The last resort: one line, exit 2 — and the traceback only when asked for."""
    if getattr(args, "verbose", 0) or os.environ.get(TRACEBACK_ENV):
        traceback.print_exception(exc, file=sys.stderr)
        hint = ""
    else:
        flag = "-v" if hasattr(args, "verbose") else f"{TRACEBACK_ENV}=1"
        hint = f" (run with {flag} for the traceback)"
    reason = one_line(f"{type(exc).__name__}: {exc}".rstrip(": "), 300)
    print(f"contractgate: error: unexpected {reason}{hint}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Command = args.run
    try:
        return command(args)
    except ContractgateError as exc:
        print(f"contractgate: error: {one_line(str(exc), 1000)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("contractgate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`contractgate compat … | head`): not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last resort: never a traceback, never exit 1
        return _unexpected(exc, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
