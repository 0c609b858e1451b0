"""Helpers of the backend stub's tests: a served platform, genuine tokens, and a contract-checking client.

`Backend.request` checks every answer against the operation of `backend-v1.yaml`/`backend-v2.yaml`
it belongs to (declared status, media type, body schema, required headers), so each test also
checks conformance of everything it saw, not only the fields it asserts on. Tokens come from the
backend's own provider states, which get them from the auth stub's token endpoint: the same path a
pact verification takes.

The WebSocket service is replaced by an empty app: the backend only names its URL in `stream_url`,
and these tests must not depend on another stub's state of progress.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.applications import Starlette

from contracts import SpecFile, spec_by_name
from stubs.platform import Platform, PlatformOptions
from stubs.provider_states import PROVIDER_STATES_PATH
from stubs.settings import AuthSettings, WebSocketSettings

ALICE = "alice@example.com"
ADMIN = "admin@example.com"
BOB = "bob@example.com"
V1_SPEC = spec_by_name("backend-v1")
V2_SPEC = spec_by_name("backend-v2")


def no_websocket(settings: WebSocketSettings) -> Starlette:
    return Starlette()


class Contract:
    """Checks HTTP answers against one OpenAPI document."""

    def __init__(self, spec: SpecFile) -> None:
        self.spec = spec
        self._uri = f"urn:contractgate:test:{spec.name}"
        self._registry: Registry = Registry().with_resource(
            self._uri, Resource.from_contents(spec.document, default_specification=DRAFT202012)
        )
        self._paths = [
            (re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template) + "$"), template)
            for template in spec.document["paths"]
        ]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self._registry.resolver(self._uri).lookup(node["$ref"]).contents
        return node

    def _absolute(self, schema: Any) -> Any:
        """The schema with its document-relative `$ref`s made absolute, so the registry resolves them."""
        if isinstance(schema, dict):
            return {
                k: (f"{self._uri}{v}" if k == "$ref" and v.startswith("#") else self._absolute(v))
                for k, v in schema.items()
            }
        if isinstance(schema, list):
            return [self._absolute(v) for v in schema]
        return schema

    def _valid(self, schema: dict[str, Any], value: Any) -> list[str]:
        validator = jsonschema.Draft202012Validator(
            self._absolute(schema),
            registry=self._registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        for pattern, template in self._paths:
            if pattern.match(path):
                return self.spec.document["paths"][template].get(method.lower())
        return None

    def check(self, response: httpx.Response) -> None:
        request = response.request
        operation = self.operation(request.method, request.url.path)
        assert operation is not None, f"{self.spec.name} declares no {request.method} {request.url.path}"
        label = f"{request.method} {request.url.path} → {response.status_code}"
        declared = operation["responses"].get(str(response.status_code))
        assert declared is not None, f"{label}: status not declared; body {response.text[:300]}"
        declared = self._resolve(declared)
        for name, header in declared.get("headers", {}).items():
            header = self._resolve(header)
            value = response.headers.get(name)
            if header.get("required"):
                assert value is not None, f"{label}: required header {name} missing"
            if value is not None:
                errors = self._valid(header["schema"], value)
                assert not errors, f"{label}: header {name}={value!r}: {errors}"
        content = declared.get("content", {})
        if not content:
            assert not response.content, f"{label}: declares no body, got {response.text[:200]}"
            return
        media_type = response.headers.get("content-type", "").split(";")[0]
        assert media_type in content, f"{label}: media type {media_type!r} not in {list(content)}"
        errors = self._valid(content[media_type]["schema"], response.json())
        assert not errors, f"{label}: body breaks its schema: {errors}\n{response.text[:500]}"


CONTRACTS = {"v1": Contract(V1_SPEC), "v2": Contract(V2_SPEC)}


def contract_for(path: str) -> Contract:
    return CONTRACTS["v1"] if path.startswith("/v1/") else CONTRACTS["v2"]


class Backend:
    """HTTP clients for one served platform's backend and auth service, with token helpers."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.http = httpx.Client(base_url=platform.backend_url, trust_env=False, timeout=10)
        self.auth = httpx.Client(base_url=platform.auth_url, trust_env=False, timeout=10)

    @property
    def app(self) -> Starlette:
        app: Starlette = self.platform.backend_app  # type: ignore[assignment]
        return app

    def close(self) -> None:
        self.http.close()
        self.auth.close()

    def state(self, name: str, /, **params: Any) -> dict[str, Any]:
        response = self.http.post(
            PROVIDER_STATES_PATH, json={"state": name, "params": params, "action": "setup"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def token(self, user: str = ALICE, audience: str = "backend") -> str:
        return str(self.state("a user is logged in", user=user, audience=audience)["access_token"])

    def service_token(self, client_id: str = "agent-worker", **params: Any) -> str:
        return str(self.state("a service token", client_id=client_id, **params)["access_token"])

    def request(
        self, method: str, path: str, token: str | None = None, *, conform: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """One call to the backend; unless `conform=False`, its answer must match the contract."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(method, path, headers=headers, **kwargs)
        if conform:
            contract_for(path).check(response)
        return response

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, token, **kwargs)

    def delete(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, token, **kwargs)

    def new_thread(self, token: str, name: str = "a thread") -> str:
        response = self.post("/v2/threads", token, json={"name": name})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@contextmanager
def served(
    *, auth: AuthSettings | None = None, peer: dict[str, Any] | None = None, **backend: Any
) -> Iterator[Backend]:
    """A platform on loopback ports (backend overrides as keyword arguments), stopped on exit."""
    options = PlatformOptions(
        auth=auth or AuthSettings(), backend=backend, peer=peer or {}, websocket_factory=no_websocket
    )
    with Platform(options) as platform:
        client = Backend(platform)
        try:
            yield client
        finally:
            client.close()
