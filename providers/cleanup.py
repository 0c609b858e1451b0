"""What a run leaves behind on a live target: nothing it could remove, and a list of what it could not.

A run that writes in a staging sandbox creates things two ways, and removes both:

1. **Provider states** reached through the public API (`providers.states`) are recorded in the run's
   `Ledger` with their declared undo, run as soon as the interaction or check is done.
2. **Everything else its writes create** — a pact's "a new thread", fuzzed writes, probes of write
   operations — is *swept*. The contracts' `platform.yaml` says, per kind of resource, how an account
   lists its own and deletes one:

       cleanup:
         - list: GET /v2/invoices           # an operation of the contracts, as each sandbox account
           query: {limit: 100}
           items: /data                     # JSON Pointer to the list in the answer
           id: /id                          # … and to an item's id
           next: {cursor: /next_cursor}     # the next page: query param ← pointer (null: last page)
           delete: DELETE /v2/invoices/{invoice_id}

   Before the run, each sandbox account's resources are listed; when it ends, those that were not
   there before are deleted. The sandbox is the gate's: whatever appeared in its accounts during the
   run is taken to be the run's.

`cleaned_up(ctx)` wraps a whole run (`contractgate.gate.run_gate`): the undo and the sweep run when it
ends, also after a failure or an interrupt — then re-raised as `Interrupted`, which carries what was
left behind so that the command line can say it. Whatever could not be undone or deleted is a
leftover in the ledger, listed by every report. `stops(event)` sets a run's stop event when an
interrupt passes, so its suites stop at their next result instead of running to the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from providers.errors import ContractError, ContractgateError
from providers.results import Skip
from providers.states import States
from providers.steps import Steps, find
from providers.suite import RunContext

#: Pages of a list read at most (a sandbox account holding more is swept in part, and said so).
MAX_PAGES = 50


class Interrupted(KeyboardInterrupt):
    """A run interrupted (Ctrl-C, SIGTERM) after it cleaned up: what it set up, and what it left behind."""

    def __init__(self, created: int, leftovers: list[str]) -> None:
        super().__init__("interrupted")
        self.created = created
        self.leftovers = leftovers


@contextmanager
def stops(event: threading.Event) -> Iterator[None]:
    """Sets `event` when an exception (an interrupt) leaves the block."""
    try:
        yield
    except BaseException:
        event.set()
        raise


class Sweep:
    """The manifest's `cleanup`: each sandbox account's resources before the run, removed if new after."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.steps = Steps(ctx)
        self.kinds = _kinds(ctx)
        sandbox = ctx.options.sandbox
        configured = [user.name for user in ctx.credentials.users]
        self.accounts: list[str] = []
        if sandbox is not None and ctx.target.live and ctx.target.safe:
            self.accounts = [a for a in (sandbox.accounts or configured) if a in configured]
        self.before: dict[tuple[str, int], set[str]] = {}

    def begin(self) -> None:
        for account in self.accounts:
            for index, kind in enumerate(self.kinds):
                try:
                    self.before[(account, index)] = self._ids(kind, account)
                except (Skip, ContractgateError) as exc:
                    self._left(f"cleanup of {kind['list']} as {account!r} cannot run: {exc}")

    def end(self) -> None:
        for (account, index), before in self.before.items():
            kind = self.kinds[index]
            try:
                created = sorted(self._ids(kind, account) - before)
            except (Skip, ContractgateError) as exc:
                self._left(f"{kind['list']} as {account!r} could not be listed to sweep it: {exc}")
                continue
            for identifier in created:
                try:
                    self._delete(kind, account, identifier)
                except (Skip, ContractgateError) as exc:
                    self._left(f"{kind['delete']} ({identifier}) as {account!r}: {exc}")

    def _ids(self, kind: Mapping[str, Any], account: str) -> set[str]:
        found: set[str] = set()
        query = dict(kind.get("query") or {})
        for _ in range(MAX_PAGES):
            step = {"request": kind["list"], "query": query}
            answer = self.steps.answer("request", "cleanup", step, {}, account)
            items = find(answer.get("body"), str(kind.get("items", "")))
            for item in items if isinstance(items, list) else []:
                value = find(item, str(kind.get("id", "/id")))
                if value is not None:
                    found.add(str(value))
            follow = {
                str(param): find(answer.get("body"), str(where))
                for param, where in dict(kind.get("next") or {}).items()
            }
            if not follow or any(value in (None, "") for value in follow.values()):
                return found
            query.update(follow)
        self._left(f"{kind['list']} as {account!r}: more than {MAX_PAGES} pages; only those were swept")
        return found

    def _delete(self, kind: Mapping[str, Any], account: str, identifier: str) -> None:
        op = self.steps.operation("cleanup", str(kind["delete"]))
        params = [part[1:-1] for part in op.path.split("/") if part.startswith("{") and part.endswith("}")]
        if len(params) != 1:
            raise ContractError(f"{self.ctx.platform.where}: cleanup: {op.label} must take one path parameter")
        step = {"request": kind["delete"], "expect": [200, 202, 204, 404]}
        self.steps.answer("request", "cleanup", step, {params[0]: identifier}, account)

    def _left(self, text: str) -> None:
        with self.ctx.ledger.lock:
            self.ctx.ledger.leftovers.append(self.ctx.redactor.text(text))


def _kinds(ctx: RunContext) -> list[Mapping[str, Any]]:
    kinds = ctx.platform.raw.get("cleanup") or []
    if not isinstance(kinds, list) or not all(
        isinstance(k, Mapping) and "list" in k and "delete" in k for k in kinds
    ):
        raise ContractError(f"{ctx.platform.where}: cleanup must be a list of {{list, delete, …}} entries")
    return kinds


def finish(ctx: RunContext, sweep: Sweep) -> None:
    """Undo every pending setup, then sweep what else the run created."""
    States(ctx).undo_all()
    sweep.end()


@contextmanager
def cleaned_up(ctx: RunContext) -> Iterator[None]:
    """The run's block: what it creates on the target is undone and swept when it ends, however."""
    sweep = Sweep(ctx)
    sweep.begin()
    try:
        yield
    except KeyboardInterrupt as exc:
        ctx.ledger.stopping.set()
        finish(ctx, sweep)
        raise Interrupted(ctx.ledger.created, list(ctx.ledger.leftovers)) from exc
    except BaseException:
        finish(ctx, sweep)
        raise
    finish(ctx, sweep)
