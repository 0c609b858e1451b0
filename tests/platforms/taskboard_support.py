"""Helpers of taskboard's tests: its accounts, signing in over real HTTP, tokens minted by hand (as an
attacker or a broken issuer would), and the AsyncAPI document's validators for WebSocket frames."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import jwt
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.platforms.taskboard import DEMO_ACCOUNTS, Account, Settings

HERE = Path(__file__).parent / "taskboard"
ADA, BRIAN, ROOT = DEMO_ACCOUNTS
ASYNCAPI: dict[str, Any] = yaml.safe_load((HERE / "asyncapi.yaml").read_text(encoding="utf-8"))
_URI = "urn:taskboard:asyncapi"
_REGISTRY: Registry = Registry().with_resource(_URI, Resource.from_contents(ASYNCAPI, default_specification=DRAFT7))


def settings(*faults: str, **changes: Any) -> Settings:
    return Settings(DEMO_ACCOUNTS, faults=frozenset(faults), **changes)


def client(url: str, token: str | None = None) -> httpx.Client:
    """An HTTP client of `url`, sending `token` as a bearer token if given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Plain HTTP on loopback: no TLS, so no CA bundle to load (it costs 0.25 s per client).
    return httpx.Client(base_url=url, headers=headers, timeout=10, verify=False)


def login(url: str, account: Account) -> str:
    with client(url) as http:
        response = http.post("/api/session", data={"email": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def mint(config: Settings, user_id: int, *, key: str | None = None, **claims: Any) -> str:
    """A token for `user_id` with this deployment's claims, then `claims` applied (None removes one)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": config.issuer,
        "aud": config.audience,
        "sub": str(user_id),
        "iat": now,
        "exp": now + 300,
    }
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or config.secret, algorithm="HS256")


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://", 1) + "/ws/events"


def frame_validator(name: str) -> jsonschema.protocols.Validator:
    """The payload schema of the AsyncAPI document's message `name`."""
    return jsonschema.Draft7Validator({"$ref": f"{_URI}#/components/schemas/{name}"}, registry=_REGISTRY)
