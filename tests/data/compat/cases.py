"""One pair of documents per compat rule: the source of `tests/data/compat/<rule>/{old,new}.yaml`.

Each case is written out by hand with the severities the rule must have — the contract of the rule,
not read back from the rule table. Schema cases put the old and the new schema where a client sends
it (the body of `POST /things`) and where it reads it (the body of `GET /things`), and expect a
severity for each; document cases give whole documents and one severity. `python -m
tests.data.compat.cases` rewrites the files; `test_rule_pairs` checks they are current and that
compat reports every rule on its pair.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
B, D, N = "breaking", "deprecation", "non-breaking"
S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741


@dataclass(frozen=True)
class Case:
    rule: str
    old: dict[str, Any]
    new: dict[str, Any]
    #: (location fragment, severity): every one must be reported with this rule and severity
    expect: tuple[tuple[str, str], ...]


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def doc(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "things", "version": "1.0.0"}, "paths": paths, **extra}


def ok(schema: Any = None, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok", **extra}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def things(schema: Any) -> dict[str, Any]:
    """The schema as the body clients send (POST /things) and the one they read (GET /things)."""
    return doc(
        {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": copy.deepcopy(schema)}},
                    },
                    "responses": {"204": {"description": "created"}},
                },
                "get": {"operationId": "readThing", "responses": {"200": ok(copy.deepcopy(schema))}},
            }
        }
    )


def schema_case(rule: str, old: Any, new: Any, request: str | None, response: str | None) -> Case:
    """None for a direction the rule is never reported in (the other direction's rule covers it)."""
    expect = tuple(
        (where, severity)
        for where, severity in (("POST /things", request), ("GET /things", response))
        if severity
    )
    return Case(rule, things(old), things(new), expect)


def op(**extra: Any) -> dict[str, Any]:
    return {"responses": {"200": ok(S)}, **extra}


def one(rule: str, old: dict[str, Any], new: dict[str, Any], where: str, severity: str) -> Case:
    return Case(rule, old, new, ((where, severity),))


def query(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": S, **extra}


def get_with(**extra: Any) -> dict[str, Any]:
    return doc({"/a": {"get": op(**extra)}})


def body(content: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return doc(
        {
            "/a": {
                "post": {
                    "requestBody": {"required": required, "content": content},
                    "responses": {"204": {"description": "x"}},
                }
            }
        }
    )


def statuses(responses: dict[str, Any]) -> dict[str, Any]:
    return doc({"/a": {"get": {"responses": responses}}})


def headers(values: dict[str, Any]) -> dict[str, Any]:
    return statuses({"200": ok(S, headers=values)})


SCHEMES = {
    "token": {"type": "http", "scheme": "bearer"},
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
}


def secured(security: list[Any], schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    return doc({"/a": {"get": op(security=security)}}, components={"securitySchemes": schemes or SCHEMES})


def hook(payload: Any, name: str = "thingCreated") -> dict[str, Any]:
    return doc({}, webhooks={name: {"post": {"requestBody": {"content": {"application/json": {"schema": payload}}},
                                             "responses": {"200": {"description": "ok"}}}}})  # fmt: skip


def callback(payload: Any) -> dict[str, Any]:
    cb = {"{$request.body#/url}": {"post": {"requestBody": {"content": {"application/json": {"schema": payload}}},
                                            "responses": {"200": {"description": "ok"}}}}}  # fmt: skip
    return doc(
        {"/subscribe": {"post": {"callbacks": {"onEvent": cb}, "responses": {"201": {"description": "x"}}}}}
    )


def all_cases() -> list[Case]:
    from tests.data.compat.documents import document_cases
    from tests.data.compat.schemas import schema_cases

    return [*schema_cases(), *document_cases()]


def files(case: Case) -> dict[str, str]:
    def dump(value: Any) -> str:
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True)

    expect = {"rule": case.rule, "expect": [{"where": w, "severity": s} for w, s in case.expect]}
    return {"old.yaml": dump(case.old), "new.yaml": dump(case.new), "expect.yaml": dump(expect)}


def write() -> None:
    for case in all_cases():
        folder = HERE / case.rule
        folder.mkdir(exist_ok=True)
        for name, text in files(case).items():
            (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write()
