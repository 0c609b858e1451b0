"""Starlette provider stubs of the three services the shipped contracts describe.

Each service is built by `create_app(settings)` in its own subpackage (`stubs.auth`, `stubs.backend`,
`stubs.websocket`); the shared plumbing a real service would also need (keys, token validation
through JWKS, problem responses, request validation against the contracts, deprecation headers,
provider states) lives in the modules beside them. `stubs.platform` wires the three together on
loopback ports. Stubs hold no verification logic: they are providers, and `providers/` judges them.
"""
