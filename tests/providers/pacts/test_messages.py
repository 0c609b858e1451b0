"""The WebSocket relay's own logic: filling ProviderState generators as the verifier does for HTTP."""

from __future__ import annotations

import pytest

from contracts import asyncapi_spec
from providers.pacts.messages import RelayError, apply_provider_state
from providers.pacts.suite import channel_of


def test_a_lone_expression_keeps_its_json_type() -> None:
    body = {"type": "resume", "payload": {"session_id": "example", "last_seq": 1}}
    generators = {
        "$.payload.session_id": {"type": "ProviderState", "expression": "${session_id}"},
        "$.payload.last_seq": {"type": "ProviderState", "expression": "${last_seq}"},
    }
    filled = apply_provider_state(body, generators, {"session_id": "real", "last_seq": 7})
    assert filled["payload"] == {"session_id": "real", "last_seq": 7}


def test_expressions_inside_text_and_metadata_keys() -> None:
    metadata = {"Sec-WebSocket-Protocol": "events.v1, bearer.x", "contentType": "application/json"}
    generators = {
        "Sec-WebSocket-Protocol": {"type": "ProviderState", "expression": "events.v1, ${subprotocol}"}
    }
    filled = apply_provider_state(metadata, generators, {"subprotocol": "bearer.abc"})
    assert filled["Sec-WebSocket-Protocol"] == "events.v1, bearer.abc"


def test_other_generators_keep_the_example_and_indexes_work() -> None:
    body = {"items": [{"id": "a"}], "n": 3}
    generators = {
        "$.items[0].id": {"type": "ProviderState", "expression": "${id}"},
        "$.n": {"type": "RandomInt", "min": 1, "max": 9},
    }
    assert apply_provider_state(body, generators, {"id": "b"}) == {"items": [{"id": "b"}], "n": 3}


def test_a_value_the_state_did_not_give_is_an_error_naming_it() -> None:
    with pytest.raises(RelayError, match="no value for run_id .*it gave: token"):
        apply_provider_state(
            {"run_id": "x"},
            {"$.run_id": {"type": "ProviderState", "expression": "${run_id}"}},
            {"token": "t"},
        )


def test_the_channel_comes_from_the_asyncapi_document() -> None:
    channel = channel_of(asyncapi_spec())
    assert channel is not None
    assert (channel.service, channel.address, channel.correlation) == ("websocket-service", "/ws", "id")
    assert channel_of(None) is None
