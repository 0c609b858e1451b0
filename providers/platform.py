"""The platform a contracts folder describes, beyond its specs: the manifest `platform.yaml`, typed.

The specs say which operations exist and what they accept; they do not say how a client obtains a
genuine token, which claims carry roles, tenant and scopes, which accounts the suites need and what
each may do, which provider states exist and how they are reached, or which path parameter names a
resource that a state creates. The manifest says that, so that nothing in `providers/` or
`contractgate/` knows any platform. Every key is optional; what a folder leaves out is derived from
its specs where a standard says how (an OAuth2 `tokenUrl` means RFC 6749's token endpoint), and
otherwise the checks that need it are skipped with a reason naming the key that would let them run.

    contractgate: 1
    documents:                     # which service and major version each spec describes (contracts/)
      openapi/billing.yaml: {service: billing, version: v2}
    tokens:
      issuer: identity             # the service that issues tokens
      algorithms: [RS256]
      jwks: /.well-known/jwks.json
      login:    {path: /token, encoding: form, fields: {grant_type: password, username: "{username}",
                 password: "{password}", audience: "{audience}"}, token: /access_token,
                 refresh_token: /refresh_token}
      client:   {path: /token, fields: {grant_type: client_credentials, client_id: "{client_id}",
                 client_secret: "{client_secret}", audience: "{audience}", scope: "{scopes}"}}
      refresh:  {path: /token, fields: {grant_type: refresh_token, refresh_token: "{refresh_token}"}}
      revocation:    {path: /revoke, fields: {token: "{token}"}}
      introspection: {path: /introspect, fields: {token: "{token}"}, active: /active}
      claims: {roles: groups, tenant: org, scopes: scope}
    accounts:                      # the accounts the suites act as (credentials come from configuration)
      user:  {roles: [member], tenant: t1, example: someone@example.com}
    clients:
      worker: {grants: {billing: ["invoices:read"]}}
    primary: user                  # whose tokens and resources the suites use first
    isolation: user                # another account must not see `primary`'s resources: user | tenant | none
    hook: {path: /_contractgate/provider-states, account_param: user}
    resources:                     # path parameter → the provider state creating one, and its value
      invoice_id: {state: an invoice exists, value: invoice_id}
    key_holder: {signed: a signed token, token: access_token}   # a hook's state signing chosen claims

A field template is a string with `{placeholders}`; a field whose placeholder has no value (no
audience asked for) is left out of the request. Tokens and values are read from answers by JSON Pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from contracts import ContractFileError, SpecFile, manifest, openapi_specs
from providers.errors import ContractError

#: contractgate's own provider-state protocol (the Pact state-change convention), not any platform's.
DEFAULT_HOOK_PATH = "/_contractgate/provider-states"
ISOLATIONS = ("user", "tenant", "none")


def pointer(document: Any, path: str) -> Any:
    """The value at a JSON Pointer (RFC 6901) in `document`, or None."""
    node = document
    for part in path.split("/")[1:] if path else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@dataclass(frozen=True)
class Exchange:
    """One kind of request to the issuer: where, how encoded, which fields, where the answer's values are."""

    path: str
    encoding: str = "form"
    fields: Mapping[str, str] = field(default_factory=dict)
    token: str = "/access_token"
    refresh_token: str | None = None

    def payload(self, values: Mapping[str, str | None]) -> dict[str, str]:
        """The fields, templates filled; a field whose placeholder has no value is left out."""
        body = {}
        for name, template in self.fields.items():
            wanted = [f for _, f, _, _ in Formatter().parse(template) if f]
            if all(values.get(f) for f in wanted):
                body[name] = template.format_map({f: values[f] for f in wanted})
        return body

    def takes(self, placeholder: str) -> bool:
        return any(f == placeholder for t in self.fields.values() for _, f, _, _ in Formatter().parse(t))

    def request(self, values: Mapping[str, str | None]) -> dict[str, Any]:
        """Keyword arguments for an HTTP client: `data=` (form) or `json=`."""
        payload = self.payload(values)
        return {"json": payload} if self.encoding == "json" else {"data": payload}


