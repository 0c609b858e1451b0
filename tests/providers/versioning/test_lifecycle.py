"""What is deprecated, what may succeed it and which headers an answer owes — read from the specs alone.

The documents here describe a made-up `orders-service`, so nothing depends on the reference platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts import SpecFile, openapi_specs
from providers.results import Finding, Skip
from providers.target import ServiceTarget
from providers.versioning.checks import (
    Answer,
    deprecation_header,
    no_deprecation_headers,
    successor_link,
    sunset_header,
)
from providers.versioning.lifecycle import Lifecycle, Versioned, declared_headers, template_pattern

NOW = 1_800_000_000.0  # 2027-01-15
HEADERS = {
    "Deprecation": {"$ref": "#/components/headers/Deprecation"},
    "Sunset": {"required": True, "schema": {"type": "string"}},
}


def spec(name: str, version: str, paths: dict[str, Any], **components: Any) -> SpecFile:
    document = {
        "openapi": "3.1.0",
        "info": {"title": name, "version": "1.0.0", "x-service": "orders-service", "x-api-version": version},
        "paths": paths,
        "components": {
            "headers": {"Deprecation": {"required": True, "schema": {"type": "string"}}},
            **components,
        },
    }
    return SpecFile(name, Path(f"/contracts/openapi/{name}.yaml"), "orders-service", version, document)


def op(deprecated: bool = False, responses: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"deprecated": deprecated, "responses": responses or {"200": {"description": "ok"}}}


OLD = spec(
    "orders-v1",
    "v1",
    {
        "/v1/orders": {
            "get": op(True, {"200": {"description": "ok", "headers": HEADERS}, "4XX": {"description": "no"}}),
            "post": op(
                True, {"201": {"description": "ok"}, "default": {"description": "x", "headers": HEADERS}}
            ),
        }
    },
)
NEW = spec(
    "orders-v3",
    "v3",
    {
        "/v3/orders/{order_id}/items": {"get": op(), "delete": op(True)},
        "/v3/legacy": {"get": op(True)},
    },
)
LIFECYCLE = Lifecycle([OLD, NEW])


def versioned(label: str) -> Versioned:
    return next(v for v in LIFECYCLE.operations if v.label == label)


def test_a_document_whose_operations_all_are_deprecated_is_deprecated() -> None:
    assert LIFECYCLE.deprecated_documents == {"orders-v1"}
    assert [v.label for v in LIFECYCLE.deprecated()] == [
        "GET /v1/orders",
        "POST /v1/orders",
        "DELETE /v3/orders/{order_id}/items",
        "GET /v3/legacy",
    ]
    assert [v.label for v in LIFECYCLE.current()] == ["GET /v3/orders/{order_id}/items"]


def test_a_successor_is_a_current_operation_of_a_non_deprecated_document() -> None:
    found = LIFECYCLE.successor("orders-service", "/v3/orders/o-1/items")
    assert found is not None and found.spec.name == "orders-v3"
    assert found.operations == ("GET /v3/orders/{order_id}/items",)
    assert LIFECYCLE.successor("orders-service", "/v3/legacy") is None  # deprecated itself
    assert LIFECYCLE.successor("orders-service", "/v1/orders") is None  # a deprecated document
    assert LIFECYCLE.successor("orders-service", "/v3/orders//items") is None  # an empty segment
    assert LIFECYCLE.successor("billing-service", "/v3/orders/o-1/items") is None  # another service


def test_requests_are_matched_to_deprecated_operations_by_method_and_template() -> None:
    assert LIFECYCLE.deprecated_operation("orders-service", "post", "/v1/orders") == versioned(
        "POST /v1/orders"
    )
    assert LIFECYCLE.deprecated_operation("orders-service", "GET", "/v3/orders/o-1/items") is None
    assert template_pattern("/a/{b}.json").fullmatch("/a/x.json")
    assert not template_pattern("/a/{b}.json").fullmatch("/a/xjson")


def test_declared_headers_come_from_the_status_its_range_or_default_else_all_responses() -> None:
    get = versioned("GET /v1/orders")
    assert declared_headers(get, 200) == ({"Deprecation": True, "Sunset": True}, True)
    assert declared_headers(get, 404) == ({}, True)  # 4XX declares none
    assert declared_headers(get, 500) == ({"Deprecation": True, "Sunset": True}, False)  # undeclared status
    post = versioned("POST /v1/orders")
    assert declared_headers(post, 422) == ({"Deprecation": True, "Sunset": True}, True)  # default


def answer(label: str, headers: dict[str, str] | list[tuple[str, str]], status: int = 200) -> Answer:
    service = ServiceTarget("orders-service", "http://127.0.0.1:9/api")
    response = httpx.Response(status, headers=headers)
    return Answer(versioned(label), response, "http://127.0.0.1:9/api/v1/orders", service, LIFECYCLE, NOW, 60)


def test_deprecation_must_be_sent_as_a_date_not_in_the_future() -> None:
    assert "@1767225600" in deprecation_header(answer("GET /v1/orders", {"Deprecation": "@1767225600"}))
    with pytest.raises(Finding, match="has none"):
        deprecation_header(answer("GET /v3/legacy", {}))  # required of every deprecated operation
    with pytest.raises(Finding, match="in the future"):
        deprecation_header(answer("GET /v1/orders", {"Deprecation": f"@{int(NOW) + 3600}"}))
    with pytest.raises(Finding, match="sent 2"):
        deprecation_header(answer("GET /v1/orders", [("Deprecation", "@1"), ("Deprecation", "@2")]))


def test_sunset_is_required_where_declared_and_judged_wherever_sent() -> None:
    future = "Sat, 01 Jan 2028 00:00:00 GMT"
    assert "in 351 days" in sunset_header(answer("GET /v1/orders", {"Sunset": future}))
    with pytest.raises(Finding, match="declared required"):
        sunset_header(answer("GET /v1/orders", {}))
    with pytest.raises(Skip, match="declares no Sunset"):
        sunset_header(answer("GET /v1/orders", {}, status=404))
    with pytest.raises(Finding, match="in the past"):
        sunset_header(answer("GET /v3/legacy", {"Sunset": "Thu, 01 Jan 2026 00:00:00 GMT"}))
    with pytest.raises(Finding, match="not after Deprecation"):
        sunset_header(answer("GET /v1/orders", {"Sunset": future, "Deprecation": "@1830297600"}))
    with pytest.raises(Finding, match="IMF-fixdate"):
        sunset_header(answer("GET /v1/orders", {"Sunset": "2028-01-01"}))


def test_the_successor_link_must_lead_to_a_current_operation_of_the_same_service() -> None:
    ok = successor_link(
        answer("GET /v1/orders", {"Link": '</api/v3/orders/o-1/items>; rel="successor-version"'})
    )
    assert "GET /v3/orders/{order_id}/items (orders-v3, v3)" in ok
    absolute = '<http://127.0.0.1:9/api/v3/orders/o-1/items>; rel="successor-version"'
    assert "orders-v3" in successor_link(answer("GET /v1/orders", {"Link": absolute}))
    with pytest.raises(Finding, match="matches no current operation"):
        successor_link(answer("GET /v1/orders", {"Link": '</api/v3/legacy>; rel="successor-version"'}))
    with pytest.raises(Finding, match="outside the service"):
        successor_link(
            answer(
                "GET /v1/orders", {"Link": '<https://elsewhere.example/api/v3/x>; rel="successor-version"'}
            )
        )
    with pytest.raises(Finding, match="outside the service"):
        successor_link(answer("GET /v1/orders", {"Link": '</v3/orders/o-1/items>; rel="successor-version"'}))
    with pytest.raises(Skip, match="declares no Link"):
        successor_link(answer("GET /v1/orders", {"Link": '</docs>; rel="deprecation"'}))


def test_a_current_operation_sends_neither_deprecation_nor_sunset() -> None:
    label = "GET /v3/orders/{order_id}/items"
    assert "neither" in no_deprecation_headers(answer(label, {"Link": '</x>; rel="next"'}))
    with pytest.raises(Finding, match="Sunset: Sat"):
        no_deprecation_headers(answer(label, {"Sunset": "Sat, 01 Jan 2028 00:00:00 GMT"}))


def test_the_reference_contracts_deprecate_exactly_their_v1_documents() -> None:
    lifecycle = Lifecycle(openapi_specs())
    assert lifecycle.deprecated_documents == {"auth-v1", "backend-v1"}
    assert {v.spec.version for v in lifecycle.deprecated()} == {"v1"}
    assert all(not v.deprecated for v in lifecycle.operations if v.spec.version == "v2")
