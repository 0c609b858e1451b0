"""Who may call what on the backend: the authorization rules every endpoint names in its binding.

User operations take a user token for this service (`user`, or `admin` for the tenant usage),
internal operations a service token with a scope (`service("runs:read")`); the audience, signature,
expiry and revocation were already checked by `BearerBackend`. A caller's data is keyed by its
`Owner` (user and tenant from the token), and `visible` turns "not yours" into the same 404 as
"does not exist", so tenant isolation cannot leak through a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import Request

from stubs.backend.store import Owner
from stubs.demo import user_by_id
from stubs.operations import Authorize, Call
from stubs.problems import Problem
from stubs.security import require_service, require_user
from stubs.tokens import Principal

REALM = "backend"

T = TypeVar("T")


def user(request: Request) -> Principal:
    return require_user(request, REALM)


def admin(request: Request) -> Principal:
    return require_user(request, REALM, roles=("admin",))


def service(*scopes: str) -> Authorize:
    def authorize(request: Request) -> Principal:
        return require_service(request, REALM, scopes=scopes)

    return authorize


def owner(call: Call) -> Owner:
    """The calling user and tenant; only used behind `user`/`admin`, which guarantee a user token."""
    principal = call.principal
    assert principal is not None and principal.tenant_id is not None
    return Owner(user_id=principal.subject, tenant_id=str(principal.tenant_id))


@dataclass(frozen=True)
class Profile:
    """The calling user as the users/me operations describe it (v1 and v2 differ only in shape)."""

    id: str
    email: str
    name: str
    tenant_id: str
    roles: list[str]


def profile(call: Call) -> Profile:
    """The caller's profile: the user table (`stubs.demo`, by `sub`) and the token's tenant and roles."""
    principal = call.principal
    assert principal is not None and principal.tenant_id is not None
    known = user_by_id(principal.subject)
    email = known.email if known else str(principal.claims.get("email", ""))
    return Profile(
        id=principal.subject,
        email=email,
        name=known.name if known else email,
        tenant_id=str(principal.tenant_id),
        roles=sorted(principal.roles),
    )


def visible(found: T | None, what: str, ident: str) -> T:
    """The resource, or the 404 that hides whether it exists for someone else."""
    if found is None:
        raise Problem(404, f"no {what} {ident}")
    return found
