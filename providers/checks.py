"""The one registry of checks: every check of every suite, with its basis, severity and needs.

A verdict is only as good as the rule behind it, so every check says where its rule comes from:

| basis | the rule comes from | a failure |
|---|---|---|
| `contract` | the contracts folder: a declared status, schema, security requirement, message, pact | fails the gate |
| `standard` | a cited standard (an RFC section, the Fetch standard) | fails the gate |
| `policy` | a hardening opinion (throttling, sizes, header strictness) | an advisory, unless `strict_policy` |

Suites register their checks when their module is imported (`register`), and name them in their
results by the registered name, or by the name followed by `:` and a variant
("alg-none:none:unsigned" is a variant of "alg-none"). The gate stamps every result with its check's
basis and citation (`classify`), so no suite can report a failure whose reason is untraceable, and
`contractgate checks` lists the whole registry. `needs` says what the target must offer for the check
to run; a check that cannot run is a skip whose reason names the setting or capability that would let
it run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from providers.results import Result


class Basis(StrEnum):
    CONTRACT = "contract"
    STANDARD = "standard"
    POLICY = "policy"


@dataclass(frozen=True)
class Check:
    suite: str
    #: The registered name; results name it or a `name:variant` of it.
    name: str
    basis: Basis
    #: What the rule is and where it is written: "RFC 7519 §4.1.4", "the operation's declared 401".
    cites: str
    #: One line: what the check holds the target to.
    summary: str
    #: What the target must offer for the check to run (empty: anything the contracts describe).
    needs: tuple[str, ...] = ()

    @property
    def fails_gate(self) -> bool:
        return self.basis is not Basis.POLICY


_REGISTRY: dict[tuple[str, str], Check] = {}

#: Every suite's module that registers checks, in the order `contractgate checks` lists them.
SUITE_MODULES: dict[str, str] = {
    "pacts": "providers.pacts.suite",
    "fuzz": "providers.fuzz",
    "websocket": "providers.websocket.suite",
    "versioning": "providers.versioning.suite",
    "tokens": "providers.tokens.suite",
    "crossauth": "providers.crossauth.suite",
    "cors": "providers.cors.suite",
    "readiness": "providers.readiness.suite",
    "broker": "providers.broker.suite",
}


def register(
    suite: str,
    name: str,
    basis: Basis,
    cites: str,
    summary: str,
    needs: Iterable[str] = (),
) -> Check:
    """Add a check to the registry (idempotent for the same definition); returns it."""
    check = Check(suite, name, Basis(basis), cites, summary, tuple(needs))
    known = _REGISTRY.get((suite, name))
    if known is not None and known != check:
        raise ValueError(f"check {suite}/{name} is registered twice with different definitions")
    _REGISTRY[(suite, name)] = check
    return check


def find(suite: str, check: str) -> Check | None:
    """The registered check a result's `check` names: exactly, or the longest `name:` prefix."""
    exact = _REGISTRY.get((suite, check))
    if exact is not None:
        return exact
    head = check
    while ":" in head:
        head = head.rsplit(":", 1)[0]
        found = _REGISTRY.get((suite, head))
        if found is not None:
            return found
    return None


def classify(result: Result) -> Result:
    """The result stamped with its check's basis and citation (an unregistered check is a contract check
    citing nothing, and `tests/providers/test_checks.py` makes sure no suite emits one)."""
    check = find(result.suite, result.check)
    if check is None:
        return result
    return replace(result, basis=check.basis.value, cites=check.cites)


def load_all(suites: Iterable[str] | None = None) -> None:
    """Import the suites' modules so that their checks are registered."""
    for suite, module in SUITE_MODULES.items():
        if suites is None or suite in suites:
            importlib.import_module(module)


def registry(suites: Iterable[str] | None = None) -> list[Check]:
    """Every registered check (of `suites`), in suite order then registration order."""
    load_all(suites)
    order = {suite: i for i, suite in enumerate(SUITE_MODULES)}
    chosen = [c for c in _REGISTRY.values() if suites is None or c.suite in set(suites)]
    return sorted(chosen, key=lambda c: order.get(c.suite, len(order)))
