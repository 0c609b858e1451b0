"""A fuzz run's test cases follow from the contract and the seed, not from what the process imported.

Hypothesis mixes into generation the literals of every "local" module the process has imported — any
module outside site-packages and the standard library: contractgate itself when installed in editable
mode, the embedded stubs, the modules a test or a hook loaded. The same seed would then generate other
cases in the gate's process than in a worker process, with `--suite fuzz` than with every suite, in a
checkout than in an installed wheel — and other cases than the Schemathesis CLI, which imports none.
`no_local_constants()` hides them while a spec is fuzzed (Hypothesis' built-in constants, and the
contract's own examples and boundary values, remain). Hypothesis offers no setting for this; its
module-level lookup is replaced for the duration and restored after, and a Hypothesis without it is
left alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis.internal.conjecture import providers as _providers

_lock = threading.Lock()
_depth = 0
_saved: Callable[[], Any] | None = None


def _nothing_local() -> Any:
    return _providers.Constants()


def _forget_cached_choices() -> None:
    cache = getattr(_providers, "CONSTANTS_CACHE", None)
    if cache is not None and hasattr(cache, "cache"):
        cache.cache.clear()


@contextmanager
def no_local_constants() -> Iterator[None]:
    """Hypothesis draws no constant from the modules this process imported, until the block ends."""
    global _depth, _saved
    supported = hasattr(_providers, "_get_local_constants") and hasattr(_providers, "Constants")
    if not supported:
        yield
        return
    with _lock:
        if _depth == 0:
            _saved = _providers._get_local_constants
            _providers._get_local_constants = _nothing_local
            _forget_cached_choices()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                _providers._get_local_constants = _saved
                _saved = None
                _forget_cached_choices()
