"""Brute-force protection: repeated bad passwords for one account lock that account for a while.

Counted per submitted username — known or not — so that the throttle itself does not reveal which
accounts exist. While locked, even the right password is refused with 429 and `Retry-After`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from stubs.settings import Clock


@dataclass
class _Attempts:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, clock: Clock, *, max_failures: int, window: float, lockout: float) -> None:
        self._clock = clock
        self._max = max_failures
        self._window = window
        self._lockout = lockout
        self._accounts: dict[str, _Attempts] = {}

    @staticmethod
    def _key(username: str) -> str:
        return username.strip().lower()

    def retry_after(self, username: str) -> int | None:
        """Seconds the account must wait, or None when it may try now."""
        attempts = self._accounts.get(self._key(username))
        if attempts is None:
            return None
        remaining = attempts.locked_until - self._clock()
        return max(1, math.ceil(remaining)) if remaining > 0 else None

    def failed(self, username: str) -> None:
        now = self._clock()
        attempts = self._accounts.setdefault(self._key(username), _Attempts())
        attempts.failures.append(now)
        while attempts.failures and now - attempts.failures[0] > self._window:
            attempts.failures.popleft()
        if len(attempts.failures) >= self._max:
            attempts.locked_until = now + self._lockout
            attempts.failures.clear()

    def succeeded(self, username: str) -> None:
        self._accounts.pop(self._key(username), None)

    def lock(self, username: str) -> int:
        """Lock an account now (provider state "login is throttled"); returns the seconds to wait."""
        for _ in range(self._max):
            self.failed(username)
        return self.retry_after(username) or 0

    def clear(self, username: str | None = None) -> None:
        if username is None:
            self._accounts.clear()
        else:
            self._accounts.pop(self._key(username), None)
