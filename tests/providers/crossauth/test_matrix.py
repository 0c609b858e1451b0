"""The matrix rules: which cells an operation's contract implies, and the declared status each denial must have."""

from __future__ import annotations

from contractgate.credentials import demo_credentials
from providers.contract import Operation, Requirement
from providers.credentials import Credentials, UserAccount
from providers.crossauth.matrix import Holder, Rows, judge

USER = Requirement("userToken", "user", ("backend",))
ADMIN = Requirement("userToken", "user", ("backend",), ("admin",))
READ = Requirement("serviceToken", "service", ("backend",), ("runs:read",))
INTROSPECT = Requirement("serviceToken", "service", ("auth",), ("auth:introspect",))


def operation(
    *requirements: Requirement, statuses: tuple[str, ...] = ("200", "401", "403", "404")
) -> Operation:
    return Operation(
        spec="s",
        service="backend-service",
        version="v2",
        method="GET",
        path="/things/{id}",
        operation_id="getThing",
        requirements=requirements,
        deprecated=False,
        statuses=frozenset(statuses),
        document={},
    )


def user(audience: str = "backend", roles: tuple[str, ...] = ("member",), **extra: object) -> Holder:
    return Holder("u", "user", audience, "member", roles, owner="member", **extra)  # type: ignore[arg-type]


def service(audience: str, *scopes: str, expired: bool = False) -> Holder:
    return Holder("s", "service", audience, "client", scopes=scopes, owner="member", expired=expired)


def test_a_token_for_an_audience_the_service_never_accepts_is_a_401_whatever_else_is_wrong() -> None:
    cell = judge(operation(READ), (READ,), user("websocket"), ["backend"])
    assert (cell.allowed, cell.statuses) == (False, (401,))


def test_a_token_wrong_in_several_ways_may_be_refused_for_any_of_them() -> None:
    # The auth service accepts aud=backend, but its introspection takes aud=auth with a scope.
    cell = judge(operation(INTROSPECT), (INTROSPECT,), service("backend", "runs:read"), ["auth", "backend"])
    assert cell.statuses == (401, 403)
    assert "lacks the scope auth:introspect" in cell.expectation


def test_kind_role_and_scope_are_403() -> None:
    assert judge(operation(READ), (READ,), user(), ["backend"]).statuses == (403,)
    assert judge(operation(ADMIN), (ADMIN,), user(), ["backend"]).statuses == (403,)
    assert judge(operation(READ), (READ,), service("backend", "runs:write"), ["backend"]).statuses == (403,)
    assert judge(operation(ADMIN), (ADMIN,), user(roles=("admin", "member")), ["backend"]).allowed


def test_an_expired_token_is_a_401() -> None:
    cell = judge(operation(READ), (READ,), service("backend", "runs:read", expired=True), ["backend"])
    assert cell.statuses == (401,) and cell.reasons == ("the token has expired",)


def test_another_tenants_user_is_a_404_only_where_a_resource_is_named() -> None:
    other = user(foreign=True)
    assert judge(operation(USER), (USER,), other, ["backend"], names_resource=True).statuses == (404,)
    assert judge(operation(USER), (USER,), other, ["backend"], names_resource=False).allowed


def test_an_undeclared_status_falls_back_to_a_declared_one() -> None:
    no_403 = operation(READ, statuses=("200", "401"))
    cell = judge(no_403, (READ,), user(), ["backend"])
    assert cell.statuses == (401,) and "403 is not declared, so 401" in cell.expectation
    no_404 = operation(USER, statuses=("200", "401", "403"))
    assert judge(no_404, (USER,), user(foreign=True), ["backend"], names_resource=True).statuses == (403,)


def test_any_alternative_allows() -> None:
    both = (USER, READ)
    assert judge(operation(*both), both, user(), ["backend"]).allowed
    assert judge(operation(*both), both, service("backend", "runs:read"), ["backend"]).allowed


def _rows(credentials: Credentials, *, isolation_sees: bool = False, expired: str | None = None) -> Rows:
    return Rows(
        credentials,
        "member",
        lambda owner, other: isolation_sees,
        ["backend", "websocket"],
        {"user", "service"},
        expired,
    )


def test_cells_come_from_the_requirements_and_tokens_from_the_accounts_and_clients() -> None:
    rows = _rows(demo_credentials())
    cells = {c.check: c for c in rows.plan((READ,), ["backend"], True, "user")}
    assert set(cells) == {
        "allowed:serviceToken",
        "wrong-audience:service",
        "wrong-kind:user",
        "missing-scope:runs:read",
        "expired",
    }
    assert cells["allowed:serviceToken"].holder is not None
    assert cells["allowed:serviceToken"].holder.scopes == ("runs:read",)
    missing = cells["missing-scope:runs:read"].holder
    assert missing is not None and missing.scopes == ("runs:write",)
    assert cells["wrong-audience:service"].holder is not None
    assert cells["wrong-audience:service"].holder.audience == "auth"
    assert cells["expired"].holder is not None and cells["expired"].holder.expired
    user_cells = {c.check: c for c in rows.plan((ADMIN,), ["backend"], True, "user")}
    assert set(user_cells) == {
        "allowed:userToken",
        "wrong-audience:user",
        "wrong-kind:service",
        "missing-role:admin",
        "other-owner",
        "expired",
    }
    assert user_cells["allowed:userToken"].holder is not None
    assert user_cells["allowed:userToken"].holder.account == "admin"
    other = user_cells["other-owner"].holder
    assert other is not None and other.foreign and other.owner == "member" and other.account == "admin"


def test_every_implied_cell_is_planned_even_when_no_token_can_be_had() -> None:
    only_member = Credentials(users=(UserAccount("member", "m", "p", ("member",), "t"),))
    rows = _rows(only_member, expired="no key holder")
    cells = {c.check: c for c in rows.plan((ADMIN,), ["backend"], True, "user")}
    assert set(cells) == {
        "allowed:userToken",
        "wrong-audience:user",
        "wrong-kind:service",
        "missing-role:admin",
        "other-owner",
        "expired",
    }
    assert cells["allowed:userToken"].holder is None and "role(s) admin" in (cells["allowed:userToken"].skip or "")
    assert "second user account" in (cells["other-owner"].skip or "")
    assert cells["wrong-kind:service"].skip == "configure a service client"


def test_another_account_that_may_see_the_owners_resources_is_no_other_owner() -> None:
    rows = _rows(demo_credentials(), isolation_sees=True)
    cells = {c.check: c for c in rows.plan((USER,), ["backend"], True, "user")}
    assert cells["other-owner"].holder is None
