"""The seeded demo accounts of the reference platform (documented in the README).

Both the auth stub (which checks passwords and issues tokens) and the backend stub (which keeps a
profile per user id, like a real service's user table) read this one list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property

_NAMESPACE = uuid.UUID("6f1d3c3e-6c0a-4a55-9a43-2f0b1b8c7d10")


def demo_id(name: str) -> str:
    """A stable UUID for a seeded entity, so ids survive restarts and appear in docs and pacts."""
    return str(uuid.uuid5(_NAMESPACE, name))


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    name: str
    tenant_id: str
    roles: tuple[str, ...]

    @cached_property
    def id(self) -> str:
        return demo_id(self.email)


@dataclass(frozen=True)
class DemoClient:
    """A confidential service client: which audiences it may ask for and which scopes on each."""

    client_id: str
    secret: str
    scopes_by_audience: dict[str, tuple[str, ...]]


USERS: tuple[DemoUser, ...] = (
    DemoUser("alice@example.com", "alice-password", "Alice Example", "acme", ("member",)),
    DemoUser("admin@example.com", "admin-password", "Ada Admin", "acme", ("admin", "member")),
    DemoUser("bob@example.com", "bob-password", "Bob Globex", "globex", ("member",)),
)

CLIENTS: tuple[DemoClient, ...] = (
    DemoClient("backend-service", "backend-service-secret", {"auth": ("auth:introspect",)}),
    DemoClient(
        "websocket-service",
        "websocket-service-secret",
        {"auth": ("auth:introspect",), "backend": ("runs:read",)},
    ),
    DemoClient("agent-worker", "agent-worker-secret", {"backend": ("runs:read", "runs:write")}),
)


_BY_EMAIL = {u.email: u for u in USERS}
_BY_ID = {u.id: u for u in USERS}  # `id` is a uuid5: computed once, not per request
_CLIENTS = {c.client_id: c for c in CLIENTS}


def user_by_email(email: str) -> DemoUser | None:
    return _BY_EMAIL.get(email.lower())


def user_by_id(user_id: str) -> DemoUser | None:
    return _BY_ID.get(user_id)


def client_by_id(client_id: str) -> DemoClient | None:
    return _CLIENTS.get(client_id)


def secrets() -> dict[str, str]:
    """Every seeded password and client secret, by username or client id: the embedded target's credentials."""
    return {**{u.email: u.password for u in USERS}, **{c.client_id: c.secret for c in CLIENTS}}
