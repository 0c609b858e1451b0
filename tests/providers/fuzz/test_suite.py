"""The fuzz suite: Schemathesis over the contracts, against the stubs and against broken or live services."""

from __future__ import annotations

import copy
import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contractgate.embedded import embedded_stubs
from contracts import SpecFile, load_document, openapi_specs
from providers import fuzz
from providers.contract import operations_of
from providers.errors import BudgetExceeded, TargetUnreachable
from providers.fuzz.gateway import path_matcher
from providers.fuzz.outcomes import EXPECTATIONS
from providers.http import Limits, TargetHttp
from providers.redact import JWT
from providers.results import Result, Verdict
from providers.suite import RunContext
from providers.target import ServiceTarget, Target, url_target
from stubs.server import BackgroundServer, bind
from stubs.settings import DEFAULT_ISSUER
from tests.providers.fuzz import support

DATA = Path(__file__).resolve().parents[2] / "data"
BROKEN_URL = "http://broken.test"


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


_clients: list[TargetHttp] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _clients:
        _clients.pop().close()


def context(target: Target, specs: tuple[SpecFile, ...], **options: Any) -> RunContext:
    ctx = support.context(target, specs, **options)
    _clients.append(ctx.http)
    return ctx


def spec_file(document: dict[str, Any], name: str = "broken-v1") -> SpecFile:
    info = document["info"]
    return SpecFile(name, DATA / f"{name}.yaml", info["x-service"], info["x-api-version"], document)


def by_key(results: list[Result]) -> dict[tuple[str, str], Result]:
    return {(r.operation, r.check): r for r in results}


# --- the reference stubs fulfil their contracts ----------------------------------------------------


@pytest.mark.parametrize(
    "suite",
    [{"jobs": 1, "in_process": True}, {"jobs": 2}],
    ids=["one process, in-process", "worker processes, HTTP"],
)
def test_the_stubs_pass_every_check_of_every_contract(stubs: Target, suite: dict[str, Any]) -> None:
    specs = openapi_specs()
    ctx = context(stubs, specs, suite=suite)
    results = list(fuzz.run(ctx))

    not_passing = [
        f"{r.operation} {r.check}: {r.verdict} {r.observed}" for r in results if r.verdict != "pass"
    ]
    assert not_passing == []
    ran = {(r.details["spec"], r.operation) for r in results}
    declared = {(op.spec, op.label) for spec in specs for op in operations_of(spec)}
    assert ran == declared
    checks = {r.check for r in results}
    assert {"ignored_auth", "negative_data_rejection", "positive_data_acceptance", "use_after_free"} <= checks
    assert {r.details["seed"] for r in results} == {7}


def test_a_run_without_a_seed_picks_one_and_reports_it_everywhere(stubs: Target) -> None:
    ctx = context(stubs, (openapi_specs()[0],), seed=None, max_examples=2)
    seeds = {r.details["seed"] for r in fuzz.run(ctx)}
    assert len(seeds) == 1 and isinstance(seeds.pop(), int)


# --- a deliberately broken service ----------------------------------------------------------------


def problem(status: int, **headers: str) -> JSONResponse:
    body = {"title": "error", "status": status}
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


