"""The `pacts` suite: green on the real stubs; red, naming interaction and mismatch, on broken ones.

Every test goes through the gate (`run_gate` with the `pacts` suite), as `contractgate gate` and
`contractgate pacts verify` do: HTTP interactions through pact's FFI verifier with the stubs' provider
states, WebSocket messages over real sockets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest

from contractgate.embedded import embedded_stubs
from contracts import pact_files
from providers.pacts.sources import LoadedPacts, parse_pact
from providers.platform import DEFAULT_HOOK_PATH
from providers.results import Verdict
from providers.target import Target, url_target
from stubs.auth import create_app as auth_app
from stubs.backend import create_app as backend_app
from stubs.platform import PlatformOptions
from stubs.websocket import create_app as websocket_app
from tests.providers.pacts.broken_providers import (
    EditJsonResponses,
    SkewSeq,
    by_interaction,
    change_status,
    rename_field,
    verify,
)

INTERACTIONS = sum(len(json.loads(p.read_text())["interactions"]) for p in pact_files())


@pytest.fixture(scope="module")
def stubs() -> Iterator[Target]:
    with embedded_stubs() as (_, target):
        yield target


def test_every_pact_verifies_against_the_stubs(stubs: Target) -> None:
    results = verify(stubs)
    failed = [f"{r.operation}: {r.observed}" for r in results if r.verdict is not Verdict.PASS]
    assert failed == []
    assert len(results) == INTERACTIONS
    kinds = {r.details["kind"] for r in results}
    assert kinds == {"http", "sync-message"}
    assert all(r.suite == "pacts" and r.check == "pact" and " → " in r.operation for r in results)


def test_a_renamed_field_fails_naming_the_interaction_and_the_path() -> None:
    def factory(settings: object) -> object:
        return EditJsonResponses(backend_app(settings), "POST", r"/v2/threads", rename_field("name", "title"))

    with embedded_stubs(PlatformOptions(backend_factory=factory)) as (_, target):
        results = by_interaction(verify(target, providers=("backend-service",), consumers=("web-frontend",)))
    broken = results["a new thread"]
    assert broken.verdict is Verdict.FAIL
    assert broken.operation == "web-frontend → backend-service: a new thread"
    assert any(m["path"] == "$" and "name" in m["mismatch"] for m in broken.details["mismatches"])
    assert broken.details["provider_states"] == [
        {"name": "a user is logged in", "params": {"user": "alice@example.com"}}
    ]
    assert results["a request for one of the user's threads"].verdict is Verdict.PASS


def test_a_changed_status_code_fails() -> None:
    def factory(settings: object) -> object:
        return EditJsonResponses(backend_app(settings), "POST", r"/v2/threads", change_status(201, 200))

    with embedded_stubs(PlatformOptions(backend_factory=factory)) as (_, target):
        results = by_interaction(verify(target, providers=("backend-service",), consumers=("web-frontend",)))
    broken = results["a new thread"]
    assert broken.verdict is Verdict.FAIL
    assert {
        "path": "status",
        "expected": "201",
        "actual": "200",
        "mismatch": "expected 201 but was 200",
    } in broken.details["mismatches"]
    assert "status: expected 201 but was 200" in broken.observed


def test_a_removed_v1_route_fails_the_legacy_app() -> None:
    def factory(settings: object) -> object:
        return auth_app(settings, without=("POST /v1/auth/login",))

    with embedded_stubs(PlatformOptions(auth_factory=factory)) as (_, target):
        results = by_interaction(
            verify(target, providers=("auth-service",), consumers=("mobile-app-legacy",))
        )
    assert results["a v1 login"].verdict is Verdict.FAIL
    assert any(m["path"] == "status" for m in results["a v1 login"].details["mismatches"])
    assert results["a v1 login with a wrong password"].verdict is Verdict.FAIL
    assert results["a v1 token refresh"].verdict is Verdict.PASS


def test_a_websocket_reply_with_the_wrong_seq_fails() -> None:
    def factory(settings: object) -> object:
        return SkewSeq(websocket_app(settings))

    with embedded_stubs(PlatformOptions(websocket_factory=factory)) as (_, target):
        results = by_interaction(verify(target, providers=("websocket-service",)))
    ping = results["a ping"]
    assert ping.verdict is Verdict.FAIL
    assert ping.operation == "web-frontend → websocket-service: a ping"
    assert [(m["path"], m["expected"], m["actual"]) for m in ping.details["mismatches"]] == [
        ("$.seq", "2", "3")
    ]
    assert results["a subscription to a run in progress"].verdict is Verdict.FAIL
    assert results["a connection authenticated with a bearer header"].verdict is Verdict.PASS


def test_a_live_target_without_a_hook_reaches_read_only_states_and_skips_the_rest(stubs: Target) -> None:
    # Staging-safe, no hook, no sandbox: states made of logins are reached through the public API;
    # those that write (or need the issuer's key) are skips naming the setting — never passes.
    live = url_target("staging", {name: s.base_url for name, s in stubs.services.items()}, live=True)
    results = verify(live)
    assert len(results) == INTERACTIONS
    stateful = [r for r in results if r.details["provider_states"]]
    assert {r.verdict for r in stateful} == {Verdict.PASS, Verdict.SKIPPED}
    for result in stateful:
        if result.verdict is Verdict.SKIPPED:
            assert "sandbox" in result.observed or "signing_key_env" in result.observed, result.observed
        else:
            assert result.reproduction and "reached through the public API" in result.reproduction
    skipped = {r.details["interaction"] for r in stateful if r.verdict is Verdict.SKIPPED}
    assert "a new thread" in skipped and "a request for one of the user's threads" in skipped
    assert "a request for the user's profile" not in skipped  # a login is no write
    stateless = [r for r in results if not r.details["provider_states"]]
    assert stateless and all(r.verdict is Verdict.PASS for r in stateless)  # the JWKS, read-only


def test_a_provider_missing_from_the_target_skips_its_pacts(stubs: Target) -> None:
    auth = stubs.service("auth-service")
    only_auth = url_target("auth-only", {"auth-service": auth.base_url}, live=False, states=DEFAULT_HOOK_PATH)
    results = verify(only_auth)
    skipped = [r for r in results if r.service != "auth-service"]
    assert {r.operation for r in skipped} == {
        "mobile-app-legacy → backend-service",
        "web-frontend → backend-service",
        "web-frontend → websocket-service",
        "websocket-service → backend-service",
    }
    assert all(r.verdict is Verdict.SKIPPED and "has no" in r.observed for r in skipped)
    assert all(r.verdict is Verdict.PASS for r in results if r.service == "auth-service")


def _pact(name: str) -> dict:
    return json.loads(next(p for p in pact_files() if p.name == name).read_text())


def _only(document: dict, description: str, edit: object) -> LoadedPacts:
    document = copy.deepcopy(document)
    document["interactions"] = [i for i in document["interactions"] if i["description"] == description]
    edit(document["interactions"][0])  # type: ignore[operator]
    return LoadedPacts([parse_pact(document, "edited.json")], "edited")


def test_a_state_the_provider_does_not_know_fails_with_its_answer(stubs: Target) -> None:
    def typo(interaction: dict) -> None:
        interaction["providerStates"][0]["name"] = "a thread exits"

    source = _only(
        _pact("web-frontend-backend-service.json"), "a request for one of the user's threads", typo
    )
    [result] = verify(stubs, source=source)
    assert result.verdict is Verdict.FAIL
    assert "unknown provider state 'a thread exits'" in result.observed


def test_a_pending_interaction_that_fails_is_skipped_not_failed(stubs: Target) -> None:
    def pending_and_unmet(interaction: dict) -> None:
        interaction["pending"] = True
        interaction["response"]["status"] = 418

    source = _only(_pact("web-frontend-backend-service.json"), "a new thread", pending_and_unmet)
    [result] = verify(stubs, source=source)
    assert result.verdict is Verdict.SKIPPED and result.observed.startswith("pending")


def test_a_refused_handshake_fails_with_the_providers_answer(stubs: Target) -> None:
    def literal_token(interaction: dict) -> None:
        del interaction["request"]["generators"]  # the pact's example token, which no provider accepts

    source = _only(_pact("web-frontend-websocket-service.json"), "a ping", literal_token)
    [result] = verify(stubs, source=source)
    assert result.verdict is Verdict.FAIL
    assert "refused with HTTP 401" in result.observed


def test_reproductions_show_the_states_and_redact_secrets(stubs: Target) -> None:
    def unmet(interaction: dict) -> None:
        interaction["response"]["status"] = 200

    source = _only(
        _pact("web-frontend-backend-service.json"), "a deletion of one of the user's threads", unmet
    )
    [result] = verify(stubs, source=source)
    assert result.verdict is Verdict.FAIL and result.reproduction
    states_call, request = result.reproduction.splitlines()
    assert "/_contractgate/provider-states" in states_call and '"a thread exists"' in states_call
    assert request.startswith("curl -X DELETE") and "/v2/threads/${thread_id}" in request
    assert "eyJ" not in result.reproduction and "Authorization: [REDACTED]" in request
