"""Swagger 2.0 → OpenAPI 3.0, so two Swagger documents (or a Swagger one and its OpenAPI successor)
can be compared with the same rules.

No well-kept Python converter exists (the reference, `swagger2openapi`, is JavaScript), so this is the
mapping the OpenAPI 3.0 specification's own "changes from 2.0" implies, kept to what a comparison sees:

| Swagger 2.0                                   | OpenAPI 3.0
|-----------------------------------------------|-----
| `host`, `basePath`, `schemes`                 | `servers`
| `definitions`, `parameters`, `responses`      | `components.schemas`, `.parameters` (body ones: `.requestBodies`), `.responses`
| `securityDefinitions`                         | `components.securitySchemes` (basic → http/basic; OAuth2 flows renamed)
| a `body` parameter; `formData` parameters     | `requestBody` for each `consumes` media type (form ones: an object schema)
| `type`/`format`/`items`/… on a parameter      | its `schema`; `collectionFormat` → `style`/`explode`
| a response `schema`, `headers`                | `content` for each `produces` media type; header `schema`
| `x-nullable`, `type: file`, `discriminator: p`| `nullable`, string/binary, `discriminator.propertyName`

The converted document keeps every path, operation and extension; `$ref`s are rewritten to their new
places. A document that is not Swagger 2.0 is returned unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")
_PARAM_SCHEMA_KEYS = (
    "type", "format", "items", "collectionFormat", "default", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum",
    "multipleOf",
)  # fmt: skip
_COLLECTION = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}
_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}
_REF_PLACES = {
    "#/definitions/": "#/components/schemas/",
    "#/responses/": "#/components/responses/",
}


def is_swagger2(document: dict[str, Any]) -> bool:
    return str(document.get("swagger", "")).startswith("2")


def convert(document: dict[str, Any]) -> dict[str, Any]:
    if not is_swagger2(document):
        return document
    doc = copy.deepcopy(document)
    body_params = {
        name
        for name, p in (doc.get("parameters") or {}).items()
        if isinstance(p, dict) and p.get("in") == "body"
    }
    _rewrite_refs(doc, body_params)
    consumes = doc.get("consumes") or ["application/json"]
    produces = doc.get("produces") or ["application/json"]
    out: dict[str, Any] = {
        k: v
        for k, v in doc.items()
        if k.startswith("x-") or k in ("info", "tags", "externalDocs", "security")
    }
    out["openapi"] = "3.0.3"
    out.setdefault("info", {"title": "", "version": ""})
    scheme = (doc.get("schemes") or ["https"])[0]
    if doc.get("host") or doc.get("basePath"):
        out["servers"] = [
            {
                "url": f"{scheme}://{doc.get('host', '')}{doc.get('basePath', '')}"
                if doc.get("host")
                else doc.get("basePath", "/")
            }
        ]
    components: dict[str, Any] = {}
    if isinstance(doc.get("definitions"), dict):
        components["schemas"] = {k: _schema(v) for k, v in doc["definitions"].items()}
    params, bodies = {}, {}
    for name, param in (doc.get("parameters") or {}).items():
        if name in body_params:
            bodies[name] = _request_body([param], consumes)
        else:
            params[name] = _parameter(param)
    if params:
        components["parameters"] = params
    if bodies:
        components["requestBodies"] = bodies
    if isinstance(doc.get("responses"), dict):
        components["responses"] = {k: _response(v, produces) for k, v in doc["responses"].items()}
    if isinstance(doc.get("securityDefinitions"), dict):
        components["securitySchemes"] = {k: _security(v) for k, v in doc["securityDefinitions"].items()}
    if components:
        out["components"] = components
    out["paths"] = {
        path: _path_item(item, consumes, produces) for path, item in (doc.get("paths") or {}).items()
    }
    for key in ("x-contractgate-files",):
        if key in doc:
            out[key] = _schemas_in(doc[key])
    return out


def _rewrite_refs(value: Any, body_params: set[str]) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                for old, new in _REF_PLACES.items():
                    if ref.startswith(old):
                        item["$ref"] = new + ref[len(old) :]
                if ref.startswith("#/parameters/"):
                    name = ref[len("#/parameters/") :]
                    place = "requestBodies" if name in body_params else "parameters"
                    item["$ref"] = f"#/components/{place}/{name}"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _schemas_in(value: Any) -> Any:
    """Swagger-only schema spellings anywhere in `value` (used for referenced files)."""
    if isinstance(value, dict):
        return (
            _schema({k: _schemas_in(v) for k, v in value.items()})
            if _looks_like_schema(value)
            else {k: _schemas_in(v) for k, v in value.items()}
        )
    if isinstance(value, list):
        return [_schemas_in(v) for v in value]
    return value


def _looks_like_schema(value: dict[str, Any]) -> bool:
    return any(k in value for k in ("type", "properties", "items", "allOf", "x-nullable"))


def _schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k != "x-nullable"}
    if schema.get("x-nullable") is True:
        out["nullable"] = True
    if out.get("type") == "file":
        out["type"], out["format"] = "string", "binary"
    if isinstance(out.get("discriminator"), str):
        out["discriminator"] = {"propertyName": out["discriminator"]}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), dict):
            out[key] = _schema(out[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_schema(s) for s in out[key]]
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _schema(v) for k, v in out["properties"].items()}
    return out


def _parameter(param: Any) -> Any:
    if not isinstance(param, dict) or "$ref" in param:
        return param
    out = {k: v for k, v in param.items() if k not in _PARAM_SCHEMA_KEYS}
    schema = {k: v for k, v in param.items() if k in _PARAM_SCHEMA_KEYS and k != "collectionFormat"}
    if schema:
        out["schema"] = _schema(schema)
    if param.get("type") == "array":
        style, explode = _COLLECTION.get(str(param.get("collectionFormat", "csv")), ("form", False))
        if param.get("in") in ("path", "header"):
            style = "simple"
        out["style"], out["explode"] = style, explode
    return out


def _request_body(params: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        content = {
            media: {"schema": _schema(body.get("schema", {}))}
            for media in consumes
            if media not in FORM_MEDIA
        }
        out: dict[str, Any] = {
            "content": content or {"application/json": {"schema": _schema(body.get("schema", {}))}}
        }
        if body.get("required"):
            out["required"] = True
        if body.get("description"):
            out["description"] = body["description"]
        return out
    form = [p for p in params if p.get("in") == "formData"]
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    for p in form:
        schema["properties"][p.get("name")] = _parameter(p).get("schema", {})
    required = [p.get("name") for p in form if p.get("required")]
    if required:
        schema["required"] = required
    files = any(p.get("type") == "file" for p in form)
    medias = [m for m in consumes if m in FORM_MEDIA] or [FORM_MEDIA[1] if files else FORM_MEDIA[0]]
    out = {"content": {media: {"schema": schema} for media in medias}}
    if required:
        out["required"] = True
    return out


def _response(response: Any, produces: list[str]) -> Any:
    if not isinstance(response, dict) or "$ref" in response:
        return response
    out = {k: v for k, v in response.items() if k not in ("schema", "headers", "examples")}
    out.setdefault("description", "")
    if "schema" in response:
        out["content"] = {media: {"schema": _schema(response["schema"])} for media in produces}
    if isinstance(response.get("headers"), dict):
        out["headers"] = {name: _parameter(h) for name, h in response["headers"].items()}
    return out


def _security(scheme: Any) -> Any:
    if not isinstance(scheme, dict):
        return scheme
    kind = scheme.get("type")
    extras = {k: v for k, v in scheme.items() if k.startswith("x-") or k == "description"}
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **extras}
    if kind == "oauth2":
        flow: dict[str, Any] = {"scopes": scheme.get("scopes") or {}}
        for key in ("authorizationUrl", "tokenUrl"):
            if key in scheme:
                flow[key] = scheme[key]
        return {"type": "oauth2", "flows": {_FLOWS.get(str(scheme.get("flow")), "implicit"): flow}, **extras}
    return scheme


def _path_item(item: Any, consumes: list[str], produces: list[str]) -> Any:
    if not isinstance(item, dict) or "$ref" in item:
        return item
    out: dict[str, Any] = {}
    shared = [p for p in item.get("parameters") or [] if isinstance(p, dict)]
    for key, value in item.items():
        if key == "parameters":
            kept = [_parameter(p) for p in shared if p.get("in") not in ("body", "formData")]
            if kept:
                out["parameters"] = kept
        elif key in ("get", "put", "post", "delete", "options", "head", "patch") and isinstance(value, dict):
            out[key] = _operation(value, shared, consumes, produces)
        else:
            out[key] = value
    return out


def _operation(
    op: dict[str, Any], shared: list[dict[str, Any]], consumes: list[str], produces: list[str]
) -> dict[str, Any]:
    consumes = op.get("consumes") or consumes
    produces = op.get("produces") or produces
    out = {
        k: v for k, v in op.items() if k not in ("parameters", "responses", "consumes", "produces", "schemes")
    }
    params = [p for p in op.get("parameters") or [] if isinstance(p, dict)]
    body_like = [p for p in shared + params if p.get("in") in ("body", "formData")]
    body_refs = [p for p in params if isinstance(p.get("$ref"), str) and "/requestBodies/" in p["$ref"]]
    kept = [_parameter(p) for p in params if p.get("in") not in ("body", "formData") and p not in body_refs]
    if kept:
        out["parameters"] = kept
    if body_like:
        out["requestBody"] = _request_body(body_like, consumes)
    elif body_refs:
        out["requestBody"] = {"$ref": body_refs[0]["$ref"]}
    out["responses"] = {str(code): _response(r, produces) for code, r in (op.get("responses") or {}).items()}
    return out
