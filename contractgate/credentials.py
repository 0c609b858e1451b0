"""The credentials the gate uses against a target: demo accounts for the stubs, environment for live.

Live targets never carry literal secrets: configuration names environment variables, and a missing one
is a one-line configuration error. The defaults describe the reference platform (its OAuth2 token
endpoint, its three demo users and three service clients); a team with other services configures its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from providers.credentials import Credentials, ServiceClient, TokenEndpoint, UserAccount
from providers.errors import ConfigError
from stubs import demo

#: The roles accounts play in the suites, and the demo user who plays each on the stubs.
DEMO_ACCOUNTS = {
    "member": "alice@example.com",
    "admin": "admin@example.com",
    "other-tenant": "bob@example.com",
}


def demo_credentials(endpoint: TokenEndpoint | None = None) -> Credentials:
    """The stubs' seeded accounts and clients (documented in the README)."""
    users = []
    for name, email in DEMO_ACCOUNTS.items():
        user = demo.user_by_email(email)
        assert user is not None
        users.append(UserAccount(name, user.email, user.password, user.roles, user.tenant_id))
    clients = tuple(ServiceClient(c.client_id, c.secret, dict(c.scopes_by_audience)) for c in demo.CLIENTS)
    return Credentials(endpoint=endpoint or TokenEndpoint(), users=tuple(users), clients=clients)


def env_credentials(
    users: Mapping[str, Mapping[str, Any]],
    clients: Mapping[str, Mapping[str, Any]],
    endpoint: TokenEndpoint | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Accounts and clients whose secrets come from environment variables.

    `users`: name → {username_env, password_env, roles, tenant}; `clients`: client_id →
    {secret_env, grants: {audience: [scopes]}}.
    """
    env = os.environ if environ is None else environ

    def read(var: object, what: str) -> str:
        if not isinstance(var, str) or not var:
            raise ConfigError(f"{what}: name the environment variable that holds it")
        value = env.get(var)
        if not value:
            raise ConfigError(f"{what}: environment variable {var} is not set")
        return value

    accounts = tuple(
        UserAccount(
            name,
            read(spec.get("username_env"), f"user {name!r} username"),
            read(spec.get("password_env"), f"user {name!r} password"),
            tuple(str(r) for r in spec.get("roles", ()) or ()),
            str(spec.get("tenant", "")),
        )
        for name, spec in users.items()
    )
    service_clients = tuple(
        ServiceClient(
            client_id,
            read(spec.get("secret_env"), f"client {client_id!r} secret"),
            {
                str(aud): tuple(str(s) for s in scopes)
                for aud, scopes in dict(spec.get("grants") or {}).items()
            },
        )
        for client_id, spec in clients.items()
    )
    return Credentials(endpoint=endpoint or TokenEndpoint(), users=accounts, clients=service_clients)


def env_var(*parts: str) -> str:
    """CONTRACTGATE_… variable name for an account or client ("other-tenant" → OTHER_TENANT)."""
    return "_".join(["CONTRACTGATE", *(p.upper().replace("-", "_").replace(".", "_") for p in parts)])


def reference_env_credentials(environ: Mapping[str, str] | None = None) -> Credentials:
    """The reference platform's accounts and clients, secrets from the environment.

    `CONTRACTGATE_<ACCOUNT>_USERNAME` / `_PASSWORD` for the accounts member, admin and other-tenant, and
    `CONTRACTGATE_CLIENT_<CLIENT_ID>_SECRET` for each service client. Accounts and clients whose
    variables are unset are left out (suites then skip what needs them); none at all is an error.
    """
    env = os.environ if environ is None else environ
    demo_set = demo_credentials()
    users = {
        account.name: {
            "username_env": env_var(account.name, "username"),
            "password_env": env_var(account.name, "password"),
            "roles": list(account.roles),
            "tenant": account.tenant,
        }
        for account in demo_set.users
        if env.get(env_var(account.name, "username")) and env.get(env_var(account.name, "password"))
    }
    clients = {
        client.client_id: {
            "secret_env": env_var("client", client.client_id, "secret"),
            "grants": dict(client.grants),
        }
        for client in demo_set.clients
        if env.get(env_var("client", client.client_id, "secret"))
    }
    if not users and not clients:
        raise ConfigError(
            f"no credentials for a live target: set {env_var('member', 'username')} and "
            f"{env_var('member', 'password')} (and the others listed in the README), or pass --demo-credentials"
        )
    return env_credentials(users, clients, environ=env)
