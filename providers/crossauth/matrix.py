"""The allow/deny matrix: for each operation, which kinds of token it must accept and how it must refuse the rest.

The cells come from the contract, not from the accounts a run happens to have (`Rows.plan`): for
each security requirement an allowed token; a token of each accepted kind for another audience; a
token of a kind the operation does not take; per required role and scope a token without it; on an
operation naming a resource, another account's token (the platform's isolation, `platform.yaml`);
and an expired token. Each cell is then realised with a genuine token of the run's accounts and
clients, or reported skipped naming what would let it run — so every run, whatever its target and
credentials, reports the same cells. The operation's security requirements (`providers.contract`:
kind, audiences, roles, scopes; any alternative may be satisfied) say of each token whether it is
allowed, and if not, why — and each reason has its status:

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from providers.contract import Operation, Requirement
from providers.credentials import Credentials

UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = 401, 403, 404


@dataclass(frozen=True)
class Holder:
    """One row of the matrix: a token the run can get, and whose resources its requests name."""

    #: A short name for reports: "user token of NAME", "service token of CLIENT without SCOPE".
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


# ---- the cells the contract implies --------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A cell the contract implies for an operation, with the token that realises it — or why none can."""

    kind: str
    #: Which requirement, role, scope or token kind the cell is about ("" when the kind says it all).
    variant: str
    summary: str
    holder: Holder | None = None
    #: Why no token of this cell can be had on this run (what would let it run).
    skip: str | None = None

    @property
    def check(self) -> str:
        return f"{self.kind}:{self.variant}" if self.variant else self.kind


#: kind → (basis, citation, what the cell holds the target to).
KINDS: dict[str, tuple[str, str, str]] = {
    "allowed": (
        "contract",
        "the operation's security requirement (x-token-kind, x-audiences, roles/scopes)",
        "a genuine token that satisfies the operation's security requirement is accepted",
    ),
    "wrong-audience": (
        "standard",
        "RFC 7519 §4.1.3 (aud); RFC 8725 §3.9",
        "a genuine token issued for another audience is refused",
    ),
    "wrong-kind": (
        "contract",
        "the requirement's x-token-kind",
        "a genuine token of the other kind (user vs service) is refused",
    ),
    "missing-role": (
        "contract",
        "the requirement's roles",
        "a genuine user token without a required role is refused (403)",
    ),
    "missing-scope": (
        "standard",
        "RFC 6750 §3.1 (insufficient_scope); the requirement's scopes",
        "a genuine service token without a required scope is refused (403)",
    ),
    "other-owner": (
        "contract",
        "the platform's isolation (platform.yaml) and the operation's declared 404",
        "another account's token on the primary account's resource answers 404 (existence must not leak)",
    ),
    "expired": (
        "standard",
        "RFC 7519 §4.1.4 (exp)",
        "an expired, validly signed token is refused (401)",
    ),
}


