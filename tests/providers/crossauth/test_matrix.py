"""The matrix rules: which rows an operation gets and the declared status each denial must have."""

from __future__ import annotations

from contractgate.credentials import demo_credentials
from providers.contract import Operation, Requirement
from providers.crossauth.matrix import Holder, Roles, judge, service_holders, user_holders

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
    assert cell.check == "u → 401"


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


def test_rows_come_from_the_configured_accounts_and_clients() -> None:
    credentials = demo_credentials()
    users = user_holders(credentials, Roles(), "backend", "websocket")
    assert [h.name for h in users] == [
        "member user token",
        "admin user token",
        "member user token for another audience",
        "other tenant's user token",
    ]
    assert users[3].owner == "member" and users[3].foreign
    rows = {h.name: h for h in service_holders(credentials, Roles(), (READ,), ["backend"], expired=True)}
    assert set(rows) == {
        "service token with runs:read",
        "expired service token",
        "service token without runs:read",
        "service token for another audience",
    }
    assert rows["service token without runs:read"].scopes == ("runs:write",)
    assert rows["service token for another audience"].audience == "auth"
    assert "expired service token" not in {
        h.name for h in service_holders(credentials, Roles(), (READ,), ["backend"], expired=False)
    }
    on_user_op = service_holders(credentials, Roles(), (USER,), ["backend"], expired=True)
    assert [(h.name, h.audience) for h in on_user_op] == [("service token", "backend")]