@dataclass(frozen=True)
class Claims:
    """The claim names the platform's tokens use for what the suites reason about."""

    roles: str | None = None
    tenant: str | None = None
    #: RFC 8693 §4.2 names `scope` (space-separated); a platform may use another name.
    scopes: str | None = "scope"
    subject: str = "sub"

    def tamperable(self) -> tuple[str, ...]:
        """Claims whose change would widen a token's rights: tampering with them must be refused."""
        return tuple(c for c in (self.subject, self.roles, self.tenant, self.scopes) if c)


@dataclass(frozen=True)
class Issuer:
    """The service that issues tokens and how each kind of token is obtained from it."""

    service: str
    login: Exchange | None = None
    client: Exchange | None = None
    refresh: Exchange | None = None
    revocation: Exchange | None = None
    introspection: Exchange | None = None
    #: Where the introspection answer says whether the token is active (RFC 7662 §2.2: `active`).
    active: str = "/active"
    jwks: str | None = None
    algorithms: tuple[str, ...] = ()
    claims: Claims = field(default_factory=Claims)


@dataclass(frozen=True)
class AccountSpec:
    name: str
    roles: tuple[str, ...] = ()
    tenant: str = ""
    #: The username consumers use for this account in their pacts (provider-state params).
    example: str | None = None


@dataclass(frozen=True)
class ClientSpec:
    client_id: str
    #: audience → scopes the client may ask for.
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    """A path parameter that names a resource, and the provider state that creates one."""

    param: str
    state: str
    #: The key of the state's answer that holds the resource's identifier.
    value: str


@dataclass(frozen=True)
class Hook:
    """The provider-state hook of a target that has one (the stubs, a test environment)."""

    path: str = DEFAULT_HOOK_PATH
    #: The state parameter that names the acting account (by username).
    account_param: str = "user"


@dataclass(frozen=True)
class KeyHolder:
    """Provider states of the hook that sign tokens with chosen claims (only the issuer can)."""

    signed: str | None = None
    #: The key of its answer holding the token.
    token: str = "access_token"


@dataclass(frozen=True)
class Platform:
    #: The manifest file (None: derived from the specs alone).
    source: Path | None = None
    issuer: Issuer | None = None
    accounts: tuple[AccountSpec, ...] = ()
    clients: tuple[ClientSpec, ...] = ()
    primary: str | None = None
    isolation: str = "user"
    hook: Hook = field(default_factory=Hook)
    resources: Mapping[str, Resource] = field(default_factory=dict)
    key_holder: KeyHolder = field(default_factory=KeyHolder)
    #: Provider states reached through the public API (`providers.states`), by name, as written.
    states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: The whole manifest as written, for the sections a suite reads itself (`browser`, `readiness`).
    raw: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        """A top-level section of the manifest (empty when absent); its suite types and checks it."""
        value = self.raw.get(name) or {}
        if not isinstance(value, Mapping):
            raise ContractError(f"{self.where}: {name} must be a mapping")
        return value

    @property
    def where(self) -> str:
        return str(self.source) if self.source else "the contracts' platform.yaml"

    def account(self, name: str) -> AccountSpec | None:
        return next((a for a in self.accounts if a.name == name), None)

    def account_by_example(self, username: str) -> AccountSpec | None:
        """The account consumers call `username` in their pacts."""
        return next((a for a in self.accounts if a.example == username), None)

    def sees(self, owner: str, owner_tenant: str, other: str, other_tenant: str) -> bool:
        """Whether the account `other` may see the account `owner`'s resources (`isolation`)."""
        if other == owner or self.isolation == "none":
            return True
        if self.isolation == "tenant":
            return bool(owner_tenant) and owner_tenant == other_tenant
        return False


# ---- reading the manifest -----------------------------------------------------------------------