def broken_app(presented: list[str]) -> Starlette:
    """Breaks its contract in four ways: a wrong type, an ignored token, a 500, an undeclared status."""

    def authorized(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        presented.append(header)
        try:
            claims = jwt.decode(header.removeprefix("Bearer "), options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return bool(claims.get("iss") == DEFAULT_ISSUER)

    async def item(request: Request) -> Response:
        if not authorized(request):
            return problem(401, **{"WWW-Authenticate": "Bearer"})
        item_id = request.path_params["item_id"]
        if not (item_id.isascii() and item_id.isalpha() and item_id.islower() and len(item_id) <= 8):
            return problem(404)
        return JSONResponse({"id": 123, "name": item_id})  # `id` is a string in the contract

    async def open_(request: Request) -> Response:
        return JSONResponse({"ok": True})  # never looks at the token it requires

    async def crash(request: Request) -> Response:
        try:
            n = int(request.query_params["n"])
        except (KeyError, ValueError):
            return problem(422)
        if n < 0:
            return JSONResponse({"title": "boom", "status": 500}, 500)
        return JSONResponse({"n": n})

    async def teapot(request: Request) -> Response:
        return JSONResponse({"short": "and stout"}, 418)

    async def admin(request: Request) -> Response:
        return JSONResponse({})

    return Starlette(
        routes=[
            Route("/items/{item_id}", item),
            Route("/open", open_),
            Route("/crash", crash),
            Route("/teapot", teapot),
            Route("/admin", admin),
        ]
    )


@pytest.fixture
def presented() -> list[str]:
    return []


@pytest.fixture
def broken(stubs: Target, presented: list[str]) -> Target:
    services = dict(stubs.services)
    services["broken-service"] = ServiceTarget("broken-service", BROKEN_URL, app=broken_app(presented))
    return Target("broken", services)


def broken_spec() -> SpecFile:
    return spec_file(load_document(DATA / "broken-v1.yaml"))


def test_a_broken_service_fails_and_each_result_names_the_operation_and_the_check(
    broken: Target, presented: list[str]
) -> None:
    results = list(fuzz.run(context(broken, (broken_spec(),))))
    found = by_key(results)

    expected = {
        ("GET /items/{item_id}", "response_schema_conformance"),
        ("GET /open", "ignored_auth"),
        ("GET /crash", "not_a_server_error"),
        ("GET /teapot", "status_code_conformance"),
    }
    for key in expected:
        result = found[key]
        assert result.verdict == Verdict.FAIL, result
        assert result.suite == "fuzz" and result.service == "broken-service"
        assert result.details["failure"] and result.details["spec"] == "broken-v1"
        assert result.reproduction and result.reproduction.startswith("curl -X GET")
        assert BROKEN_URL + key[0].split()[1].split("{")[0] in result.reproduction
    assert "HTTP 500" in found[("GET /crash", "not_a_server_error")].observed
    assert "HTTP 418" in found[("GET /teapot", "status_code_conformance")].observed
    item = found[("GET /items/{item_id}", "response_schema_conformance")]
    assert "Authorization: Bearer [REDACTED]" in item.reproduction
    # The operations that keep their contract pass the corresponding checks.
    assert found[("GET /items/{item_id}", "ignored_auth")].verdict == Verdict.PASS
    assert found[("GET /teapot", "not_a_server_error")].verdict == Verdict.PASS


def test_tokens_never_appear_in_results(broken: Target, presented: list[str]) -> None:
    results = list(fuzz.run(context(broken, (broken_spec(),))))
    tokens = {h.removeprefix("Bearer ") for h in presented if h.startswith("Bearer ey")}
    assert tokens, "the service saw no genuine token"
    text = json.dumps([r.to_dict() for r in results])
    assert not any(token in text for token in tokens)
    assert JWT.search(text) is None


def test_an_operation_no_credential_satisfies_is_skipped_and_says_why(broken: Target) -> None:
    results = list(fuzz.run(context(broken, (broken_spec(),))))
    admin = [r for r in results if r.operation == "GET /admin"]
    # A skip for each check it would have had (coverage counts them as a fuzzed operation's results).
    assert sorted(r.check for r in admin) == sorted(EXPECTATIONS)
    assert all(r.verdict is Verdict.SKIPPED and "superuser" in r.observed for r in admin)


def test_the_projects_schemathesis_config_is_honoured(broken: Target, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        '[[operations]]\ninclude-name = "GET /crash"\n'
        'checks.not_a_server_error.expected-statuses = ["2xx", "4xx", "500"]\n'
    )
    ctx = context(broken, (broken_spec(),), suite={"config": str(config)})
    found = by_key(list(fuzz.run(ctx)))
    assert found[("GET /crash", "not_a_server_error")].verdict == Verdict.PASS
    assert found[("GET /teapot", "status_code_conformance")].verdict == Verdict.FAIL


def public_spec() -> SpecFile:
    document = copy.deepcopy(load_document(DATA / "broken-v1.yaml"))
    document["paths"] = {p: document["paths"][p] for p in ("/crash", "/teapot")}
    return spec_file(document)


def test_a_service_on_a_closed_port_is_unreachable_never_a_pass() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    target = url_target("down", {"broken-service": url}, live=False)
    with pytest.raises(TargetUnreachable) as caught:
        list(fuzz.run(context(target, (public_spec(),))))
    assert caught.value.url == url


# --- a live target: read-only, within budget -------------------------------------------------------


def test_concrete_paths_map_to_the_operation_they_call() -> None:
    match = path_matcher([("GET", "/items/{item_id}"), ("DELETE", "/items/{item_id}"), ("POST", "/items")])
    assert match("delete", "/items/abc") == "DELETE /items/{item_id}"
    assert match("POST", "/items") == "POST /items"
    assert match("PUT", "/items/abc") is None
    assert match("GET", "/items/abc/more") is None


SHOP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "shop", "version": "1.0.0", "x-service": "shop-service", "x-api-version": "v1"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{item_id}": {
            "delete": {
                "operationId": "deleteItem",
                "parameters": [
                    {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"204": {"description": "deleted"}},
            }
        },
    },
}


