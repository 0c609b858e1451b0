"""HSTS is judged by its max-age; Cache-Control directives are read whatever their case and order."""

from __future__ import annotations

import httpx

from providers.readiness.headers import cache_directives, hsts_verdict
from providers.results import Verdict

YEAR = 31536000


def answer(**headers: str) -> httpx.Response:
    return httpx.Response(200, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_hsts_needs_a_long_enough_max_age() -> None:
    assert hsts_verdict(answer(), YEAR)[0] is Verdict.FAIL
    assert hsts_verdict(answer(strict_transport_security="max-age=300"), YEAR)[0] is Verdict.FAIL
    verdict, observed = hsts_verdict(
        answer(strict_transport_security="includeSubDomains; max-age=63072000"), YEAR
    )
    assert verdict is Verdict.PASS and "63072000" in observed
    assert hsts_verdict(answer(strict_transport_security='max-age="31536000"'), YEAR)[0] is Verdict.PASS


def test_cache_directives() -> None:
    assert cache_directives(answer(cache_control="No-Store, max-age=0")) == {"no-store", "max-age"}
    assert "no-store" not in cache_directives(answer(cache_control="public, max-age=300"))