class _Node:
    """Typed access to one mapping of the manifest, with errors naming the file and the key path."""

    def __init__(self, data: Any, where: str, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ContractError(f"{where}: {path or 'the manifest'} must be a mapping")
        self.data = data
        self.where = where
        self.path = path

    def fail(self, key: str, message: str) -> ContractError:
        return ContractError(f"{self.where}: {self.path + '.' if self.path else ''}{key}: {message}")

    def only(self, *allowed: str) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(str(key), f"unknown key (known: {', '.join(allowed)})")

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, "must be a string")
        return None if value is None else str(value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(str(v) for v in value)

    def node(self, key: str) -> _Node | None:
        value = self.data.get(key)
        return (
            None
            if value is None
            else _Node(value, self.where, f"{self.path + '.' if self.path else ''}{key}")
        )

    def items(self) -> list[tuple[str, _Node]]:
        return [
            (str(k), _Node(v if v is not None else {}, self.where, f"{self.path}.{k}"))
            for k, v in self.data.items()
        ]


#: Typed access to a section a suite reads itself (`Platform.section`), with the same errors.
ManifestNode = _Node


def _exchange(node: _Node | None) -> Exchange | None:
    if node is None:
        return None
    node.only("path", "encoding", "fields", "token", "refresh_token")
    path = node.text("path")
    if not path or not path.startswith("/"):
        raise node.fail("path", "must be the request path, starting with /")
    encoding = node.text("encoding", "form")
    if encoding not in ("form", "json"):
        raise node.fail("encoding", "must be form or json")
    fields_node = node.node("fields")
    fields = {k: str(v) for k, v in (fields_node.data if fields_node else {}).items()}
    return Exchange(
        path=path,
        encoding=str(encoding),
        fields=fields,
        token=node.text("token", "/access_token") or "/access_token",
        refresh_token=node.text("refresh_token"),
    )


def _issuer(node: _Node) -> Issuer:
    node.only(
        "issuer",
        "login",
        "client",
        "refresh",
        "revocation",
        "introspection",
        "active",
        "jwks",
        "algorithms",
        "claims",
    )
    service = node.text("issuer")
    if not service:
        raise node.fail("issuer", "name the service that issues tokens")
    claims = Claims()
    claims_node = node.node("claims")
    if claims_node is not None:
        claims_node.only("roles", "tenant", "scopes", "subject")
        claims = Claims(
            roles=claims_node.text("roles"),
            tenant=claims_node.text("tenant"),
            scopes=claims_node.text("scopes", "scope"),
            subject=claims_node.text("subject", "sub") or "sub",
        )
    return Issuer(
        service=service,
        login=_exchange(node.node("login")),
        client=_exchange(node.node("client")),
        refresh=_exchange(node.node("refresh")),
        revocation=_exchange(node.node("revocation")),
        introspection=_exchange(node.node("introspection")),
        active=node.text("active", "/active") or "/active",
        jwks=node.text("jwks"),
        algorithms=node.texts("algorithms"),
        claims=claims,
    )


def parse(data: Mapping[str, Any], where: str, source: Path | None = None) -> Platform:
    root = _Node(data, where, "")
    root.only(
        "contractgate",
        "name",
        "documents",
        "tokens",
        "accounts",
        "clients",
        "primary",
        "isolation",
        "hook",
        "resources",
        "key_holder",
        "states",
        "cleanup",
        "browser",
        "readiness",
        "schemes",
        "operations",
        "websocket",
    )
    accounts = []
    for name, node in (root.node("accounts") or _Node({}, where, "accounts")).items():
        node.only("roles", "tenant", "example")
        accounts.append(
            AccountSpec(name, node.texts("roles"), node.text("tenant", "") or "", node.text("example"))
        )
    clients = []
    for client_id, node in (root.node("clients") or _Node({}, where, "clients")).items():
        node.only("grants")
        grants = node.node("grants") or _Node({}, where, f"{node.path}.grants")
        clients.append(ClientSpec(client_id, {aud: grants.texts(aud) for aud in map(str, grants.data)}))
    primary = root.text("primary")
    if primary is not None and not any(a.name == primary for a in accounts):
        raise root.fail(
            "primary", f"names no account of 'accounts' ({', '.join(a.name for a in accounts) or 'none'})"
        )
    isolation = root.text("isolation", "user") or "user"
    if isolation not in ISOLATIONS:
        raise root.fail("isolation", f"must be one of {', '.join(ISOLATIONS)}")
    hook = Hook()
    hook_node = root.node("hook")
    if hook_node is not None:
        hook_node.only("path", "account_param")
        hook = Hook(
            hook_node.text("path", hook.path) or hook.path, hook_node.text("account_param", "user") or "user"
        )
    resources = {}
    for param, node in (root.node("resources") or _Node({}, where, "resources")).items():
        node.only("state", "value")
        state, value = node.text("state"), node.text("value", param)
        if not state:
            raise node.fail("state", "name the provider state that creates the resource")
        resources[param] = Resource(param, state, value or param)
    key_holder = KeyHolder()
    key_node = root.node("key_holder")
    if key_node is not None:
        key_node.only("signed", "token")
        key_holder = KeyHolder(key_node.text("signed"), key_node.text("token", "access_token") or "access_token")
    states_node = root.node("states")
    tokens = root.node("tokens")
    return Platform(
        source=source,
        issuer=_issuer(tokens) if tokens is not None else None,
        accounts=tuple(accounts),
        clients=tuple(clients),
        primary=primary,
        isolation=isolation,
        hook=hook,
        resources=resources,
        key_holder=key_holder,
        states=dict(states_node.data) if states_node else {},
        raw=dict(data),
    )


def derived_issuer(specs: tuple[SpecFile, ...]) -> Issuer | None:
    """The issuer a folder without `tokens` implies: an OAuth2 security scheme's `tokenUrl` is an RFC 6749
    token endpoint (§4.3 password, §4.4 client credentials, §6 refresh), served by the spec declaring it."""
    for spec in specs:
        schemes = (spec.document.get("components") or {}).get("securitySchemes") or {}
        for scheme in schemes.values():
            if not isinstance(scheme, Mapping) or str(scheme.get("type", "")).lower() != "oauth2":
                continue
            flows = scheme.get("flows") or {}
            for flow in ("password", "clientCredentials"):
                url = (flows.get(flow) or {}).get("tokenUrl")
                if not isinstance(url, str) or not url.startswith("/"):
                    continue
                owner = next((s for s in specs if url in (s.document.get("paths") or {})), spec)
                return oauth2_issuer(owner.service, url)
    return None


def oauth2_issuer(service: str, token_path: str) -> Issuer:
    """RFC 6749's token endpoint at `token_path`: form-encoded grants, the token in `access_token`."""
    return Issuer(
        service=service,
        login=Exchange(
            token_path,
            fields={
                "grant_type": "password",
                "username": "{username}",
                "password": "{password}",
                "scope": "{scopes}",
            },
            refresh_token="/refresh_token",
        ),
        client=Exchange(
            token_path,
            fields={
                "grant_type": "client_credentials",
                "client_id": "{client_id}",
                "client_secret": "{client_secret}",
                "scope": "{scopes}",
            },
        ),
        refresh=Exchange(
            token_path,
            fields={"grant_type": "refresh_token", "refresh_token": "{refresh_token}"},
            refresh_token="/refresh_token",
        ),
    )


def load(specs: tuple[SpecFile, ...], root: Path | str | None = None) -> Platform:
    """The platform of a contracts folder: its manifest, or what the specs alone imply."""
    try:
        found = manifest(root)
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    if found is None:
        return Platform(issuer=derived_issuer(specs))
    path, data = found
    platform = parse(data, str(path), path)
    if platform.issuer is None:
        platform = Platform(**{**platform.__dict__, "issuer": derived_issuer(specs)})
    return platform


def of_folder(root: Path | str | None = None) -> Platform:
    """The platform of the contracts folder at `root` (default: the configured one)."""
    try:
        specs = openapi_specs(root)
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    return load(specs, root)
