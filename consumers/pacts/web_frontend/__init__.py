"""web-frontend's pacts, one module per provider: auth-service v2, backend-service v2, the channel.

Each function records one interaction and exercises the frontend's own client against pact's mock
(HTTP) or the channel mock (synchronous messages), asserting what the frontend does with the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from consumers.pacts.support import PactWriter
from consumers.pacts.web_frontend import auth, backend, realtime

INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    *auth.INTERACTIONS,
    *backend.INTERACTIONS,
    *realtime.INTERACTIONS,
)
