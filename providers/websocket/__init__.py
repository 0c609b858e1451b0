"""The `websocket` suite: a target's WebSocket service against the AsyncAPI contract, over real sockets.

Modules: `contract` (the channel read from the AsyncAPI document), `client` (recording, checking
connections and their reproductions), `material` (settings, tokens and runs), `base` (how a check is
written), `handshake`, `streams` and `checks` (the checks), `suite` (`run(ctx)`).
"""

from __future__ import annotations

from providers.websocket.suite import run

__all__ = ["run"]
