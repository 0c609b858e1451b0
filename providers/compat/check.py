"""The shape of a whole document, checked before comparing: one line per wrongly typed field, exit 2.

A comparison only reads the parts both documents share, so a `requestBody: "x"` in an operation that
exists on one side only, or `type: 5` in a schema nothing compares, would otherwise pass unseen. This
walk follows the OpenAPI object model (paths, operations, parameters, bodies, responses, headers,
media types, callbacks, webhooks, components) and the JSON Schema keywords compat reads, and raises a
`ContractError` naming the file and the JSON pointer of the first field of the wrong type. It does not
follow `$ref`s (their targets are checked where they are) and ignores what compat does not read
(`examples`, `links`, `servers`, extensions). It visits each value once.
"""

from __future__ import annotations

from typing import Any

from providers.compat.bundle import display_pointer
from providers.compat.flatten import JSON_TYPES
from providers.compat.resolve import escape, type_name
from providers.errors import ContractError

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace", "query")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("additionalProperties", "unevaluatedProperties", "unevaluatedItems", "additionalItems", "not", "if",
               "then", "else", "contains", "propertyNames", "contentSchema")  # fmt: skip
_NUMBERS = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "minProperties", "maxProperties",
            "minContains", "maxContains", "multipleOf")  # fmt: skip

Task = tuple[str, Any, str]  # (kind of object, value, pointer)


