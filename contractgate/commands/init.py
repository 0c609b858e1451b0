"""`contractgate init`: a contracts folder and a configuration that gate a team's own platform.

From the team's OpenAPI documents (files or URLs, e.g. a framework's `/openapi.json`) and optionally a
WebSocket URL, it writes:

- `CONTRACTS/openapi/<service>.<ext>`: the documents as they are (a framework regenerates them; the
  gate reads what it says, the manifest says the rest);
- `CONTRACTS/asyncapi/<service>.yaml` for `--websocket`: the channel's handshake, to complete;
- `CONTRACTS/platform.yaml`: what `providers.discovery` found — the login, resources and the states
  creating them through the public API — and, at its top, what a person must still decide;
- `contractgate.toml`: a target whose services are where the documents came from, its accounts'
  credentials read from `CONTRACTGATE_*` environment variables.

Nothing is overwritten without `--force`.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from contractgate.commands import Subcommands
from contractgate.credentials import env_var
from contracts import MANIFEST_FILE, ContractFileError, openapi_specs
from providers.discovery import Findings, discover, state_name, states_of
from providers.errors import ConfigError, ContractError

_TIMEOUT = 15.0


@dataclass
class Source:
    """One OpenAPI document: where it came from, its text, parsed, and the service it describes."""

    origin: str
    document: dict[str, Any]
    suffix: str
    service: str
    base_url: str | None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "service"


def _read(origin: str) -> tuple[str, str]:
    if urlsplit(origin).scheme in ("http", "https"):
        try:
            response = httpx.get(origin, timeout=_TIMEOUT, follow_redirects=True, trust_env=False)
        except httpx.HTTPError as exc:
            raise ConfigError(f"{origin}: cannot fetch the document ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise ConfigError(f"{origin}: answered HTTP {response.status_code}")
        return response.text, ".json" if "json" in response.headers.get("content-type", "") else ".yaml"
    path = Path(origin)
    try:
        return path.read_text(encoding="utf-8"), (".json" if path.suffix == ".json" else ".yaml")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{origin}: cannot read ({exc})") from None


def _source(origin: str, service: str | None) -> Source:
    text, suffix = _read(origin)
    try:
        document = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ContractError(f"{origin}: not a JSON or YAML document ({str(exc).splitlines()[0]})") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3"):
        raise ContractError(f"{origin}: not an OpenAPI 3 document (no 'openapi: 3.x')")
    info = document.get("info") or {}
    base = None
    servers = [s.get("url") for s in document.get("servers") or [] if isinstance(s, dict)]
    absolute = next(
        (u for u in servers if isinstance(u, str) and urlsplit(u).scheme in ("http", "https")), None
    )
    if absolute:
        base = absolute.rstrip("/")
    elif urlsplit(origin).scheme in ("http", "https"):
        parts = urlsplit(origin)
        relative = next((u for u in servers if isinstance(u, str) and u.startswith("/")), "")
        base = f"{parts.scheme}://{parts.netloc}{relative.rstrip('/')}"
    name = service or info.get("x-service") or _slug(str(info.get("title") or Path(origin).stem))
    return Source(origin, document, suffix, str(name), base)


def _decisions(findings: Findings, sources: list[Source], websocket: str | None) -> list[str]:
    decide = []
    if findings.login is None:
        decide.append(
            "no login was found: describe how a user obtains a token in tokens.login (path, encoding, "
            "fields, token pointer)"
        )
    else:
        decide.append(
            f"tokens.login was taken from {findings.login.source}: check its fields and token pointer"
        )
    decide.append(
        "accounts: the accounts the gate acts as (their roles and tenant); set each one's "
        "CONTRACTGATE_<ACCOUNT>_USERNAME / _PASSWORD in the environment"
    )
    decide.append("tokens.claims: the claim names your tokens carry roles, tenant and scopes in")
    decide.append("schemes.<scheme>.audiences: the aud your tokens carry for each service, if any")
    if findings.forbidding:
        decide.append(
            "operations: who may call the operations that declare 403 but name no role: "
            + ", ".join(findings.forbidding)
        )
    if findings.uncreated:
        decide.append(
            "resources: no operation creates "
            + ", ".join(f"{p} ({why})" for p, why in findings.uncreated.items())
            + "; declare a state creating one, or run with a provider-state hook"
        )
    decide.append(
        "allow_writes (contractgate.toml): the writes a staging sandbox allows (the states' requests)"
    )
    decide.append(
        "signing_key_env (contractgate.toml): the issuer's signing key, for validly signed forged tokens"
    )
    if websocket:
        decide.append(
            "websocket: how the channel takes its token (handshake: auth header/subprotocol/query, "
            "refused-status) and its message roles, unless the AsyncAPI document has the x- blocks"
        )
    if any(s.base_url is None for s in sources):
        decide.append("targets.*.services: the base URL of every service (some documents did not say)")
    return decide


def _manifest(findings: Findings, sources: list[Source], files: dict[str, Source]) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "contractgate": 1,
        "documents": {name: {"service": s.service} for name, s in files.items()},
    }
    tokens: dict[str, Any] = {}
    if findings.login is not None:
        login = findings.login
        tokens["issuer"] = login.service
        tokens["login"] = {
            "path": login.path,
            "encoding": login.encoding,
            "fields": dict(login.fields),
            "token": login.token,
        }
        if login.refresh_token:
            tokens["login"]["refresh_token"] = login.refresh_token
        if findings.client_path:
            tokens["client"] = {
                "path": findings.client_path,
                "fields": {
                    "grant_type": "client_credentials",
                    "client_id": "{client_id}",
                    "client_secret": "{client_secret}",
                    "scope": "{scopes}",
                },
            }
        if findings.revocation:
            tokens["revocation"] = {
                "path": findings.revocation[0],
                "fields": {findings.revocation[1]: "{token}"},
            }
        if findings.introspection:
            path, name = findings.introspection
            tokens["introspection"] = {"path": path, "fields": {name: "{token}"}}
        if findings.jwks:
            tokens["jwks"] = findings.jwks
        tokens["claims"] = {"scopes": "scope"}
        manifest["tokens"] = tokens
    manifest["schemes"] = {name: {"kind": kind} for name, kind in sorted(findings.schemes.items())}
    accounts: dict[str, Any] = {"user": {"roles": []}, "other-user": {"roles": []}}
    for role in findings.roles:
        accounts[_slug(role)] = {"roles": [role]}
    manifest["accounts"] = accounts
    manifest["primary"] = "user"
    manifest["isolation"] = "user"
    if findings.created:
        manifest["resources"] = {
            param: {"state": state_name(param), "value": param} for param in findings.created
        }
        manifest["states"] = states_of(findings)
    return manifest


def _config(sources: list[Source], manifest: dict[str, Any], contracts: str, target: str) -> str:
    services: dict[str, str] = {}
    for source in sources:
        services.setdefault(source.service, source.base_url or "https://TODO.example")
    lines = [
        "# Written by `contractgate init`: the gate of this platform. Decisions to make are listed at the top",
        f"# of {contracts}/{MANIFEST_FILE}.",
        f'contracts = "{contracts}"',
        "",
        f"[targets.{target}]",
        "services = { " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in services.items()) + " }",
        "# allow_writes = []            # the writes a staging sandbox allows, e.g. the states' requests:",
    ]
    writes = sorted(
        {
            s["request"]
            for state in manifest.get("states", {}).values()
            for s in [*state["steps"], *state.get("undo", [])]
        }
    )
    for write in writes:
        lines.append(f"#   {json.dumps(write)},")
    lines.append(
        '# signing_key_env = "STAGING_SIGNING_KEY"   # the issuer\'s key: validly signed forged tokens'
    )
    for account in manifest.get("accounts", {}):
        lines += [
            "",
            f"[targets.{target}.users.{account}]",
            f'username_env = "{env_var(account, "username")}"',
            f'password_env = "{env_var(account, "password")}"',
        ]
    return "\n".join(lines) + "\n"


def _asyncapi(url: str, service: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"{service} WebSocket", "version": "1.0.0", "x-service": service},
        "channels": {
            "events": {
                "address": parts.path or "/",
                "x-handshake": {
                    "auth": ["header"],
                    "header": "Authorization",
                    "scheme": "Bearer",
                    "token-kind": "user",
                    "refused-status": 403,
                },
                "x-sequence": {"field": "seq"},
                "messages": {},
            }
        },
        "operations": {},
    }


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    config_path = Path(args.config)
    manifest_path = out / MANIFEST_FILE
    for path in (manifest_path, config_path):
        if path.exists() and not args.force:
            raise ConfigError(f"{path} exists: pass --force to overwrite it")
    if args.service and len(args.spec) > 1:
        raise ConfigError("--service names the service of a single document")
    sources = [_source(origin, args.service) for origin in args.spec]
    (out / "openapi").mkdir(parents=True, exist_ok=True)
    files: dict[str, Source] = {}
    for source in sources:
        name = f"openapi/{source.service}{source.suffix}"
        if name in files:
            name = f"openapi/{source.service}-{len(files)}{source.suffix}"
        files[name] = source
        text = (
            json.dumps(source.document, indent=2)
            if source.suffix == ".json"
            else yaml.safe_dump(source.document, sort_keys=False)
        )
        (out / name).write_text(text, encoding="utf-8")
    manifest_path.write_text(
        yaml.safe_dump(
            {"contractgate": 1, "documents": {n: {"service": s.service} for n, s in files.items()}}
        ),
        encoding="utf-8",
    )
    try:
        specs = openapi_specs(out)
    except ContractFileError as exc:
        raise ContractError(str(exc)) from None
    findings = discover(specs)
    manifest = _manifest(findings, sources, files)
    if args.asyncapi or args.websocket:
        (out / "asyncapi").mkdir(exist_ok=True)
        service = args.websocket_service or sources[0].service
        if args.asyncapi:
            text, suffix = _read(args.asyncapi)
            (out / "asyncapi" / f"{service}{suffix}").write_text(text, encoding="utf-8")
            manifest["documents"][f"asyncapi/{service}{suffix}"] = {"service": service}
        else:
            text = yaml.safe_dump(_asyncapi(args.websocket, service), sort_keys=False)
            (out / "asyncapi" / f"{service}.yaml").write_text(text, encoding="utf-8")
    decisions = _decisions(findings, sources, args.websocket or args.asyncapi)
    header = ["# contractgate platform manifest, written by `contractgate init` from:"]
    header += [f"#   {s.origin}" for s in sources]
    header += ["#", "# DECIDE — what the documents cannot say, for a person to settle:"]
    header += [f"#  - {d}" for d in decisions]
    manifest_path.write_text(
        "\n".join(header) + "\n" + yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8"
    )
    relative = out.resolve()
    try:
        relative = out.resolve().relative_to(config_path.resolve().parent)
    except ValueError:
        pass
    config_path.write_text(_config(sources, manifest, relative.as_posix(), args.target), encoding="utf-8")
    print(f"wrote {manifest_path}, {config_path} and {len(files)} document(s) under {out / 'openapi'}")
    print(
        f"found: login {'at ' + findings.login.path if findings.login else 'NONE'}, "
        f"{len(findings.created)} resource(s) with a creating operation, {len(findings.forbidding)} "
        "operation(s) whose roles to decide"
    )
    print("decide (also at the top of the manifest):")
    for decision in decisions:
        print(f"  - {decision}")
    return 0


def register(commands: Subcommands) -> None:
    parser = commands.add_parser(
        "init", help="write a contracts folder and configuration for your own platform"
    )
    parser.add_argument("spec", nargs="+", metavar="OPENAPI", help="OpenAPI document(s): files or URLs")
    parser.add_argument("--websocket", metavar="URL", help="the platform's WebSocket URL (ws:// or wss://)")
    parser.add_argument("--asyncapi", metavar="FILE|URL", help="the platform's own AsyncAPI document of it")
    parser.add_argument(
        "--websocket-service", metavar="NAME", help="the service serving it (default: the first)"
    )
    parser.add_argument("--service", metavar="NAME", help="the service a single document describes")
    parser.add_argument(
        "--out", default="contracts", metavar="DIR", help="the contracts folder (default: contracts)"
    )
    parser.add_argument(
        "--config", default="contractgate.toml", metavar="PATH", help="(default: contractgate.toml)"
    )
    parser.add_argument(
        "--target", default="staging", metavar="NAME", help="the target's name (default: staging)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing manifest and configuration"
    )
    parser.set_defaults(run=run)
