"""The suites the gate knows: where each one's code is, its settings dataclass, and its name checks.

One registry read by the gate (which runs them), the configuration schema (each `[suite.NAME]` table is
the suite's settings dataclass) and the preflight (which checks settings before anything starts).
Modules are named, not imported: a suite is imported only when it is chosen or configured.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: Suite name → "module:function". Suites are imported only when chosen.
SUITES: dict[str, str] = {
    "pacts": "providers.pacts.suite:run",
    "fuzz": "providers.fuzz:run",
    "websocket": "providers.websocket.suite:run",
    "versioning": "providers.versioning.suite:run",
    "tokens": "providers.tokens.suite:run",
    "crossauth": "providers.crossauth.suite:run",
    "cors": "providers.cors.suite:run",
    "readiness": "providers.readiness.suite:run",
    "broker": "providers.broker.suite:run",
}

#: Suite name → "module:Class" of its settings dataclass: the shape of `[suite.NAME]`.
SETTINGS: dict[str, str] = {
    "pacts": "providers.pacts.suite:PactSettings",
    "fuzz": "providers.fuzz.settings:FuzzSettings",
    "websocket": "providers.websocket.material:Settings",
    "versioning": "providers.versioning.suite:Settings",
    "tokens": "providers.tokens.settings:Settings",
    "crossauth": "providers.crossauth.suite:Settings",
    "cors": "providers.cors.suite:Settings",
    "readiness": "providers.readiness.suite:Settings",
    "broker": "providers.broker.suite:BrokerOptions",
}


def imported(reference: str) -> Any:
    """The object a "module:name" reference names."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def settings_class(suite: str) -> type:
    """The settings dataclass of a suite."""
    cls: type = imported(SETTINGS[suite])
    return cls


def _attacks(settings: Any) -> None:
    from providers.tokens.catalogue import select

    select(settings.attacks, settings.tampered_claims or ("sub",))


def _websocket_checks(settings: Any) -> None:
    from providers.websocket.suite import chosen

    chosen(settings)


#: Checks of names that only the suite's own catalogue knows (attacks, WebSocket checks), run on parsed
#: settings before anything starts; each raises a one-line `ConfigError` naming the key.
NAME_CHECKS: dict[str, Callable[[Any], None]] = {"tokens": _attacks, "websocket": _websocket_checks}


def check_settings(suite: str, options: Any, where: str, *, runtime: bool = True) -> Any:
    """A suite's settings parsed from `options` and their names checked; `where` names the table."""
    from providers.errors import ConfigError
    from providers.settings import parse

    if suite not in SETTINGS:  # a suite without settings (one a test registers)
        return options
    settings: Any = parse(settings_class(suite), options, where, runtime=runtime)
    check = NAME_CHECKS.get(suite)
    if check is not None:
        try:
            check(settings)
        except ConfigError as exc:
            # The catalogue names the key ("suite.tokens.attacks: …"); say which file it is in.
            prefix = where.rsplit(f"suite.{suite}", 1)[0]
            raise ConfigError(f"{prefix}{exc}") from None
    return settings