class _Checker:
    def __init__(self, label: str) -> None:
        self.label = label
        self.tasks: list[Task] = []

    def fail(self, pointer: str, what: str, want: str, value: Any) -> ContractError:
        return ContractError(
            f"{self.label}: {display_pointer(pointer)}: {what} must be {want}, found {type_name(value)}"
        )

    def mapping(self, value: Any, pointer: str, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(pointer, what, "a mapping", value)
        return value

    def each(self, kind: str, value: Any, pointer: str, what: str) -> None:
        """`value` is a mapping of objects of `kind` (or a $ref to one)."""
        for key, item in self.mapping(value, pointer, what).items():
            self.tasks.append((kind, item, f"{pointer}/{escape(str(key))}"))

    def run(self, document: dict[str, Any]) -> None:
        self.tasks.append(("root", document, "#"))
        while self.tasks:
            kind, value, pointer = self.tasks.pop()
            if isinstance(value, dict) and "$ref" in value and kind != "schema":
                continue
            getattr(self, f"_{kind}")(value, pointer)

    # --- the OpenAPI object model ---------------------------------------------------------------

    def _root(self, doc: dict[str, Any], pointer: str) -> None:
        for key, kind in (("paths", "path_item"), ("webhooks", "path_item")):
            if key in doc:
                self.each(kind, doc[key], f"#/{key}", key)
        components = doc.get("components")
        if components is None:
            return
        self.mapping(components, "#/components", "components")
        sections = {"schemas": "schema", "parameters": "parameter", "requestBodies": "body", "responses": "response",
                    "headers": "header", "pathItems": "path_item", "callbacks": "callback", "securitySchemes": "any_mapping"}  # fmt: skip
        for section, kind in sections.items():
            if section in components:
                self.each(kind, components[section], f"#/components/{section}", f"components.{section}")

    def _path_item(self, item: Any, pointer: str) -> None:
        self.mapping(item, pointer, "a path item")
        if "parameters" in item:
            self._parameters(item["parameters"], f"{pointer}/parameters")
        for method in METHODS:
            if method in item:
                self.tasks.append(("operation", item[method], f"{pointer}/{method}"))

    def _parameters(self, value: Any, pointer: str) -> None:
        if not isinstance(value, list):
            raise self.fail(pointer, "parameters", "a list", value)
        self.tasks.extend(("parameter", p, f"{pointer}/{i}") for i, p in enumerate(value))

    def _operation(self, op: Any, pointer: str) -> None:
        self.mapping(op, pointer, "an operation")
        if "parameters" in op:
            self._parameters(op["parameters"], f"{pointer}/parameters")
        if "requestBody" in op:
            self.tasks.append(("body", op["requestBody"], f"{pointer}/requestBody"))
        if "responses" in op:
            self.each("response", op["responses"], f"{pointer}/responses", "responses")
        if "callbacks" in op:
            self.each("callback", op["callbacks"], f"{pointer}/callbacks", "callbacks")
        if "security" in op and not isinstance(op["security"], list):
            raise self.fail(f"{pointer}/security", "security", "a list", op["security"])
        if "tags" in op and not isinstance(op["tags"], list):
            raise self.fail(f"{pointer}/tags", "tags", "a list", op["tags"])

    def _callback(self, value: Any, pointer: str) -> None:
        self.each("path_item", value, pointer, "a callback")

    def _parameter(self, param: Any, pointer: str) -> None:
        self.mapping(param, pointer, "a parameter")
        self._schema_or_content(param, pointer)

    def _header(self, header: Any, pointer: str) -> None:
        self.mapping(header, pointer, "a header")
        self._schema_or_content(header, pointer)

    def _schema_or_content(self, value: dict[str, Any], pointer: str) -> None:
        if "schema" in value:
            self.tasks.append(("schema", value["schema"], f"{pointer}/schema"))
        if "content" in value:
            self.each("media", value["content"], f"{pointer}/content", "content")

    def _body(self, body: Any, pointer: str) -> None:
        self.mapping(body, pointer, "requestBody")
        if "content" in body:
            self.each("media", body["content"], f"{pointer}/content", "content")

    def _response(self, response: Any, pointer: str) -> None:
        self.mapping(response, pointer, "a response")
        if "headers" in response:
            self.each("header", response["headers"], f"{pointer}/headers", "headers")
        if "content" in response:
            self.each("media", response["content"], f"{pointer}/content", "content")

    def _media(self, media: Any, pointer: str) -> None:
        self.mapping(media, pointer, "a media type")
        if "schema" in media:
            self.tasks.append(("schema", media["schema"], f"{pointer}/schema"))

    def _any_mapping(self, value: Any, pointer: str) -> None:
        self.mapping(value, pointer, "an object")

    # --- schemas --------------------------------------------------------------------------------

    def _schema(self, schema: Any, pointer: str) -> None:
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            raise self.fail(pointer, "a schema", "a mapping or a boolean", schema)
        if "$ref" in schema and not isinstance(schema["$ref"], str):
            raise self.fail(f"{pointer}/$ref", "$ref", "a string", schema["$ref"])
        declared = schema.get("type")
        if declared is not None:
            names = [declared] if isinstance(declared, str) else declared
            if not isinstance(names, list) or not all(isinstance(t, str) and t in JSON_TYPES for t in names):
                raise ContractError(f"{self.label}: {display_pointer(pointer)}/type: type must be one of "
                                    f"{', '.join(sorted(JSON_TYPES))} or a list of them, found {declared!r}"[:300])  # fmt: skip
        required = schema.get("required")
        if required is not None and not isinstance(required, bool):
            if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
                raise self.fail(f"{pointer}/required", "required", "a list of property names", required)
        if "enum" in schema and not isinstance(schema["enum"], list):
            raise self.fail(f"{pointer}/enum", "enum", "a list", schema["enum"])
        for key in _NUMBERS:
            if key in schema and (not isinstance(schema[key], (int, float)) or isinstance(schema[key], bool)):
                raise self.fail(f"{pointer}/{key}", key, "a number", schema[key])
        for key in ("pattern", "format"):
            if key in schema and not isinstance(schema[key], str):
                raise self.fail(f"{pointer}/{key}", key, "a string", schema[key])
        for key in _SCHEMA_MAPS:
            if key in schema:
                self.each("schema", schema[key], f"{pointer}/{escape(key)}", key)
        for key in _SCHEMA_LISTS:
            if key in schema:
                if not isinstance(schema[key], list):
                    raise self.fail(f"{pointer}/{key}", key, "a list", schema[key])
                self.tasks.extend(("schema", s, f"{pointer}/{key}/{i}") for i, s in enumerate(schema[key]))
        items = schema.get("items")
        if isinstance(items, list):
            self.tasks.extend(("schema", s, f"{pointer}/items/{i}") for i, s in enumerate(items))
        elif items is not None:
            self.tasks.append(("schema", items, f"{pointer}/items"))
        for key in _SCHEMA_ONE:
            if key in schema:
                self.tasks.append(("schema", schema[key], f"{pointer}/{key}"))


def check(document: dict[str, Any], label: str) -> None:
    """Raise a `ContractError` at the first wrongly typed field of `document`."""
    _Checker(label).run(document)
