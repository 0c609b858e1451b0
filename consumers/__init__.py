"""The consumers' client code, and the pact definitions that exercise it.

Each module is the client one consumer of DESIGN.md's table ships: `auth_v2`/`auth_v1` (the auth
service's v2 and deprecated v1 APIs, introspection and client credentials included), `backend_v2`/
`backend_v1` (the user APIs), `internal` (the backend's internal runs API, for services) and
`realtime` (the WebSocket channel). They depend on httpx, websockets and the standard library only, so
the pacts in `consumers.pacts` record what this exact code sends and relies on.

    errors      the problem-details errors every HTTP client raises
"""
