"""The credentials the gate uses against a target: the stubs' seeded accounts, or secrets from the environment.

Which accounts and clients exist, their roles, tenant and grants, is the platform manifest's
(`providers.platform`); the configuration may add accounts and override roles. Secrets are never
literal: for the embedded stubs they come from the stubs' own seed, for live targets from environment
variables the configuration names — or, without a configured target, from
`CONTRACTGATE_<ACCOUNT>_USERNAME` / `_PASSWORD` and `CONTRACTGATE_CLIENT_<CLIENT_ID>_SECRET` for every
account and client of the manifest. A missing variable is a one-line configuration error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from providers.credentials import Credentials, ServiceClient, SigningKey, UserAccount
from providers.errors import ConfigError
from providers.platform import Platform, of_folder
from stubs import demo


def _ordered(platform: Platform, users: list[UserAccount]) -> tuple[UserAccount, ...]:
    """The manifest's primary account first: it is the one the suites act as by default."""
    return tuple(sorted(users, key=lambda u: u.name != platform.primary))


def embedded_credentials(platform: Platform) -> Credentials:
    """The embedded stubs' seeded accounts: the manifest's accounts by the username consumers use for them
    (`example`), with the stubs' own passwords and client secrets."""
    secrets = demo.secrets()
    users = [
        UserAccount(a.name, a.example, secrets[a.example], a.roles, a.tenant)
        for a in platform.accounts
        if a.example and a.example in secrets
    ]
    clients = tuple(
        ServiceClient(c.client_id, secrets[c.client_id], dict(c.grants))
        for c in platform.clients
        if c.client_id in secrets
    )
    return Credentials(issuer=platform.issuer, users=_ordered(platform, users), clients=clients)


def demo_credentials(root: str | None = None) -> Credentials:
    """The embedded stubs' credentials for the contracts folder at `root` (default: the configured one)."""
    return embedded_credentials(of_folder(root))


def env_credentials(
    platform: Platform,
    users: Mapping[str, Mapping[str, Any]],
    clients: Mapping[str, Mapping[str, Any]],
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Accounts and clients whose secrets come from environment variables.

    `users`: name → {username_env, password_env, roles?, tenant?} (roles and tenant default to the
    manifest's account of that name); `clients`: client_id → {secret_env, grants?}.
    """
    env = os.environ if environ is None else environ

    def read(var: object, what: str) -> str:
        if not isinstance(var, str) or not var:
            raise ConfigError(f"{what}: name the environment variable that holds it")
        value = env.get(var)
        if not value:
            raise ConfigError(f"{what}: environment variable {var} is not set")
        return value

    accounts = []
    for name, spec in users.items():
        known = platform.account(name)
        roles = spec.get("roles")
        accounts.append(
            UserAccount(
                name,
                read(spec.get("username_env"), f"user {name!r} username"),
                read(spec.get("password_env"), f"user {name!r} password"),
                tuple(str(r) for r in roles) if roles is not None else (known.roles if known else ()),
                str(
                    spec.get("tenant") if spec.get("tenant") is not None else (known.tenant if known else "")
                ),
            )
        )
    service_clients = []
    for client_id, spec in clients.items():
        known_client = next((c for c in platform.clients if c.client_id == client_id), None)
        grants = spec.get("grants")
        service_clients.append(
            ServiceClient(
                client_id,
                read(spec.get("secret_env"), f"client {client_id!r} secret"),
                {str(aud): tuple(str(s) for s in scopes) for aud, scopes in dict(grants).items()}
                if grants is not None
                else dict(known_client.grants if known_client else {}),
            )
        )
    return Credentials(
        issuer=platform.issuer, users=_ordered(platform, accounts), clients=tuple(service_clients)
    )


def env_var(*parts: str) -> str:
    """CONTRACTGATE_… variable name for an account or client ("ops-admin" → OPS_ADMIN)."""
    return "_".join(
        ["CONTRACTGATE", *(p.upper().replace("-", "_").replace(".", "_").replace(":", "_") for p in parts)]
    )


def default_env_credentials(platform: Platform, environ: Mapping[str, str] | None = None) -> Credentials:
    """The manifest's accounts and clients, secrets from `CONTRACTGATE_*` variables.

    Accounts and clients whose variables are unset are left out (suites then skip what needs them,
    naming the variables); none at all is an error.
    """
    env = os.environ if environ is None else environ
    users = {
        account.name: {
            "username_env": env_var(account.name, "username"),
            "password_env": env_var(account.name, "password"),
        }
        for account in platform.accounts
        if env.get(env_var(account.name, "username")) and env.get(env_var(account.name, "password"))
    }
    clients = {
        client.client_id: {"secret_env": env_var("client", client.client_id, "secret")}
        for client in platform.clients
        if env.get(env_var("client", client.client_id, "secret"))
    }
    if not users and not clients:
        wanted = [f"{env_var(a.name, 'username')}/{env_var(a.name, 'password')}" for a in platform.accounts]
        wanted += [env_var("client", c.client_id, "secret") for c in platform.clients]
        hint = ", ".join(wanted) if wanted else "accounts in the configuration's [targets.NAME.users]"
        raise ConfigError(f"no credentials for a live target: set {hint}, or pass --demo-credentials")
    return env_credentials(platform, users, clients, environ=env)


def signing_key(
    env_name: str | None,
    kid: str | None = None,
    algorithm: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SigningKey | None:
    """The issuer's signing key from the environment variable the configuration names (None: none named).

    Without a configured target, `CONTRACTGATE_SIGNING_KEY` (and `_ID`, `_ALGORITHM`) when set.
    """
    env = os.environ if environ is None else environ
    if env_name is None:
        if not env.get(env_var("signing", "key")):
            return None
        env_name = env_var("signing", "key")
        kid = kid or env.get(env_var("signing", "key", "id")) or None
        algorithm = algorithm or env.get(env_var("signing", "key", "algorithm")) or None
    material = env.get(env_name)
    if not material:
        raise ConfigError(f"signing_key_env: environment variable {env_name} is not set")
    key = SigningKey(material.replace("\\n", "\n"), algorithm, kid)
    key.key()  # an unreadable PEM is the configuration's problem, said before anything runs
    return key
