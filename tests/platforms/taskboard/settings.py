"""What a deployment of taskboard is told: its signing secret, token claims and lifetime, its seeded
accounts, and which planted faults are switched on.

Accounts and passwords are test data handed in by whoever builds the app (tests, `__main__`); the app
itself holds none. Every fault is a realistic bug that changes behaviour only, never the OpenAPI
document: the contract stays, the service breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["user", "admin"]

#: The planted faults, each off unless named in `Settings.faults`.
FAULTS: dict[str, str] = {
    "signature-not-verified": "tokens are decoded without checking their HS256 signature",
    "audience-not-checked": "a token minted for another audience is accepted",
    "expiry-not-checked": "an expired token is accepted",
    "idor": "another user's project is readable by id (GET answers 200 instead of 404)",
    "websocket-no-auth": "the WebSocket handshake is accepted without any token",
    "long-input-500": "a project description longer than its column (255 of the documented 2000 characters) crashes with 500",
    "response-field-dropped": "GET /api/me answers without the required `org` field",
    "undeclared-status": "creating a project whose name the user already has answers 409, which the spec does not declare",
    "int64-path-500": "a project or task id past 2**63 - 1 crashes the id lookup with 500",
}


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str
    org: str
    role: Role = "user"


@dataclass(frozen=True)
class Settings:
    accounts: tuple[Account, ...]
    #: The HS256 key tokens are signed with (at least 32 bytes, as RFC 7518 §3.2 asks).
    secret: str = "taskboard-development-secret-0123456789"
    issuer: str = "https://login.taskboard.test"
    audience: str = "taskboard-api"
    #: Seconds a token issued by `POST /api/session` stays valid.
    token_lifetime: int = 900
    faults: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = set(self.faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown taskboard faults: {', '.join(sorted(unknown))}")
        if len(self.secret.encode()) < 32:
            raise ValueError("the HS256 secret must be at least 32 bytes")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be at least one second")
        object.__setattr__(self, "faults", frozenset(self.faults))

    def has(self, fault: str) -> bool:
        return fault in self.faults


#: The accounts tests and `python -m tests.platforms.taskboard` seed: two ordinary users of different
#: organisations and one administrator.
DEMO_ACCOUNTS = (
    Account("ada@northwind.test", "ada-correct-horse", "Ada Lovelace", "northwind"),
    Account("brian@southpaw.test", "brian-battery-staple", "Brian Kernighan", "southpaw"),
    Account("root@taskboard.test", "root-admin-passphrase", "Grace Hopper", "taskboard", "admin"),
)
