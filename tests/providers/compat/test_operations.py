"""Operation rules as pairs of specs: paths, operations, parameters, bodies, statuses, media types,
headers, deprecations and security — each breaking change and its harmless counterpart, with the
`$ref`ed forms (components/parameters, requestBodies, responses, headers, securitySchemes)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from providers.compat import Severity
from tests.providers.compat.support import changes_of, document, json_body, kinds, ok, only

B, D, N = Severity.BREAKING, Severity.DEPRECATION, Severity.NON_BREAKING
STRING = {"type": "string"}


def get(**op: Any) -> dict[str, Any]:
    return {"responses": {"200": ok(STRING)}, **op}


# --- paths and operations ---------------------------------------------------------------------


def test_removed_path_is_breaking_for_each_operation() -> None:
    old = document({"/a": {"get": get(), "post": get()}, "/b": {"get": get()}})
    new = document({"/b": {"get": get()}})
    changes = changes_of(old, new)
    assert [(c.kind, c.severity, c.location) for c in changes] == [
        ("operation-removed", B, "GET /a"),
        ("operation-removed", B, "POST /a"),
    ]
    assert "whole path" in changes[0].message
    assert changes[0].old_pointer == "#/paths/~1a/get"


def test_removed_operation_is_breaking_and_an_added_one_is_not() -> None:
    changes = changes_of(
        document({"/a": {"get": get(), "delete": get()}}), document({"/a": {"get": get(), "put": get()}})
    )
    assert [(c.kind, c.severity, c.location) for c in changes] == [
        ("operation-added", N, "PUT /a"),
        ("operation-removed", B, "DELETE /a"),
    ]


def test_removing_a_deprecated_operation_without_a_sunset_is_allowed_and_says_so() -> None:
    change = only(
        changes_of(document({"/a": {"get": get(deprecated=True)}}), document({})),
        "deprecated-operation-removed",
    )
    assert change.severity is N
    assert "deprecated" in change.message


def test_deprecating_an_operation_is_a_deprecation() -> None:
    change = only(
        changes_of(document({"/a": {"get": get()}}), document({"/a": {"get": get(deprecated=True)}})),
        "operation-deprecated",
    )
    assert (change.severity, change.location) == (D, "GET /a")
    back = only(
        changes_of(document({"/a": {"get": get(deprecated=True)}}), document({"/a": {"get": get()}})),
        "operation-undeprecated",
    )
    assert back.severity is N


def test_a_new_operation_id_is_non_breaking() -> None:
    change = only(
        changes_of(
            document({"/a": {"get": get(operationId="old")}}),
            document({"/a": {"get": get(operationId="new")}}),
        ),
        "operation-id-changed",
    )
    assert (change.severity, change.old, change.new) == (N, "old", "new")


def test_path_templates_differing_only_in_parameter_names_are_the_same_path() -> None:
    def doc(name: str) -> dict[str, Any]:
        param = {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        return document({f"/threads/{{{name}}}": {"parameters": [param], "get": get()}})

    changes = changes_of(doc("id"), doc("thread_id"))
    assert [(c.kind, c.severity, c.old, c.new) for c in changes] == [
        ("path-parameter-renamed", N, "/threads/{id}", "/threads/{thread_id}")
    ]


def test_a_path_parameter_schema_change_is_found_by_position() -> None:
    def doc(name: str, fmt: str) -> dict[str, Any]:
        param = {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": fmt}}
        return document({f"/threads/{{{name}}}": {"get": get(parameters=[param])}})

    change = only(changes_of(doc("id", "uuid"), doc("thread_id", "uri")), "format-changed")
    assert change.location == "GET /threads/{thread_id} → path parameter thread_id"


def test_a_path_under_another_version_segment_is_moved_then_compared() -> None:
    old = document(
        {
            "/v1/things": {
                "get": get(responses={"200": ok({"type": "object", "properties": {"title": STRING}})})
            }
        }
    )
    new = document(
        {
            "/v2/things": {
                "get": get(responses={"200": ok({"type": "object", "properties": {"name": STRING}})})
            }
        }
    )
    changes = changes_of(old, new)
    assert kinds(changes) == ["path-moved", "property-removed", "property-added"]
    assert changes[0].location == "/v1/things" and changes[0].new == "/v2/things"
    assert changes[1].location == "GET /v2/things → response 200 application/json → body.title"
    assert "renamed to name?" in changes[1].message


def test_a_versioned_path_kept_in_the_new_document_is_not_moved() -> None:
    old = document({"/v1/things": {"get": get()}, "/v2/things": {"get": get()}})
    new = document({"/v2/things": {"get": get()}})
    assert [(c.kind, c.location) for c in changes_of(old, new)] == [("operation-removed", "GET /v1/things")]


def test_path_item_behind_a_ref() -> None:
    old = document(
        {"/a": {"$ref": "#/components/pathItems/A"}}, pathItems={"A": {"get": get(), "post": get()}}
    )
    new = document({"/a": {"$ref": "#/components/pathItems/A"}}, pathItems={"A": {"get": get()}})
    assert [(c.kind, c.location) for c in changes_of(old, new)] == [("operation-removed", "POST /a")]


# --- parameters -------------------------------------------------------------------------------


def with_params(*params: dict[str, Any], **components: Any) -> dict[str, Any]:
    return document({"/a": {"get": get(parameters=list(params))}}, **components)


def query(name: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": "string", **schema}}


@pytest.mark.parametrize(
    "old,new,kind,severity",
    [
        ([], [query("q", required=True)], "required-parameter-added", B),
        ([], [query("q")], "parameter-added", N),
        ([query("q")], [], "parameter-removed", B),
        ([query("q")], [query("q", required=True)], "parameter-made-required", B),
        ([query("q", required=True)], [query("q")], "parameter-made-optional", N),
        ([query("q")], [{**query("q"), "deprecated": True}], "parameter-deprecated", D),
        ([query("q")], [{**query("q"), "style": "pipeDelimited"}], "parameter-serialization-changed", B),
        ([query("q")], [{**query("q"), "explode": False}], "parameter-serialization-changed", B),
        ([query("q", enum=["a", "b"])], [query("q", enum=["a"])], "enum-value-removed", B),
        ([query("q", enum=["a"])], [query("q", enum=["a", "b"])], "enum-value-added", N),
        ([query("q", maxLength=9)], [query("q", maxLength=3)], "max-length-decreased", B),
        ([query("q", maxLength=3)], [query("q", maxLength=9)], "max-length-increased", N),
        ([query("q", default="x")], [query("q", default="y")], "default-changed", N),
    ],
    ids=[
        "required-added",
        "optional-added",
        "removed",
        "made-required",
        "made-optional",
        "deprecated",
        "style",
        "explode",
        "enum-narrowed",
        "enum-widened",
        "tightened",
        "relaxed",
        "default",
    ],
)
@pytest.mark.parametrize("via_ref", [False, True], ids=["inline", "via-ref"])
def test_parameter_rules(
    old: list[Any], new: list[Any], kind: str, severity: Severity, via_ref: bool
) -> None:
    def doc(params: list[dict[str, Any]]) -> dict[str, Any]:
        if not via_ref:
            return with_params(*copy.deepcopy(params))
        refs = [{"$ref": f"#/components/parameters/{p['name']}"} for p in params]
        return with_params(*refs, parameters={p["name"]: copy.deepcopy(p) for p in params})

    change = only(changes_of(doc(old), doc(new)), kind)
    assert change.severity is severity
    assert change.location == "GET /a → query parameter q"


def test_path_level_parameters_count_and_operation_level_ones_override() -> None:
    old = document({"/a": {"parameters": [query("q")], "get": get()}})
    new = document({"/a": {"parameters": [query("q")], "get": get(parameters=[query("q", required=True)])}})
    assert kinds(changes_of(old, new)) == ["parameter-made-required"]


def test_header_parameters_match_case_insensitively_and_accept_is_ignored() -> None:
    def header(name: str) -> dict[str, Any]:
        return {"name": name, "in": "header", "required": True, "schema": STRING}

    assert changes_of(with_params(header("X-Request-Id")), with_params(header("x-request-id"))) == []
    assert changes_of(with_params(), with_params(header("Accept"), header("Authorization"))) == []
    change = only(changes_of(with_params(), with_params(header("X-Tenant"))), "required-parameter-added")
    assert change.location == "GET /a → header parameter X-Tenant"


def test_a_parameter_moved_from_query_to_header_is_removed_and_added() -> None:
    header = {"name": "q", "in": "header", "schema": STRING}
    assert sorted(kinds(changes_of(with_params(query("q")), with_params(header)))) == [
        "parameter-added",
        "parameter-removed",
    ]


# --- request bodies ---------------------------------------------------------------------------


def post(body: dict[str, Any] | None = None, **components: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"204": {"description": "done"}}}
    if body is not None:
        op["requestBody"] = body
    return document({"/a": {"post": op}}, **components)


@pytest.mark.parametrize(
    "old,new,kind,severity",
    [
        (None, json_body(STRING, required=True), "request-body-added-required", B),
        (None, json_body(STRING, required=False), "request-body-added", N),
        (json_body(STRING), None, "request-body-removed", B),
        (
            json_body(STRING, required=False),
            json_body(STRING, required=True),
            "request-body-made-required",
            B,
        ),
        (
            json_body(STRING, required=True),
            json_body(STRING, required=False),
            "request-body-made-optional",
            N,
        ),
        (
            {"content": {"application/json": {"schema": STRING}, "text/plain": {"schema": STRING}}},
            {"content": {"application/json": {"schema": STRING}}},
            "media-type-removed",
            B,
        ),
        (
            {"content": {"application/json": {"schema": STRING}}},
            {"content": {"application/json": {"schema": STRING}, "text/plain": {"schema": STRING}}},
            "media-type-added",
            N,
        ),
    ],
    ids=[
        "added-required",
        "added-optional",
        "removed",
        "made-required",
        "made-optional",
        "media-removed",
        "media-added",
    ],
)
def test_request_body_rules(old: Any, new: Any, kind: str, severity: Severity) -> None:
    assert only(changes_of(post(old), post(new)), kind).severity is severity


def test_request_body_behind_a_ref() -> None:
    def doc(required: list[str]) -> dict[str, Any]:
        schema = {"type": "object", "properties": {"a": STRING, "b": STRING}, "required": required}
        return post({"$ref": "#/components/requestBodies/Thing"}, requestBodies={"Thing": json_body(schema)})

    change = only(changes_of(doc(["a"]), doc(["a", "b"])), "property-made-required")
    assert change.severity is B
    assert change.location == "POST /a → request application/json → body.b"
    assert (
        change.new_pointer == "#/components/requestBodies/Thing/content/application~1json/schema/properties/b"
    )


# --- responses --------------------------------------------------------------------------------


def responses(statuses: dict[str, Any], **components: Any) -> dict[str, Any]:
    return document({"/a": {"get": {"responses": statuses}}}, **components)


def problem(**extra: Any) -> dict[str, Any]:
    return {
        "description": "problem",
        "content": {"application/problem+json": {"schema": {"type": "object"}}},
        **extra,
    }


@pytest.mark.parametrize(
    "old,new,kind,severity",
    [
        ({"200": ok(STRING), "404": problem()}, {"200": ok(STRING)}, "response-error-status-removed", N),
        ({"200": ok(STRING), "202": ok(STRING)}, {"200": ok(STRING)}, "response-success-status-removed", B),
        ({"200": ok(STRING)}, {"200": ok(STRING), "202": ok(STRING)}, "success-status-added", B),
        ({"200": ok(STRING)}, {"200": ok(STRING), "429": problem()}, "error-status-added", N),
        ({"200": ok(STRING)}, {"200": ok(STRING), "default": problem()}, "error-status-added", N),
        (
            {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": STRING}, "text/csv": {"schema": STRING}},
                }
            },
            {"200": ok(STRING)},
            "media-type-removed",
            B,
        ),
        (
            {"200": ok(STRING)},
            {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": STRING}, "text/csv": {"schema": STRING}},
                }
            },
            "media-type-added",
            N,
        ),
    ],
    ids=[
        "error-removed",
        "success-removed",
        "success-added",
        "error-added",
        "default-added",
        "media-removed",
        "media-added",
    ],
)
def test_response_status_and_media_type_rules(old: Any, new: Any, kind: str, severity: Severity) -> None:
    assert only(changes_of(responses(old), responses(new)), kind).severity is severity


def test_a_status_matches_its_range() -> None:
    assert (
        changes_of(
            responses({"200": ok(STRING), "404": problem()}), responses({"200": ok(STRING), "4XX": problem()})
        )
        == []
    )
    assert (
        changes_of(
            responses({"200": ok(STRING), "4XX": problem()}), responses({"200": ok(STRING), "404": problem()})
        )
        == []
    )


def test_response_behind_a_ref() -> None:
    def doc(schema: dict[str, Any]) -> dict[str, Any]:
        return responses(
            {"200": ok(STRING), "404": {"$ref": "#/components/responses/NotFound"}},
            responses={
                "NotFound": {"description": "nf", "content": {"application/problem+json": {"schema": schema}}}
            },
        )

    old = {"type": "object", "properties": {"title": STRING}, "required": ["title"]}
    new = {"type": "object", "properties": {"title": STRING}}
    change = only(changes_of(doc(old), doc(new)), "property-made-optional")
    assert change.severity is B
    assert change.location == "GET /a → response 404 application/problem+json → body.title"


def with_header(name: str | None, header: dict[str, Any] | None = None, **components: Any) -> dict[str, Any]:
    headers = {name: header} if name and header is not None else {}
    return responses({"200": ok(STRING, headers=headers)}, **components)


def test_response_header_rules() -> None:
    required = {"required": True, "schema": STRING}
    optional = {"schema": STRING}
    change = only(changes_of(with_header("Location", required), with_header(None)), "response-header-removed")
    assert (change.severity, change.location) == (B, "GET /a → response 200 → header Location")
    assert (
        only(
            changes_of(with_header("X-Hint", optional), with_header(None)), "optional-response-header-removed"
        ).severity
        is N
    )
    assert (
        only(
            changes_of(with_header("Location", required), with_header("location", optional)),
            "response-header-made-optional",
        ).severity
        is B
    )
    assert (
        only(changes_of(with_header(None), with_header("X-New", optional)), "response-header-added").severity
        is N
    )
    assert kinds(changes_of(with_header("Location", optional), with_header("Location", required))) == [
        "response-header-made-required"
    ]
    assert (
        only(
            changes_of(with_header("Location", optional), with_header("Location", required)),
            "response-header-made-required",
        ).severity
        is N
    )


def test_response_header_schema_is_compared_as_a_response_behind_a_ref() -> None:
    def doc(pattern: str | None) -> dict[str, Any]:
        schema = {"type": "string", **({"pattern": pattern} if pattern else {})}
        return with_header(
            "Retry-After",
            {"$ref": "#/components/headers/RetryAfter"},
            headers={"RetryAfter": {"schema": schema}},
        )

    assert only(changes_of(doc("^[0-9]+$"), doc(None)), "pattern-unset").severity is B
    assert only(changes_of(doc(None), doc("^[0-9]+$")), "pattern-set").severity is N


def test_a_new_sunset_header_announces_deprecation_and_its_removal_withdraws_it() -> None:
    sunset = {"required": True, "schema": STRING}
    announced = only(changes_of(with_header(None), with_header("Sunset", sunset)), "sunset-announced")
    assert announced.severity is D
    assert (
        only(changes_of(with_header("Sunset", sunset), with_header(None)), "sunset-withdrawn").severity is N
    )


# --- security ---------------------------------------------------------------------------------

SCHEMES = {
    "userToken": {"type": "http", "scheme": "bearer", "x-token-kind": "user", "x-audiences": ["backend"]},
    "serviceToken": {
        "type": "oauth2",
        "x-token-kind": "service",
        "x-audiences": ["backend"],
        "flows": {
            "clientCredentials": {"tokenUrl": "/token", "scopes": {"runs:read": "r", "runs:write": "w"}}
        },
    },
}


def secured(
    security: list[Any] | None, *, schemes: dict[str, Any] | None = None, default: list[Any] | None = None
) -> dict[str, Any]:
    op = get() if security is None else get(security=security)
    return document({"/a": {"get": op}}, security=default, securitySchemes=copy.deepcopy(schemes or SCHEMES))


@pytest.mark.parametrize(
    "old,new,kind,severity",
    [
        ([], [{"userToken": []}], "security-added", B),
        ([{}, {"userToken": []}], [{"userToken": []}], "security-added", B),
        (
            [{"serviceToken": ["runs:read"]}],
            [{"serviceToken": ["runs:read", "runs:write"]}],
            "security-tightened",
            B,
        ),
        ([{"userToken": []}], [{"userToken": ["admin"]}], "security-tightened", B),
        ([{"userToken": []}, {"serviceToken": ["runs:read"]}], [{"userToken": []}], "security-tightened", B),
        ([{"userToken": []}], [{"serviceToken": []}], "security-tightened", B),
        ([{"userToken": []}], [{"userToken": [], "serviceToken": []}], "security-tightened", B),
        (
            [{"serviceToken": ["runs:read", "runs:write"]}],
            [{"serviceToken": ["runs:read"]}],
            "security-relaxed",
            N,
        ),
        ([{"userToken": ["admin"]}], [{"userToken": []}], "security-relaxed", N),
        ([{"userToken": []}], [{"userToken": []}, {"serviceToken": ["runs:read"]}], "security-relaxed", N),
        ([{"userToken": []}], [], "security-relaxed", N),
    ],
    ids=[
        "public-now-protected",
        "optional-auth-now-required",
        "scope-added",
        "role-added",
        "alternative-removed",
        "other-scheme",
        "second-scheme-required",
        "scope-dropped",
        "role-dropped",
        "alternative-added",
        "made-public",
    ],
)
def test_security_requirement_rules(old: list[Any], new: list[Any], kind: str, severity: Severity) -> None:
    change = only(changes_of(secured(old), secured(new)), kind)
    assert change.severity is severity
    assert change.location == "GET /a → security"


def test_document_level_security_is_inherited() -> None:
    old = secured(None, default=[{"userToken": []}])
    new = secured(None, default=[{"userToken": ["admin"]}])
    assert kinds(changes_of(old, new)) == ["security-tightened"]
    assert changes_of(secured(None, default=[{"userToken": []}]), secured([{"userToken": []}])) == []


def test_a_scheme_renamed_with_the_same_definition_is_no_change() -> None:
    renamed = {"bearer": SCHEMES["userToken"]}
    changes = changes_of(secured([{"userToken": []}]), secured([{"bearer": []}], schemes=renamed))
    assert sorted(set(kinds(changes))) == ["security-scheme-added", "security-scheme-removed"]
    assert all(c.severity is N for c in changes)


@pytest.mark.parametrize(
    "change_to,kind,severity",
    [
        ({"x-audiences": []}, "security-scheme-narrowed", B),
        ({"x-audiences": ["websocket"]}, "security-scheme-narrowed", B),
        ({"x-audiences": ["backend", "websocket"]}, "security-scheme-widened", N),
        ({"x-token-kind": "service"}, "security-scheme-narrowed", B),
        ({"scheme": "basic"}, "security-scheme-narrowed", B),
        ({"scheme": "Bearer"}, None, None),
        ({"description": "reworded"}, None, None),
    ],
    ids=[
        "audience-dropped",
        "audience-replaced",
        "audience-added",
        "token-kind",
        "http-scheme",
        "case",
        "description",
    ],
)
def test_scheme_changes_on_a_scheme_in_use(
    change_to: dict[str, Any], kind: str | None, severity: Severity | None
) -> None:
    schemes = copy.deepcopy(SCHEMES)
    schemes["userToken"].update(change_to)
    changes = changes_of(secured([{"userToken": []}]), secured([{"userToken": []}], schemes=schemes))
    if kind is None:
        assert changes == []
        return
    assert kinds(changes) == [kind]  # the requirement itself is unchanged: neither tightened nor relaxed
    assert changes[0].severity is severity
    assert changes[0].location == "GET /a → security scheme userToken"


def test_scheme_behind_a_ref_and_oauth_flow_changes() -> None:
    def doc(token_url: str) -> dict[str, Any]:
        schemes = copy.deepcopy(SCHEMES)
        schemes["service"] = {"$ref": "#/components/securitySchemes/serviceToken"}
        schemes["serviceToken"]["flows"]["clientCredentials"]["tokenUrl"] = token_url
        return secured([{"service": ["runs:read"]}], schemes=schemes)

    changes = changes_of(doc("/token"), doc("/v2/token"))
    assert kinds(changes) == ["security-scheme-narrowed"]
    assert "tokenUrl /token → /v2/token" in changes[0].message


def test_a_scheme_not_used_by_the_operation_does_not_matter() -> None:
    schemes = copy.deepcopy(SCHEMES)
    schemes["serviceToken"]["x-audiences"] = ["auth"]
    assert changes_of(secured([{"userToken": []}]), secured([{"userToken": []}], schemes=schemes)) == []
