"""The real Schemathesis CLI (not contractgate's wrapper) against `contractgate stubs serve`: every spec,
every check, authenticated as each operation's security requirement says — no failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from contracts import SpecFile, openapi_specs
from providers.contract import operations_of
from stubs.demo import CLIENTS
from tests.e2e.conftest import ROOT, ServedStubs

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


def token(auth_url: str, **form: str) -> str:
    response = httpx.post(f"{auth_url}/v2/auth/token", data=form, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


def runs(spec: SpecFile) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """One CLI run per token a user would need: (kind, audience + scopes, operation ids)."""
    groups: dict[tuple[str, str], list[str]] = {}
    scopes: dict[str, set[str]] = {}
    for op in operations_of(spec):
        requirement = op.requirements[0] if op.requirements else None
        if requirement is None or requirement.kind == "user":
            key = ("user", "")
        else:
            key = ("service", requirement.audiences[0])
            scopes.setdefault(key[1], set()).update(requirement.scopes)
        groups.setdefault(key, []).append(op.operation_id)
    return [(kind, (aud, *sorted(scopes.get(aud, ()))), ids) for (kind, aud), ids in groups.items()]


@pytest.mark.parametrize("spec", openapi_specs(), ids=lambda s: s.name)
def test_the_schemathesis_cli_finds_no_failure(served: ServedStubs, spec: SpecFile) -> None:
    auth = served.urls["auth-service"]
    for kind, (audience, *needed), ids in runs(spec):
        if kind == "user":
            bearer = token(
                auth, grant_type="password", username="alice@example.com", password="alice-password"
            )
        else:
            client = next(c for c in CLIENTS if set(needed) <= set(c.scopes_by_audience.get(audience, ())))
            bearer = token(
                auth,
                grant_type="client_credentials",
                client_id=client.client_id,
                client_secret=client.secret,
                audience=audience,
                scope=" ".join(needed),
            )
        command = [SCHEMATHESIS, "run", str(spec.path), "--url", served.urls[spec.service], "--checks", "all"]
        command += ["--max-examples", "10", "--seed", "1", "-H", f"Authorization: Bearer {bearer}"]
        for operation_id in ids:
            command += ["--include-operation-id", operation_id]
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert completed.returncode == 0, f"{kind} run of {spec.name}:\n{completed.stdout[-3000:]}"
