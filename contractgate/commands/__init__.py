"""One module per `contractgate` subcommand; each exposes `register(commands)`.

`register` adds the subcommand's parser to argparse's subparsers and sets `run` to a function
`(args) -> exit code`. Commands parse and render; the work is done by the core they call.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Subcommands = Any  # argparse's private _SubParsersAction
Command = Callable[[argparse.Namespace], int]

#: The modules whose `register` builds the command line, in help order.
MODULES = (
    "contractgate.commands.gate",
    "contractgate.commands.checks",
    "contractgate.commands.init",
    "contractgate.commands.stubs",
    "contractgate.commands.pacts",
    "contractgate.commands.compat",
    "contractgate.commands.broker",
)
