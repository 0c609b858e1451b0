"""The `contractgate` command line: builds the parser from `contractgate.commands`, runs, exits.

Exit codes: 0 every contract holds, 1 a contract failed, 2 the gate could not run (bad configuration,
contract or argument; a target that is down). A `ContractgateError` becomes one line on stderr, never a
traceback; so does anything else that escapes (a bug of ours), as a last resort: exit 2, never 1, since
a pipeline reads 1 as "a contract failed". `-v` (or `CONTRACTGATE_TRACEBACK=1`) shows its traceback.

SIGTERM (a CI job cancelled, a container stopped) is an interrupt like Ctrl-C: the gate stops its
suites, undoes what it created on the target, says what it left behind, and exits 143 (130 for Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from types import FrameType

from contractgate import __version__
from contractgate.commands import MODULES, Command, one_line
from providers.cleanup import Interrupted
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated("terminated")


def _interrupted(exc: KeyboardInterrupt) -> int:
    """One line for an interrupt, what the run left behind on the target, and 130 (Ctrl-C) or 143."""
    terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
    print(f"contractgate: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
    if isinstance(exc, Interrupted):
        left = exc.leftovers
        print(
            f"contractgate: {exc.created} provider states set up, all undone"
            if not left
            else f"contractgate: left behind on the target ({len(left)}): " + one_line("; ".join(left), 2000),
            file=sys.stderr,
        )
    return 143 if terminated else 130


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: Command = args.run
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return command(args)
    except ContractgateError as exc:
        print(f"contractgate: error: {one_line(str(exc), 1000)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except BrokenPipeError:
        # The reader went away (`contractgate compat … | head`): not an error of ours, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last resort: never a traceback, never exit 1
        return _unexpected(exc, args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
