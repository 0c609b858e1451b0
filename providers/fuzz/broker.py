"""The gate's request guard and genuine tokens, served to fuzz worker processes.

The rate cap and the request budget hold for the whole run, so a worker sends nothing without a slot
from the parent's `RequestGuard`; and tokens come from the parent's `TokenSource` (genuine, fetched from
the target, registered with the parent's redactor), never from a worker. `Broker` listens on a private
local connection (a Unix socket where there is one, with a random key) and answers each worker's
`BrokerLine` one request at a time: `acquire` (a guard slot) and `token` (a fresh token for an operation).
A guard with neither rate cap nor budget has no slot to hand out, only a count to keep: a worker then
asks nobody before each request (`CountingSlots`), counts what it sent for the parent to add, and stops
when the parent raises its `stopping` flag — one round trip per request less, which matters on a busy
machine, where every wake-up of another process waits for a core.

When the parent's guard or token source raises (budget spent, target down, credentials refused), the
error is recorded as the run's fatal error in the parent, and the worker gets `Stopped`, which ends its
run; the parent then raises its own error, with its type and attributes intact. Errors a worker meets
itself travel back as `(kind, fields)` through `to_wire`/`from_wire`.
"""

from __future__ import annotations

import secrets
import socket
import threading
from collections.abc import Callable
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.synchronize import Event
from typing import Any

from providers.errors import (
    BrokerError,
    BudgetExceeded,
    ConfigError,
    ContractError,
    ContractgateError,
    TargetUnreachable,
)
from providers.fuzz.fatal import Fatal
from providers.fuzz.gateway import Slots
from providers.http import Limits


class Stopped(ContractgateError):
    """The parent stopped the run (its own error says why); a worker just ends."""


def to_wire(error: ContractgateError) -> tuple[str, dict[str, str]]:
    if isinstance(error, TargetUnreachable):
        return "TargetUnreachable", {"url": error.url, "reason": error.reason}
    return type(error).__name__, {"message": str(error)}


_KINDS: dict[str, type[ContractgateError]] = {
    cls.__name__: cls for cls in (ConfigError, ContractError, BudgetExceeded, BrokerError, Stopped)
}


def from_wire(kind: str, fields: dict[str, str]) -> ContractgateError:
    if kind == "TargetUnreachable":
        return TargetUnreachable(fields["url"], fields["reason"])
    return _KINDS.get(kind, ContractgateError)(fields["message"])


class Broker:
    """Serves worker processes `guard` slots and `token(label)` values while open."""

    def __init__(self, guard: Slots, token: Callable[[str], str], fatal: Fatal) -> None:
        self._guard = guard
        self._token = token
        self._fatal = fatal
        self.authkey = secrets.token_bytes(32)
        family = "AF_UNIX" if hasattr(socket, "AF_UNIX") else "AF_INET"
        self._listener = Listener(family=family, authkey=self.authkey)
        self.address: Any = self._listener.address
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._accepting = threading.Thread(target=self._accept, name="fuzz-broker", daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection = self._listener.accept()
            except (OSError, EOFError):
                return  # closed, or a client that failed the handshake: nothing to serve
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: Connection) -> None:
        with connection:
            while True:
                try:
                    kind, argument = connection.recv()
                except (EOFError, OSError):
                    return
                connection.send(self._answer(kind, argument))

    def _answer(self, kind: str, argument: str) -> tuple[str, str]:
        if self._fatal.error is not None:
            return "stop", str(self._fatal.error)
        try:
            if kind == "acquire":
                self._guard.acquire(argument)
                return "ok", ""
            if kind == "token":
                return "ok", self._token(argument)
            return "stop", f"unknown broker request {kind!r}"
        except ContractgateError as error:
            self._fatal.record(error)
            return "stop", str(error)

    def close(self) -> None:
        self._closed = True
        try:  # a blocked accept() does not notice its socket closing: wake it with one last client
            Client(self.address, authkey=self.authkey).close()
        except OSError:
            pass
        self._accepting.join(timeout=5)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


class BrokerLine:
    """A worker's line to the parent's `Broker`: the guard (`acquire`, `limits`) and `token`."""

    def __init__(self, address: Any, authkey: bytes, limits: Limits) -> None:
        self.limits = limits
        self._connection = Client(address, authkey=authkey)
        self._lock = threading.Lock()

    def _ask(self, kind: str, argument: str) -> str:
        with self._lock:
            try:
                self._connection.send((kind, argument))
                status, value = self._connection.recv()
            except (EOFError, OSError):
                raise Stopped("the gate's process closed the line") from None
        if status != "ok":
            raise Stopped(value)
        return str(value)

    def acquire(self, what: str) -> None:
        self._ask("acquire", what)

    def token(self, label: str) -> str:
        return self._ask("token", label)

    def close(self) -> None:
        self._connection.close()


def needs_slots(limits: Limits) -> bool:
    """Whether a request must ask the run's guard first (a rate cap or a budget), or only be counted."""
    return limits.rate is not None or limits.budget is not None


class CountingSlots:
    """A worker's guard when the run's only counts: counts here, stops once `stopping` is set."""

    def __init__(self, limits: Limits, stopping: Event) -> None:
        self.limits = limits
        self.sent = 0
        self._stopping = stopping
        self._lock = threading.Lock()

    def acquire(self, what: str) -> None:
        if self._stopping.is_set():
            raise Stopped(f"the gate is stopping the run; not sent: {what}")
        with self._lock:
            self.sent += 1