class Rows:
    """Finds, for each cell the contract implies, a token the run can genuinely get (or says why not).

    `accounts` and `clients` are the run's credentials; `owner` is the primary account, whose
    resources the requests name; `sees(owner, other)` is the platform's isolation rule;
    `user_audiences` every audience any user requirement of the contracts lists; `kinds` the token kinds
    the contracts use at all; `expired` None when expired tokens can be minted, else why not.
    """

    def __init__(
        self,
        credentials: Credentials,
        owner: str,
        sees: Callable[[str, str], bool],
        user_audiences: Sequence[str],
        kinds: Iterable[str],
        expired: str | None,
    ) -> None:
        self.credentials = credentials
        self.owner = owner
        self.sees = sees
        self.user_audiences = list(user_audiences)
        self.kinds = set(kinds)
        self.expired = expired

    # -- holders of each kind -----------------------------------------------------------------

    def _user(
        self,
        audience: str,
        roles: Sequence[str] = (),
        *,
        without: str | None = None,
        other_than: str | None = None,
    ) -> Holder | None:
        candidates = [
            a
            for a in self.credentials.users
            if set(roles) <= set(a.roles)
            and (without is None or without not in a.roles)
            and (other_than is None or a.name != other_than)
        ]
        candidates.sort(key=lambda a: a.name != self.owner)
        if not candidates:
            return None
        a = candidates[0]
        return Holder(f"user token of {a.name}", "user", audience, a.name, a.roles, owner=a.name)

    def _client(
        self, audiences: Sequence[str], scopes: Sequence[str], *, without: str | None = None
    ) -> Holder | None:
        for audience in audiences:
            for client in self.credentials.clients:
                granted = client.grants.get(audience)
                if granted is None:
                    continue
                if without is not None:
                    if without not in scopes:
                        continue
                    kept = tuple(s for s in granted if s != without)
                    if not kept:
                        continue
                    return Holder(
                        f"service token of {client.client_id} without {without}",
                        "service",
                        audience,
                        client.client_id,
                        scopes=kept,
                        owner=self.owner,
                    )
                if set(scopes) <= set(granted):
                    return Holder(
                        f"service token of {client.client_id}",
                        "service",
                        audience,
                        client.client_id,
                        scopes=tuple(scopes),
                        owner=self.owner,
                    )
        return None

    # -- the cells ----------------------------------------------------------------------------

    def plan(
        self,
        requirements: Sequence[Requirement],
        service_audiences: Sequence[str],
        names_resource: bool,
        isolation: str,
    ) -> list[Planned]:
        cells: list[Planned] = []

        def add(kind: str, variant: str, holder: Holder | None, missing: str) -> None:
            cells.append(Planned(kind, variant, KINDS[kind][2], holder, None if holder else missing))

        accepted_kinds = sorted({r.kind for r in requirements})
        for r in requirements:
            if r.kind == "user":
                holder = self._user(r.audiences[0], r.roles)
                why = (
                    f"configure a user account with the role(s) {' '.join(r.roles)}"
                    if r.roles
                    else "configure a user account"
                )
            else:
                holder = self._client(r.audiences, r.scopes)
                why = f"configure a service client that may get {' or '.join(r.audiences)}" + (
                    f" with {' '.join(r.scopes)}" if r.scopes else ""
                )
            add("allowed", r.scheme, holder, why)
        for kind in accepted_kinds:
            accepted = {a for q in requirements if q.kind == kind for a in q.audiences}
            first = next(q for q in requirements if q.kind == kind)
            if kind == "user":
                elsewhere = next((a for a in self.user_audiences if a not in accepted), None)
                holder = self._user(elsewhere, first.roles) if elsewhere else None
                why = (
                    "the contracts declare no other audience of user tokens, so no genuine one can be had "
                    "(the tokens suite forges one with the issuer's key: wrong-audience:signed)"
                    if elsewhere is None
                    else "configure a user account"
                )
            else:
                audiences = sorted({a for c in self.credentials.clients for a in c.grants} - accepted)
                holder = self._client(audiences, ())
                why = "configure a service client that may get a token for another audience"
            add("wrong-audience", kind, holder, why)
        for missing_kind in sorted(self.kinds - set(accepted_kinds)):
            if missing_kind == "user":
                audience = next((a for a in service_audiences if a in self.user_audiences), None)
                holder = self._user(audience or (self.user_audiences[0] if self.user_audiences else ""))
                why = "configure a user account"
            else:
                audiences = [
                    *service_audiences,
                    *sorted({a for c in self.credentials.clients for a in c.grants}),
                ]
                holder = self._client(list(dict.fromkeys(audiences)), ())
                why = "configure a service client"
            add("wrong-kind", missing_kind, holder, why)
        for r in requirements:
            if r.kind == "user":
                for role in r.roles:
                    kept = tuple(x for x in r.roles if x != role)
                    add(
                        "missing-role",
                        role,
                        self._user(r.audiences[0], kept, without=role),
                        f"configure a user account without the role {role}",
                    )
            else:
                for scope in r.scopes:
                    add(
                        "missing-scope",
                        scope,
                        self._client(r.audiences, r.scopes, without=scope),
                        f"configure a service client that may get {' or '.join(r.audiences)} without {scope}",
                    )
        user_requirement = next((q for q in requirements if q.kind == "user"), None)
        if names_resource and user_requirement is not None and isolation != "none":
            others = [
                a
                for a in self.credentials.users
                if a.name != self.owner
                and set(user_requirement.roles) <= set(a.roles)
                and not self.sees(self.owner, a.name)
            ]
            holder = None
            if others:
                other = others[0]
                holder = Holder(
                    f"user token of {other.name}",
                    "user",
                    user_requirement.audiences[0],
                    other.name,
                    other.roles,
                    owner=self.owner,
                    foreign=True,
                )
            add(
                "other-owner",
                "",
                holder,
                f"configure a second user account that may not see {self.owner}'s resources (isolation: {isolation})",
            )
        if requirements:
            base = next((c.holder for c in cells if c.kind == "allowed" and c.holder is not None), None)
            holder = None
            if base is not None and self.expired is None:
                holder = Holder(
                    f"expired {base.name}",
                    base.kind,
                    base.audience,
                    base.account,
                    base.roles,
                    base.scopes,
                    owner=base.owner,
                    expired=True,
                )
            add("expired", "", holder, self.expired or "no token of the operation's kind can be had")
        return cells
