"""The `cors` suite: the browser boundary the contracts declare (CORS per service, the WebSocket's origins).

policy     the `browser` section of platform.yaml, typed, and the probe origins
fetch      how a browser reads a CORS answer (the Fetch standard's CORS check and preflight)
handshake  the WebSocket handshake's Origin check (cross-site WebSocket hijacking)
suite      the checks, per operation and per service, and `run`
"""

from providers.cors.suite import run

__all__ = ["run"]
