"""The `crossauth` suite: the allow/deny matrix of token kinds the specs' security requirements imply.

Modules: `matrix` (rows and cells derived from the requirements, with the declared status of every
denial), `suite` (`run(ctx)`: each cell sent to the target, primary allowed cell first as the control).
"""

from __future__ import annotations

from providers.crossauth.suite import run

__all__ = ["run"]
