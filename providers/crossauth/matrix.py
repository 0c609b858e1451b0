"""The allow/deny matrix: for each operation, which kinds of token it must accept and how it must refuse the rest.

Rows are token kinds the run can get genuinely — a member's and an admin's user token, a member's
token for another audience, another tenant's user, a service token with the scopes an operation
requires, without one of them, for another audience, and an expired one (from the key holder). For
each row, the operation's security requirements (`providers.contract`: kind, audiences, roles,
scopes; any alternative may be satisfied) say whether it is allowed, and if not, why — and each
reason has its status:

| reason | status |
|---|---|
| the token's audience is not one the *service* accepts at all (no scheme of its specs lists it) | 401 — it is not a token for this service, nothing else can be judged |
| the token has expired | 401 |
| the service accepts the audience, the operation does not | 401 |
| the wrong kind of token (user vs service) | 403 |
| a user without a required role, a service token without a required scope | 403 |
| another tenant's user, on an operation naming a resource of the member | 404 (existence must not leak) |

A token wrong for several reasons may be refused with the status of any of them. A status the
operation does not declare is replaced by its declared 401 (or 403 for a 404, when only that is
declared), so the expectation always names a declared status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from providers.contract import Operation, Requirement
from providers.credentials import Credentials

UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = 401, 403, 404


@dataclass(frozen=True)
class Holder:
    """One row of the matrix: a token the run can get, and whose resources its requests name."""

    #: Stable short name for the check: "member user token", "service token without runs:write".
    name: str
    kind: str
    audience: str
    #: The configured account (user tokens) or client id (service tokens).
    account: str
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    #: The account whose resources the request names (another tenant's user names the member's).
    owner: str = ""
    expired: bool = False
    #: A user of another tenant than the owner's.
    foreign: bool = False

    @property
    def label(self) -> str:
        if self.kind == "user":
            roles = f", roles {' '.join(self.roles)}" if self.roles else ""
            return f"user token ({self.account}{roles}, aud={self.audience})"
        scopes = f", {' '.join(self.scopes)}" if self.scopes else ", no scope"
        return (
            f"{'expired ' if self.expired else ''}service token ({self.account}, aud={self.audience}{scopes})"
        )


@dataclass(frozen=True)
class Cell:
    holder: Holder
    allowed: bool
    #: Acceptable denial statuses (empty when allowed).
    statuses: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    #: Notes on statuses replaced because the operation does not declare them.
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def check(self) -> str:
        outcome = "allowed" if self.allowed else "/".join(str(s) for s in self.statuses)
        return f"{self.holder.name} → {outcome}"

    @property
    def expectation(self) -> str:
        if self.allowed:
            return f"allowed: a {self.holder.label} satisfies the operation's security"
        text = (
            f"denied with {' or '.join(str(s) for s in self.statuses)} (declared): {'; '.join(self.reasons)}"
        )
        return text + (f" [{'; '.join(self.notes)}]" if self.notes else "")


@dataclass(frozen=True)
class Roles:
    """Which configured accounts play which part (names from `Credentials.users`)."""

    member: str = "member"
    admin: str = "admin"
    other_tenant: str = "other-tenant"


def _failures(holder: Holder, requirement: Requirement) -> list[tuple[int, str]]:
    failing = []
    if holder.kind != requirement.kind:
        failing.append(
            (FORBIDDEN, f"a {holder.kind} token where the operation takes {requirement.kind} tokens")
        )
    if holder.audience not in requirement.audiences:
        failing.append(
            (UNAUTHENTICATED, f"aud {holder.audience} is not {' or '.join(requirement.audiences)}")
        )
    if holder.kind == requirement.kind == "user":
        missing = [r for r in requirement.roles if r not in holder.roles]
        if missing:
            failing.append((FORBIDDEN, f"the user lacks the role {' '.join(missing)}"))
    if holder.kind == requirement.kind == "service":
        missing = [s for s in requirement.scopes if s not in holder.scopes]
        if missing:
            failing.append((FORBIDDEN, f"the token lacks the scope {' '.join(missing)}"))
    return failing


def judge(
    op: Operation | None,
    requirements: Sequence[Requirement],
    holder: Holder,
    service_audiences: Iterable[str],
    *,
    names_resource: bool = False,
    declares: Iterable[int] | None = None,
) -> Cell:
    """The cell of `holder` for an operation with these requirements (`op` None: the WebSocket channel)."""
    declared = set(declares) if declares is not None else {401, 403, 404}
    if op is not None:
        declared = {s for s in (401, 403, 404) if op.declares(s)}
    if holder.audience not in set(service_audiences):
        return _denied(
            holder,
            {UNAUTHENTICATED: [f"aud {holder.audience} is not an audience this service accepts"]},
            declared,
        )
    if holder.expired:
        return _denied(holder, {UNAUTHENTICATED: ["the token has expired"]}, declared)
    reasons: dict[int, list[str]] = {}
    for requirement in requirements:
        failing = _failures(holder, requirement)
        if not failing:
            if holder.foreign and names_resource:
                return _denied(
                    holder, {NOT_FOUND: ["the resource belongs to another tenant's user"]}, declared
                )
            return Cell(holder, allowed=True)
        for status, why in failing:
            reasons.setdefault(status, []).append(why)
    return _denied(holder, reasons, declared)


def _denied(holder: Holder, reasons: dict[int, list[str]], declared: set[int]) -> Cell:
    statuses: set[int] = set()
    notes = []
    for status in sorted(reasons):
        if status in declared:
            statuses.add(status)
            continue
        fallback = FORBIDDEN if status == NOT_FOUND and FORBIDDEN in declared else UNAUTHENTICATED
        notes.append(f"{status} is not declared, so {fallback}")
        statuses.add(fallback)
    texts = list(dict.fromkeys(why for status in sorted(reasons) for why in reasons[status]))
    return Cell(
        holder, allowed=False, statuses=tuple(sorted(statuses)), reasons=tuple(texts), notes=tuple(notes)
    )


# ---- the rows -----------------------------------------------------------------------------------


def user_holders(
    credentials: Credentials,
    roles: Roles,
    audience: str,
    other_audience: str | None,
) -> list[Holder]:
    """The user-token rows for an operation whose users come with `audience`."""
    accounts = {a.name: a for a in credentials.users}
    rows = []
    member = accounts.get(roles.member)
    if member is not None:
        rows.append(
            Holder("member user token", "user", audience, member.name, member.roles, owner=member.name)
        )
    admin = accounts.get(roles.admin)
    if admin is not None:
        rows.append(Holder("admin user token", "user", audience, admin.name, admin.roles, owner=admin.name))
    if member is not None and other_audience is not None:
        rows.append(
            Holder(
                "member user token for another audience",
                "user",
                other_audience,
                member.name,
                member.roles,
                owner=member.name,
            )
        )
    other = accounts.get(roles.other_tenant)
    if other is not None and member is not None and other.tenant != member.tenant:
        rows.append(
            Holder(
                "other tenant's user token",
                "user",
                audience,
                other.name,
                other.roles,
                owner=member.name,
                foreign=True,
            )
        )
    return rows


def service_holders(
    credentials: Credentials,
    roles: Roles,
    requirements: Sequence[Requirement],
    service_audiences: Sequence[str],
    *,
    expired: bool,
) -> list[Holder]:
    """The service-token rows: with the scopes, without each, for another audience, expired."""
    rows: list[Holder] = []
    owner = roles.member
    wanted = [r for r in requirements if r.kind == "service"]
    if not wanted:
        # A user operation: a genuine service token for the service must be refused (the wrong kind);
        # when no client may get one for this service, one for another audience (not even its audience).
        for audience in service_audiences:
            client = credentials.client_for(audience, ())
            if client is not None:
                scopes = tuple(client.grants.get(audience, ()))
                rows.append(
                    Holder("service token", "service", audience, client.client_id, scopes=scopes, owner=owner)
                )
                return rows
        for client in credentials.clients:
            for audience, granted in client.grants.items():
                rows.append(
                    Holder(
                        "service token for another audience",
                        "service",
                        audience,
                        client.client_id,
                        scopes=tuple(granted),
                        owner=owner,
                    )
                )
                return rows
        return rows
    requirement = wanted[0]
    grantable = next(
        (a for a in requirement.audiences if credentials.client_for(a, requirement.scopes)), None
    )
    if grantable is not None:
        client = credentials.client_for(grantable, requirement.scopes)
        assert client is not None
        scoped = tuple(requirement.scopes)
        label = f"service token with {' '.join(scoped)}" if scoped else "service token"
        rows.append(Holder(label, "service", grantable, client.client_id, scopes=scoped, owner=owner))
        if expired:
            rows.append(
                Holder(
                    "expired service token",
                    "service",
                    grantable,
                    client.client_id,
                    scopes=scoped,
                    owner=owner,
                    expired=True,
                )
            )
    for scope in requirement.scopes:
        for client in credentials.clients:
            found = next(
                (
                    (aud, tuple(s for s in granted if s != scope))
                    for aud, granted in client.grants.items()
                    if aud in requirement.audiences and any(s != scope for s in granted)
                ),
                None,
            )
            if found is not None:
                aud, scopes = found
                rows.append(
                    Holder(
                        f"service token without {scope}",
                        "service",
                        aud,
                        client.client_id,
                        scopes=scopes,
                        owner=owner,
                    )
                )
                break
    others = sorted(
        (
            (len(set(requirement.scopes) - set(granted)), aud, client.client_id, tuple(granted))
            for client in credentials.clients
            for aud, granted in client.grants.items()
            if aud not in requirement.audiences
        )
    )
    if others:
        _, aud, client_id, scopes = others[0]
        rows.append(
            Holder(
                "service token for another audience", "service", aud, client_id, scopes=scopes, owner=owner
            )
        )
    return rows