@pytest.fixture
def shop() -> Iterator[tuple[str, Counter[str]]]:
    methods: Counter[str] = Counter()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        methods[scope["method"]] += 1
        response = JSONResponse([] if scope["method"] == "GET" else {}, 200)
        await response(scope, receive, send)

    with BackgroundServer(app, bind(), name="shop") as server:
        yield server.url, methods


def test_a_live_target_is_only_sent_read_only_operations(
    shop: tuple[str, Counter[str]], tmp_path: Path
) -> None:
    url, methods = shop
    target = url_target("staging", {"shop-service": url}, live=True)
    # A config with `[[operations]]` entries must not widen the operations that run.
    config = tmp_path / "schemathesis.toml"
    config.write_text('[[operations]]\ninclude-name = "GET /items"\nrequest-timeout = 5\n')
    results = list(fuzz.run(context(target, (spec_file(SHOP, "shop-v1"),), suite={"config": str(config)})))

    assert methods["GET"] > 0
    assert set(methods) <= {"GET", "HEAD", "OPTIONS"}
    verdicts = {(r.operation, r.check): r.verdict for r in results}
    for write in ("POST /items", "DELETE /items/{item_id}"):  # a skip for each check it would have had
        assert {c for (o, c), v in verdicts.items() if o == write and v == Verdict.SKIPPED} == set(EXPECTATIONS)
    assert verdicts[("GET /items", "unsupported_method")] == Verdict.SKIPPED
    assert verdicts[("GET /items", "not_a_server_error")] == Verdict.PASS
    assert [r for r in results if r.verdict == Verdict.ERROR] == []


def test_a_live_target_is_sent_an_allowed_write(shop: tuple[str, Counter[str]]) -> None:
    url, methods = shop
    target = url_target("staging", {"shop-service": url}, live=True)
    ctx = context(target, (spec_file(SHOP, "shop-v1"),), allow_writes=frozenset({"POST /items"}))
    list(fuzz.run(ctx))
    assert methods["POST"] > 0 and methods["DELETE"] == 0


def test_a_live_run_stops_at_its_request_budget(shop: tuple[str, Counter[str]]) -> None:
    url, methods = shop
    target = url_target("staging", {"shop-service": url}, live=True)
    ctx = context(target, (spec_file(SHOP, "shop-v1"),), limits=Limits(timeout=5, budget=12), max_examples=50)
    with pytest.raises(BudgetExceeded):
        list(fuzz.run(ctx))
    assert sum(methods.values()) == 12
