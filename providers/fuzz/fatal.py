"""The error that stops a fuzz run, recorded by whichever thread meets it first.

Schemathesis runs requests and auth providers in its own worker threads and turns their exceptions
into per-case errors; a target that is down or a spent request budget must instead stop the whole run
and reach the gate as a `ContractgateError` (exit code 2). The gateway and the auth provider record it
here; the suite watches it between engine events.
"""

from __future__ import annotations

import threading

from providers.errors import ContractgateError


class Fatal:
    """The first error that must stop the run (target down, budget spent), seen from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.error: ContractgateError | None = None

    def record(self, error: ContractgateError) -> None:
        with self._lock:
            if self.error is None:
                self.error = error
