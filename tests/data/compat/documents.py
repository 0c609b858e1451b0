"""The document cases of `cases`: operations, lifecycle, security, parameters, bodies and responses."""

from __future__ import annotations

from tests.data.compat.cases import (
    SCHEMES,
    B,
    Case,
    D,
    N,
    S,
    body,
    callback,
    doc,
    get_with,
    headers,
    hook,
    obj,
    ok,
    one,
    op,
    query,
    secured,
    statuses,
)


def document_cases() -> list[Case]:
    past, future = "2020-01-01", "2999-01-01"
    dep = {"deprecated": True}
    sunset_header = {"Sunset": {"schema": {"type": "string", "const": "Sat, 01 Jan 2999 00:00:00 GMT"}}}
    return [
        one("spec-removed", get_with(), get_with(), "", B),  # the test compares a document with none
        one("spec-added", get_with(), get_with(), "", N),
        one(
            "path-moved",
            doc({"/v1/things": {"get": op()}}),
            doc({"/v2/things": {"get": op()}}),
            "/v1/things",
            B,
        ),
        one(
            "operation-removed",
            doc({"/a": {"get": op(), "post": op()}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            B,
        ),
        one(
            "deprecated-operation-removed",
            doc({"/a": {"get": op(), "post": op(**dep, **{"x-sunset": past})}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            N,
        ),  # fmt: skip
        one(
            "operation-removed-before-sunset",
            doc({"/a": {"get": op(), "post": op(**dep, **{"x-sunset": future})}}),
            doc({"/a": {"get": op()}}),
            "POST /a",
            B,
        ),  # fmt: skip
        one(
            "operation-added",
            doc({"/a": {"get": op()}}),
            doc({"/a": {"get": op(), "post": op()}}),
            "POST /a",
            N,
        ),
        one(
            "path-parameter-renamed",
            doc({"/a/{id}": {"get": op()}}),
            doc({"/a/{a_id}": {"get": op()}}),
            "/a/{a_id}",
            N,
        ),
        one("operation-id-changed", get_with(operationId="x"), get_with(operationId="y"), "GET /a", N),
        one("tag-added", get_with(), get_with(tags=["t"]), "GET /a", N),
        one("tag-removed", get_with(tags=["t"]), get_with(), "GET /a", N),
        one(
            "component-schema-removed",
            doc({}, components={"schemas": {"Old": S}}),
            doc({}),
            "components.schemas.Old",
            N,
        ),
        one("webhook-removed", hook(obj({"id": S})), doc({}), "webhook thingCreated POST", B),
        one("webhook-added", doc({}), hook(obj({"id": S})), "webhook thingCreated POST", N),
        one(
            "callback-removed",
            callback(obj({"id": S})),
            doc({"/subscribe": {"post": {"responses": {"201": {"description": "x"}}}}}),
            "callback onEvent",
            B,
        ),  # fmt: skip
        one(
            "callback-added",
            doc({"/subscribe": {"post": {"responses": {"201": {"description": "x"}}}}}),
            callback(obj({"id": S})),
            "callback onEvent",
            N,
        ),  # fmt: skip
        one("operation-deprecated", get_with(), get_with(**dep), "GET /a", D),
        one("operation-undeprecated", get_with(**dep), get_with(), "GET /a", N),
        one(
            "parameter-deprecated",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", **dep)]),
            "query parameter q",
            D,
        ),
        one(
            "parameter-undeprecated",
            get_with(parameters=[query("q", **dep)]),
            get_with(parameters=[query("q")]),
            "query parameter q",
            N,
        ),
        one("sunset-announced", headers({}), headers(sunset_header), "header Sunset", D),
        one("sunset-withdrawn", headers(sunset_header), headers({}), "header Sunset", N),
        one("sunset-removed", get_with(**dep, **{"x-sunset": future}), get_with(**dep), "GET /a", B),
        one(
            "sunset-moved-earlier",
            get_with(**dep, **{"x-sunset": future}),
            get_with(**dep, **{"x-sunset": "2998-01-01"}),
            "GET /a",
            B,
        ),
        one(
            "sunset-postponed",
            get_with(**dep, **{"x-sunset": "2998-01-01"}),
            get_with(**dep, **{"x-sunset": future}),
            "GET /a",
            N,
        ),
        one(
            "sunset-invalid",
            get_with(**dep, **{"x-sunset": future}),
            get_with(**dep, **{"x-sunset": "next spring"}),
            "GET /a",
            B,
        ),
        one(
            "stability-decreased",
            get_with(**{"x-stability-level": "stable"}),
            get_with(**{"x-stability-level": "beta"}),
            "GET /a",
            B,
        ),
        one(
            "stability-increased",
            get_with(**{"x-stability-level": "beta"}),
            get_with(**{"x-stability-level": "stable"}),
            "GET /a",
            N,
        ),
        one(
            "stability-invalid",
            get_with(**{"x-stability-level": "beta"}),
            get_with(**{"x-stability-level": "gold"}),
            "GET /a",
            B,
        ),
        one("security-added", secured([]), secured([{"token": []}]), "GET /a → security", B),
        one(
            "security-tightened",
            secured([{"token": []}, {"key": []}]),
            secured([{"token": []}]),
            "GET /a → security",
            B,
        ),
        one(
            "security-relaxed",
            secured([{"token": []}]),
            secured([{"token": []}, {"key": []}]),
            "GET /a → security",
            N,
        ),
        one(
            "security-scheme-narrowed",
            secured([{"key": []}]),
            secured([{"key": []}], {**SCHEMES, "key": {**SCHEMES["key"], "name": "X-Other"}}),
            "security scheme key",
            B,
        ),  # fmt: skip
        one(
            "security-scheme-widened",
            secured([{"token": []}], {"token": {"type": "http", "scheme": "bearer", "x-audiences": ["a"]}}),
            secured(
                [{"token": []}], {"token": {"type": "http", "scheme": "bearer", "x-audiences": ["a", "b"]}}
            ),
            "security scheme token",
            N,
        ),  # fmt: skip
        one(
            "security-scheme-removed",
            secured([{"token": []}]),
            secured([{"token": []}], {"token": SCHEMES["token"]}),
            "components.securitySchemes.key",
            N,
        ),
        one(
            "security-scheme-added",
            secured([{"token": []}], {"token": SCHEMES["token"]}),
            secured([{"token": []}]),
            "components.securitySchemes.key",
            N,
        ),
        one(
            "required-parameter-added",
            get_with(),
            get_with(parameters=[query("q", required=True)]),
            "query parameter q",
            B,
        ),
        one("parameter-added", get_with(), get_with(parameters=[query("q")]), "query parameter q", N),
        one("parameter-removed", get_with(parameters=[query("q")]), get_with(), "query parameter q", B),
        one(
            "deprecated-parameter-removed",
            get_with(parameters=[query("q", **dep, **{"x-sunset": past})]),
            get_with(),
            "query parameter q",
            N,
        ),
        one(
            "parameter-removed-before-sunset",
            get_with(parameters=[query("q", **dep, **{"x-sunset": future})]),
            get_with(),
            "query parameter q",
            B,
        ),
        one(
            "parameter-made-required",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", required=True)]),
            "query parameter q",
            B,
        ),
        one(
            "parameter-made-optional",
            get_with(parameters=[query("q", required=True)]),
            get_with(parameters=[query("q")]),
            "query parameter q",
            N,
        ),
        one(
            "parameter-serialization-changed",
            get_with(parameters=[query("q")]),
            get_with(parameters=[query("q", explode=False)]),
            "query parameter q",
            B,
        ),
        one(
            "parameter-media-type-changed",
            get_with(
                parameters=[{"name": "q", "in": "query", "content": {"application/json": {"schema": S}}}]
            ),
            get_with(parameters=[{"name": "q", "in": "query", "content": {"text/plain": {"schema": S}}}]),
            "query parameter q",
            B,
        ),  # fmt: skip
        one(
            "request-body-added-required",
            get_with(),
            get_with(requestBody={"required": True, "content": {"application/json": {"schema": S}}}),
            "GET /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-added",
            get_with(),
            get_with(requestBody={"content": {"application/json": {"schema": S}}}),
            "GET /a → request body",
            N,
        ),
        one(
            "request-body-removed",
            body({"application/json": {"schema": S}}),
            doc({"/a": {"post": {"responses": {"204": {"description": "x"}}}}}),
            "POST /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-made-required",
            body({"application/json": {"schema": S}}, required=False),
            body({"application/json": {"schema": S}}),
            "POST /a → request body",
            B,
        ),  # fmt: skip
        one(
            "request-body-made-optional",
            body({"application/json": {"schema": S}}),
            body({"application/json": {"schema": S}}, required=False),
            "POST /a → request body",
            N,
        ),  # fmt: skip
        Case(
            "media-type-removed",
            body({"application/json": {"schema": S}, "text/plain": {"schema": S}}),
            body({"application/json": {"schema": S}}),
            (("POST /a → request text/plain", B),),
        ),  # fmt: skip
        Case(
            "media-type-added",
            body({"application/json": {"schema": S}}),
            body({"application/json": {"schema": S}, "text/plain": {"schema": S}}),
            (("POST /a → request text/plain", N),),
        ),  # fmt: skip
        Case(
            "media-type-generalized",
            statuses({"200": {"description": "x", "content": {"application/json": {"schema": S}}}}),
            statuses({"200": {"description": "x", "content": {"application/*": {"schema": S}}}}),
            (("response 200 application/json", B),),
        ),  # fmt: skip
        Case(
            "media-type-schema-added",
            body({"application/json": {}}),
            body({"application/json": {"schema": S}}),
            (("POST /a → request application/json", B),),
        ),  # fmt: skip
        Case(
            "media-type-schema-removed",
            statuses({"200": ok(S)}),
            statuses({"200": {"description": "x", "content": {"application/json": {}}}}),
            (("response 200 application/json", B),),
        ),  # fmt: skip
        one(
            "response-success-status-removed",
            statuses({"200": ok(S), "202": ok(S)}),
            statuses({"200": ok(S)}),
            "response 202",
            B,
        ),
        one(
            "response-error-status-removed",
            statuses({"200": ok(S), "404": ok()}),
            statuses({"200": ok(S)}),
            "response 404",
            N,
        ),
        one(
            "success-status-added",
            statuses({"200": ok(S)}),
            statuses({"200": ok(S), "202": ok(S)}),
            "response 202",
            B,
        ),
        one(
            "error-status-added",
            statuses({"200": ok(S)}),
            statuses({"200": ok(S), "429": ok()}),
            "response 429",
            N,
        ),
        one(
            "response-header-removed",
            headers({"Location": {"required": True, "schema": S}}),
            headers({}),
            "header Location",
            B,
        ),
        one(
            "optional-response-header-removed",
            headers({"X-Hint": {"schema": S}}),
            headers({}),
            "header X-Hint",
            N,
        ),
        one(
            "response-header-made-optional",
            headers({"Location": {"required": True, "schema": S}}),
            headers({"Location": {"schema": S}}),
            "header Location",
            B,
        ),  # fmt: skip
        one(
            "response-header-made-required",
            headers({"Location": {"schema": S}}),
            headers({"Location": {"required": True, "schema": S}}),
            "header Location",
            N,
        ),  # fmt: skip
        one("response-header-added", headers({}), headers({"X-New": {"schema": S}}), "header X-New", N),
    ]
