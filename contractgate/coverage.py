"""How much of what the contracts imply a run actually checked, and why the rest was not.

Every check the contracts imply yields a result on every target (`tests` hold the count constant across
targets of different powers), so coverage is simply the share of results that are not skips. The
skips are grouped by their reason, which names the setting or capability that would let them run:
the largest groups are what to change first. `--min-coverage` (or `min_coverage`) turns too little
coverage into a failed gate, naming those groups.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from providers.results import Result, Verdict

#: Parts of a reason that name one instance (a quoted value, a path, a number), not the kind of gap.
#: What names one instance: a quoted value, a path, a number — but not the number of a cited rule
#: ("RFC 6797 §7.2" stays whole).
_INSTANCE = re.compile(r"'[^']*'|\"[^\"]*\"|(?<![\w])/[\w{}./:-]+|(?<!RFC )(?<![§.\d])\b\d+(\.\d+)?\b")


@dataclass(frozen=True)
class Coverage:
    #: Checks the contracts imply (every result: run or skipped).
    implied: int
    #: Checks that ran (passed, failed or erred).
    ran: int
    #: (suite, reason, count) of the skipped ones, largest group first.
    gaps: tuple[tuple[str, str, int], ...] = ()

    @property
    def percent(self) -> float:
        return 100.0 * self.ran / self.implied if self.implied else 0.0

    @property
    def skipped(self) -> int:
        return self.implied - self.ran

    def line(self) -> str:
        """ "1,825 of 1,930 checks ran (94.6%)"."""
        return f"{self.ran:,} of {self.implied:,} checks ran ({self.percent:.1f}%)"

    def largest(self, count: int = 3) -> str:
        return "; ".join(f"{n} {suite}: {reason}" for suite, reason, n in self.gaps[:count])


def reason_of(observed: str) -> str:
    """A skip's reason with what names one instance blanked out, so that alike gaps group together."""
    return _INSTANCE.sub("…", observed).strip()


def coverage_of(results: Iterable[Result]) -> Coverage:
    chosen = list(results)
    skipped = [r for r in chosen if r.verdict is Verdict.SKIPPED]
    groups = Counter((r.suite, reason_of(r.observed)) for r in skipped)
    gaps = tuple(
        (suite, reason, count)
        for (suite, reason), count in sorted(groups.items(), key=lambda item: (-item[1], item[0]))
    )
    return Coverage(implied=len(chosen), ran=len(chosen) - len(skipped), gaps=gaps)
