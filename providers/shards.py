"""Which units of work this run owns when the gate runs as shard K of N, and what each unit cost.

A CI matrix runs `contractgate gate --shard K/N` in N jobs that never talk to each other, so each must
compute the same split on its own. Every suite names its units of work through one hook,
`RunContext.share(suite, {unit: weight})` (an operation, a spec, a pact, the WebSocket channel …;
units that must stay together share one name), and runs only the units the returned `Share` owns.
Every suite's run is the same on every shard up to that point — it reads the same contracts and
settings — so every shard sees the same units and makes the same choice:

- each suite's units are split over the N shards by a stable greedy balance (heaviest first, each to
  the least loaded shard, ties to the shard after the suite's own starting one): every suite is split
  evenly, so every phase of the gate (readiness alone, the shared suites together, the exclusive ones
  alone) shortens on every shard;
- a unit's cost is what it took in an earlier run when that run's `gate.json` is given (`Shard.costs`),
  else its weight (a spec's operations, a pact's interactions, 1) scaled by what the suite's measured
  units took per weight, so measured and new units mix.

`Units` is the run's ledger: every suite's plan (unit → shard, owned or not) and the seconds each owned
unit took, for the reports. The merge of N shards' reports checks that they planned alike.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `total`; 1/1 is the whole run."""

    index: int = 1
    total: int = 1
    #: Seconds a unit (suite, unit) took in an earlier run, to balance by.
    costs: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.total < 1 or not 1 <= self.index <= self.total:
            raise ValueError(f"shard {self.index}/{self.total}: K must be from 1 to N, and N at least 1")

    @property
    def whole(self) -> bool:
        return self.total == 1

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"


def balance(suite: str, costs: Mapping[str, float], total: int) -> dict[str, int]:
    """Unit → shard (1-based): heaviest unit first, each to the least loaded shard.

    Ties go to the first shard from the suite's own starting point (a hash of its name), so that the
    suites of one unit each do not all land on shard 1. A pure function of its arguments.
    """
    start = zlib.crc32(suite.encode()) % total
    loads = [0.0] * total
    plan: dict[str, int] = {}
    for unit in sorted(costs, key=lambda u: (-costs[u], u)):
        shard = min(range(total), key=lambda s: (loads[s], (s - start) % total))
        loads[shard] += costs[unit]
        plan[unit] = shard + 1
    return plan


class Share:
    """One suite's split: which of its units this shard owns, and the time each owned unit takes."""

    def __init__(self, units: Units, suite: str, plan: Mapping[str, int]) -> None:
        self.units = units
        self.suite = suite
        self.plan = dict(plan)

    def owns(self, unit: str) -> bool:
        if unit not in self.plan:
            raise KeyError(f"{self.suite}: unit {unit!r} was not declared to the shard plan")
        return self.plan[unit] == self.units.shard.index

    @contextmanager
    def timed(self, unit: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.units.spent(self.suite, unit, time.monotonic() - started)

    def each(self, items: Iterable[T], unit: Callable[[T], str]) -> Iterator[T]:
        """The items whose unit this shard owns, in order; each unit timed while the suite works on it."""
        for item in items:
            name = unit(item)
            if self.owns(name):
                with self.timed(name):
                    yield item


class Units:
    """The run's shard and every suite's plan, and the seconds its owned units took."""

    def __init__(self, shard: Shard | None = None) -> None:
        self.shard = shard or Shard()
        self.plans: dict[str, dict[str, int]] = {}
        self.seconds: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()

    def share(self, suite: str, weights: Mapping[str, float] | Iterable[str]) -> Share:
        """Declare a suite's units (name → weight, or names of weight 1); returns what this shard owns.

        A suite may declare more units later (a second call); a name keeps the shard it was given.
        """
        named = dict(weights) if isinstance(weights, Mapping) else dict.fromkeys(weights, 1.0)
        plan = balance(suite, self.costs(suite, named), self.shard.total)
        with self.lock:
            known = self.plans.setdefault(suite, {})
            for unit, shard in plan.items():
                known.setdefault(unit, shard)
            return Share(self, suite, {unit: known[unit] for unit in plan})

    def owns(self, suite: str, unit: str, *, pinned: int | None = None) -> bool:
        """A suite of one unit: whether this shard runs it (`pinned`: always that shard, 1-based)."""
        if pinned is None:
            return self.share(suite, [unit]).owns(unit)
        shard = min(pinned, self.shard.total)
        with self.lock:
            self.plans.setdefault(suite, {}).setdefault(unit, shard)
            return self.plans[suite][unit] == self.shard.index

    def costs(self, suite: str, weights: Mapping[str, float]) -> dict[str, float]:
        """Measured seconds where the given costs know the unit, else its weight × seconds per weight."""
        measured = {u: self.shard.costs[(suite, u)] for u in weights if (suite, u) in self.shard.costs}
        weighed = sum(max(weights[u], 0.0) for u in measured)
        rate = sum(measured.values()) / weighed if measured and weighed > 0 else 1.0
        return {u: measured.get(u, max(weights[u], 0.0) * rate) for u in weights}

    def spent(self, suite: str, unit: str, seconds: float) -> None:
        with self.lock:
            key = (suite, unit)
            self.seconds[key] = self.seconds.get(key, 0.0) + seconds

    def records(self) -> list[tuple[str, str, int, float | None]]:
        """(suite, unit, shard, seconds or None when not run here) of every planned unit, sorted."""
        with self.lock:
            return [
                (suite, unit, shard, self.seconds.get((suite, unit)))
                for suite in sorted(self.plans)
                for unit, shard in sorted(self.plans[suite].items())
            ]
