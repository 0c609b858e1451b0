"""Routes bound to the operations of an OpenAPI document, with requests validated against it.

A real service validates its input against its published schema; the stubs do the same, straight from
`contracts/openapi/`, so that "strict request validation" means exactly what the contract says:
415 for a media type the operation does not take, 400 for a body that does not parse, 422 (with the
failing locations) for data the schemas reject and for query parameters the operation does not declare,
404 for a path parameter that cannot name anything.
Authentication runs before validation, so an anonymous caller learns nothing about the schemas.
Each stub registers one handler per operation; `unimplemented()` lists what the document declares
and the stub lacks, and the stubs' tests keep it empty.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import SpecFile
from stubs.problems import Problem
from stubs.schemas import compiled_validator
from stubs.tokens import Principal

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_CONTRACT_URI = "urn:contractgate:contract"

Authorize = Callable[[Request], Principal]


@dataclass
class Call:
    """A request that passed authentication and validation, with its typed inputs."""

    request: Request
    principal: Principal | None
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: Any = None


Handler = Callable[[Call], Awaitable[Response]]


def _pointer(*parts: str) -> str:
    """A JSON pointer ("/paths/~1v2~1threads/get") to the given segments."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _coerce(raw: str | list[str], schema: dict[str, Any]) -> Any:
    """Turn a query/path/header string into the type its schema asks for; leave it if it will not go."""
    types = schema.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if "array" in kinds:
        values = raw if isinstance(raw, list) else [raw]
        items = schema.get("items", {})
        return [_coerce(v, items) for v in values]
    value = raw[-1] if isinstance(raw, list) else raw
    if "integer" in kinds:
        try:
            return int(value)
        except ValueError:
            return value
    if "number" in kinds:
        try:
            number = float(value)
        except ValueError:
            return value
        return number if number == number and abs(number) != float("inf") else value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    if "null" in kinds and value == "":
        return None
    return value


class _Operation:
    def __init__(self, spec: SpecFile, method: str, path: str, registry: Registry) -> None:
        document = spec.document
        path_item = document["paths"][path]
        self.operation: dict[str, Any] = path_item[method]
        self.label = f"{method.upper()} {path}"
        self._registry = registry
        self._base = _pointer("paths", path, method)
        params: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for source, pointer_base in ((path_item, _pointer("paths", path)), (self.operation, self._base)):
            for index, param in enumerate(source.get("parameters", [])):
                pointer = f"{pointer_base}/parameters/{index}"
                if "$ref" in param:
                    pointer = param["$ref"].lstrip("#")
                    param = self._resolve(param["$ref"])
                params[(param["in"], param["name"])] = (param, pointer)
        self.parameters = params
        self.query_names = frozenset(name for (location, name) in params if location == "query")
        body = self.operation.get("requestBody")
        self.body_pointer = f"{self._base}/requestBody"
        if body is not None and "$ref" in body:
            self.body_pointer = body["$ref"].lstrip("#")
            body = self._resolve(body["$ref"])
        self.body: dict[str, Any] | None = body
        self._validators: dict[str, jsonschema.protocols.Validator] = {}

    def _resolve(self, ref: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self._registry.resolver(_CONTRACT_URI).lookup(ref).contents
        return resolved

    def validator(self, pointer: str) -> jsonschema.protocols.Validator:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = compiled_validator(
                jsonschema.Draft202012Validator, self._registry, _CONTRACT_URI, pointer
            )
            self._validators[pointer] = validator
        return validator


def _errors(validator: jsonschema.protocols.Validator, value: Any, location: str) -> list[dict[str, str]]:
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path)
        found.append({"location": location + (f"/{where}" if where else ""), "message": error.message[:200]})
    return found


