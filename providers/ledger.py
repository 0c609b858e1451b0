"""What a run created on its target and has not undone yet — kept so nothing is left behind unseen.

`providers.states` records every provider-state setup with its undo here; the undo runs when the
interaction or check is done, or at the latest when the run ends (`gate.run_gate` empties the ledger
in a `finally`, so also after a failure or an interrupt). An undo that fails becomes a leftover, which
every report lists: a sandbox that someone must clean by hand is said out loud.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pending:
    """A setup whose undo has not run yet."""

    state: str
    steps: Sequence[Mapping[str, Any]]
    values: dict[str, Any]
    account: str | None


@dataclass
class Ledger:
    pending: list[Pending] = field(default_factory=list)
    #: "state: why" for every undo that failed.
    leftovers: list[str] = field(default_factory=list)
    #: Setups that ran (for the report's sandbox figures).
    created: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Set when the run is being stopped (an interrupt): waits end, nothing new is set up.
    stopping: threading.Event = field(default_factory=threading.Event)
