"""Small OpenAPI documents for the compat tests, built inline so each test shows its pair of specs."""

from __future__ import annotations

import copy
from typing import Any

from providers.compat import Change, compare

Doc = dict[str, Any]


def document(paths: dict[str, Any], *, security: list[Any] | None = None, **components: Any) -> Doc:
    """An OpenAPI 3.1 document with these paths; keyword arguments become `components` sections."""
    doc: Doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1.0.0"}, "paths": paths}
    if security is not None:
        doc["security"] = security
    if components:
        doc["components"] = components
    return doc


def ok(schema: Any = None, **extra: Any) -> dict[str, Any]:
    """A 200 response, with a JSON body of `schema` when given."""
    response: dict[str, Any] = {"description": "ok", **extra}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def json_body(schema: Any, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def schema_pair_doc(schema: Any, *, via_ref: bool) -> Doc:
    """The same schema as the body clients send (POST /things) and the body they read (GET /things).

    With `via_ref`, both bodies are `$ref: #/components/schemas/Thing` and the schema lives there.
    """
    body = {"$ref": "#/components/schemas/Thing"} if via_ref else copy.deepcopy(schema)
    paths = {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": json_body(body),
                "responses": {"204": {"description": "created"}},
            },
            "get": {"operationId": "readThing", "responses": {"200": ok(copy.deepcopy(body))}},
        }
    }
    return document(paths, schemas={"Thing": copy.deepcopy(schema)}) if via_ref else document(paths)


def changes_of(old: Doc, new: Doc) -> list[Change]:
    return compare(old, new)


def kinds(changes: list[Change]) -> list[str]:
    return [c.kind for c in changes]


def only(changes: list[Change], kind: str) -> Change:
    found = [c for c in changes if c.kind == kind]
    assert len(found) == 1, f"expected one {kind}, got {[(c.kind, c.location) for c in changes]}"
    return found[0]
