"""The readiness section as the manifest declares it: typed, its mistakes named with the file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from providers.errors import ContractError
from providers.platform import Platform, of_folder
from providers.readiness.manifest import readiness


def of(section: Any) -> Any:
    return readiness(Platform(source=Path("/c/platform.yaml"), raw={"readiness": section}))


def test_the_reference_section() -> None:
    declared = readiness(of_folder())
    assert set(declared.health) == {"auth-service", "backend-service", "websocket-service"}
    assert declared.health["websocket-service"].expects == ("auth-service", "backend-service")
    budgets = {(b.service, b.label): b for b in declared.budgets}
    assert budgets[("backend-service", "GET /v2/users/me")].limits == {95: 250.0}
    assert all(b.samples == 20 for b in budgets.values())


def test_short_and_long_forms() -> None:
    declared = of(
        {
            "health": {
                "api": "GET /healthz",
                "db": {"operation": "get /ready", "healthy": ["pass"], "expects": ["x"]},
            },
            "latency": {
                "samples": 5,
                "warmup": 0,
                "budgets": {"api": {"GET /things": {"p99_ms": 50, "max_ms": 80, "samples": 9}}},
            },
        }
    )
    assert declared.health["api"].label == "GET /healthz" and declared.health["api"].healthy == ("ok",)
    assert declared.health["db"].label == "GET /ready" and declared.health["db"].healthy == ("pass",)
    (budget,) = declared.budgets
    assert budget.limits == {99: 50.0, 100: 80.0} and budget.samples == 9 and declared.warmup == 0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"health": {"api": "/health"}}, "readiness.health.api: '/health' is not an operation"),
        (
            {"health": {"api": {"operation": "GET /h", "expect": []}}},
            "readiness.health.api.expect: unknown key",
        ),
        (
            {"latency": {"budgets": {"api": {"GET /t": {"p95": 10}}}}},
            "readiness.latency.budgets.api.GET /t.p95: unknown key",
        ),
        (
            {"latency": {"budgets": {"api": {"GET /t": {"p95_ms": 0}}}}},
            "p95_ms: must be a number of milliseconds above 0",
        ),
        ({"latency": {"budgets": {"api": {"GET /t": {"samples": 3}}}}}, "declare at least one of p50_ms"),
        ({"latency": {"samples": 100000}}, "readiness.latency.samples: must be a whole number from 1 to 500"),
        ({"budgets": {}}, "readiness.budgets: unknown key"),
    ],
)
def test_a_mistake_names_the_file_and_the_key(section: Any, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        of(section)
    assert str(caught.value).startswith("/c/platform.yaml: ") and message in str(caught.value)