class SpecRouter:
    """Collects a stub's handlers, one per operation of one OpenAPI document."""

    def __init__(self, spec: SpecFile) -> None:
        self.spec = spec
        self._registry: Registry = Registry().with_resource(
            _CONTRACT_URI, Resource.from_contents(spec.document, default_specification=DRAFT202012)
        )
        self._handlers: dict[str, dict[str, tuple[_Operation, Handler, Authorize | None]]] = {}

    def operation(
        self, method: str, path: str, *, auth: Authorize | None = None
    ) -> Callable[[Handler], Handler]:
        method = method.lower()
        if path not in self.spec.document.get("paths", {}) or method not in self.spec.document["paths"][path]:
            raise KeyError(f"{self.spec.name} declares no operation {method.upper()} {path}")
        op = _Operation(self.spec, method, path, self._registry)

        def register(handler: Handler) -> Handler:
            self._handlers.setdefault(path, {})[method.upper()] = (op, handler, auth)
            return handler

        return register

    def declared(self) -> set[str]:
        return {
            f"{method.upper()} {path}"
            for path, item in self.spec.document.get("paths", {}).items()
            for method in item
            if method in _METHODS
        }

    def implemented(self) -> set[str]:
        return {f"{m} {p}" for p, handlers in self._handlers.items() for m in handlers}

    def unimplemented(self) -> set[str]:
        return self.declared() - self.implemented()

    def routes(self, *, without: Iterable[str] = ()) -> list[Route]:
        """Starlette routes; `without` drops operations ("GET /v1/threads"), for deliberately broken stubs."""
        skip = set(without)
        routes = []
        for path, handlers in self._handlers.items():
            kept = {m: h for m, h in handlers.items() if f"{m} {path}" not in skip}
            if kept:
                routes.append(Route(path, endpoint=_dispatcher(kept), methods=list(kept)))
        return routes


def _dispatcher(handlers: dict[str, tuple[_Operation, Handler, Authorize | None]]) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        op, handler, auth = handlers[request.method if request.method in handlers else "GET"]
        principal = auth(request) if auth is not None else None
        call = Call(request=request, principal=principal)
        await _validate(op, call)
        return await handler(call)

    return endpoint


async def _validate(op: _Operation, call: Call) -> None:
    request = call.request
    problems: list[dict[str, str]] = []
    query = _query_multi(request)
    declared = op.query_names
    problems.extend(
        {"location": f"query/{name}", "message": "not a parameter of this operation"}
        for name in query
        if name not in declared
    )
    for (location, name), (param, pointer) in op.parameters.items():
        schema = param.get("schema", {})
        validator = op.validator(f"{pointer}/schema")
        if location == "path":
            value = _coerce(request.path_params.get(name, ""), schema)
            if not validator.is_valid(value):
                raise Problem(404, f"no resource at {request.url.path}")
            call.path[name] = value
            continue
        raw: str | list[str] | None
        if location == "query":
            raw = query.get(name)
        elif location == "header":
            raw = request.headers.get(name)
        else:
            raw = request.cookies.get(name)
        if raw is None:
            if param.get("required"):
                problems.append({"location": f"{location}/{name}", "message": "required"})
            continue
        value = _coerce(raw, schema)
        errors = _errors(validator, value, f"{location}/{name}")
        problems.extend(errors)
        target = call.query if location == "query" else call.headers
        if not errors:
            target[name] = value
    if op.body is not None:
        call.body = await _validate_body(op, request, problems)
    if problems:
        raise Problem(
            422, "the request does not match the contract", kind="validation-failed", errors=problems
        )


def _query_multi(request: Request) -> dict[str, str | list[str]]:
    raw: bytes = request.scope.get("query_string", b"")
    if not raw:
        return {}
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
        values.setdefault(key, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in values.items()}


async def _validate_body(op: _Operation, request: Request, problems: list[dict[str, str]]) -> Any:
    assert op.body is not None
    content: dict[str, Any] = op.body.get("content", {})
    raw = await request.body()
    if not raw:
        if op.body.get("required"):
            problems.append({"location": "body", "message": "a request body is required"})
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in content:
        raise Problem(415, f"expected {' or '.join(content)}, got {media_type or 'no content type'}")
    pointer = f"{op.body_pointer}/content{_pointer(media_type)}/schema"
    schema = content[media_type].get("schema", {})
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise Problem(400, "the form body does not parse") from None
        form: dict[str, str | list[str]] = {}
        for key, value in pairs:
            current = form.get(key)
            form[key] = (
                value if current is None else [*([current] if isinstance(current, str) else current), value]
            )
        properties = schema.get("properties", {})
        body: Any = {k: _coerce(v, properties.get(k, {})) for k, v in form.items()}
        duplicated = [k for k, v in form.items() if isinstance(v, list)]
        problems.extend({"location": f"body/{k}", "message": "given more than once"} for k in duplicated)
    else:
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Problem(400, "the JSON body does not parse") from None
    problems.extend(_errors(op.validator(pointer), body, "body"))
    return body
