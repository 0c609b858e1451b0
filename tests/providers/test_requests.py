"""Example requests built from the contracts: valid values, and resources the account owns."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from contractgate.embedded import embedded_stubs
from contracts import openapi_specs
from providers.contract import Operation, all_operations
from providers.examples import example_of
from providers.platform import DEFAULT_HOOK_PATH
from providers.requests import RequestBuilder, Unavailable, bearer, genuine_token
from providers.suite import RunContext
from providers.target import Target, url_target
from tests.providers.tokens.support import opened

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Name": {"type": "string", "minLength": 3, "maxLength": 5},
            "Thing": {
                "type": "object",
                "required": ["id", "name", "kind", "count", "when", "tags"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"$ref": "#/components/schemas/Name"},
                    "kind": {"enum": ["a", "b"]},
                    "count": {"type": "integer", "minimum": 5, "maximum": 9},
                    "when": {"type": "string", "format": "date-time"},
                    "tags": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"type": "string", "pattern": "^[0-9]+$"},
                    },
                    "optional": {"type": "string"},
                },
            },
        }
    }
}


def test_values_satisfy_their_schemas() -> None:
    thing = example_of(DOCUMENT, {"$ref": "#/components/schemas/Thing"})
    assert set(thing) == {"id", "name", "kind", "count", "when", "tags"}
    assert re.fullmatch(r"[0-9a-f-]{36}", thing["id"])
    assert 3 <= len(thing["name"]) <= 5
    assert thing["kind"] == "a" and thing["count"] == 5
    assert thing["when"].endswith("Z")
    assert len(thing["tags"]) == 2 and all(t.isdigit() for t in thing["tags"])
    assert example_of(DOCUMENT, {"type": "string", "default": "d", "example": "e"}) == "e"
    assert example_of(DOCUMENT, {"oneOf": [{"type": "null"}, {"type": "integer", "maximum": 0}]}) == 0
    assert example_of(
        DOCUMENT, {"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}}]}
    ) == {"a": 1}
    with pytest.raises(Unavailable, match="pattern"):
        example_of(DOCUMENT, {"type": "string", "pattern": "^x{3}y$"})


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


def op(label: str) -> Operation:
    return next(o for o in all_operations(openapi_specs()) if o.label == label)


def test_resources_come_from_the_links_and_belong_to_the_owner(stubs: Target) -> None:
    with opened(stubs) as ctx:
        check_ownership(ctx)


def check_ownership(ctx: RunContext) -> None:
    builder = RequestBuilder(ctx)
    request = builder.build(op("GET /v2/runs/{run_id}"), owner="admin")
    assert request.provenance == {"run_id": "run_id from startRun"}
    admin = genuine_token(ctx, op("GET /v2/runs/{run_id}").requirements[0], account="admin")
    assert request.send(ctx.http, bearer(admin.value)).status_code == 200
    member = ctx.tokens.user("member", "backend")
    assert request.send(ctx.http, bearer(member.value)).status_code == 404
    # Reads reuse what was made; writes get their own.
    assert builder.build(op("GET /v2/runs/{run_id}"), owner="admin").url == request.url
    delete = op("DELETE /v2/threads/{thread_id}")
    assert builder.build(delete).url != builder.build(delete).url


def test_bodies_follow_the_media_type(stubs: Target) -> None:
    with opened(stubs) as ctx:
        builder = RequestBuilder(ctx)
        form = builder.build(op("POST /v2/auth/introspect"))
        created = builder.build(op("POST /v2/threads"))
        logout = builder.build(op("POST /v1/auth/logout"))
    assert dict(form.headers)["Content-Type"] == "application/x-www-form-urlencoded"
    assert form.content == b"token=contractgate"
    assert json.loads(created.content or b"") == {"name": "contractgate"}
    assert logout.content is None  # an optional body is left out


def test_on_a_live_target_writes_are_not_followed_but_provider_states_are(stubs: Target) -> None:
    urls = {name: service.base_url for name, service in stubs.services.items()}
    with opened(url_target("staging", urls, live=True)) as ctx:
        with pytest.raises(Unavailable, match="staging-safe.*sandbox.*no provider-state hook"):
            RequestBuilder(ctx).build(op("GET /v2/threads/{thread_id}"))
    with opened(url_target("staging", urls, live=True, states=DEFAULT_HOOK_PATH)) as ctx:
        request = RequestBuilder(ctx).build(op("GET /v2/threads/{thread_id}"))
    assert request.provenance == {"thread_id": "thread_id from provider state 'a thread exists'"}
