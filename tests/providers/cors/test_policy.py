"""The browser policy as the manifest declares it: typed, its mistakes named, its probe origins honest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from providers.cors.policy import ARBITRARY_ORIGIN, Origins, browser_policy
from providers.errors import ContractError
from providers.platform import Platform, of_folder


def policy_of(browser: Any) -> Any:
    return browser_policy(Platform(source=Path("/c/platform.yaml"), raw={"browser": browser}))


def test_the_reference_policy_is_read_from_the_contracts() -> None:
    policy = browser_policy(of_folder())
    assert policy.declared and set(policy.services) == {"auth-service", "backend-service"}
    backend = policy.services["backend-service"]
    assert backend.credentials and backend.max_age == 600 and backend.methods == ("GET", "POST", "DELETE")
    assert (
        backend.covers("/v2/threads")
        and not backend.covers("/v1/threads")
        and not backend.covers("/internal/v1/runs/x")
    )
    assert policy.websocket is not None and policy.websocket.refused_status == 403


def test_no_section_means_no_declared_policy() -> None:
    assert not browser_policy(Platform()).declared


@pytest.mark.parametrize(
    ("browser", "message"),
    [
        (
            {"services": {"api": {"origins": ["app.example.com"]}}},
            "browser.services.api.origins: 'app.example.com' is not an origin",
        ),
        (
            {"services": {"api": {"origins": ["*"], "credentials": True}}},
            "browser.services.api.credentials: cannot be true",
        ),
        (
            {"services": {"api": {"origins": ["https://a.example"], "max_age": "ten"}}},
            "browser.services.api.max_age: must be",
        ),
        (
            {"services": {"api": {"origin": ["https://a.example"]}}},
            "browser.services.api.origin: unknown key",
        ),
        (
            {"services": {"api": {"origin_patterns": ["https://a.example"]}}},
            "origin_patterns: 'https://a.example' is not an origin with a `*` label",
        ),
        (
            {"websocket": {"origins": ["https://a.example"], "refused_status": 200}},
            "browser.websocket.refused_status: must be an HTTP error status",
        ),
        ({"cookies": {}}, "browser.cookies: unknown key"),
    ],
)
def test_a_mistake_names_the_file_and_the_key(browser: Any, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        policy_of(browser)
    assert str(caught.value).startswith("/c/platform.yaml: ") and message in str(caught.value)


def test_a_pattern_stands_for_exactly_one_label() -> None:
    origins = Origins(("https://app.example.com",), ("https://*.preview.example.com",))
    assert origins.allows("https://pr-12.preview.example.com")
    assert not origins.allows("https://a.b.preview.example.com")
    assert not origins.allows("https://pr-12.preview.example.com.evil.invalid")
    assert not origins.allows("http://pr-12.preview.example.com")
    assert not origins.static and Origins(("https://app.example.com",)).static


def test_the_probe_origins_are_look_alikes_the_declaration_does_not_allow() -> None:
    origins = Origins(("https://app.example.com", "https://contractgate-probe.app.example.com"))
    probes = origins.disallowed_probes("https://app.example.com")
    assert probes["suffix"] == "https://app.example.com.contractgate-probe.invalid"
    assert probes["prefix"] == "https://contractgate-probeapp.example.com"
    assert probes["scheme"] == "http://app.example.com"
    assert probes["null"] == "null" and probes["arbitrary"] == ARBITRARY_ORIGIN
    # A look-alike the policy does allow is no probe of a disallowed origin.
    assert "subdomain" not in probes
    assert all(not origins.allows(probe) for probe in probes.values())
