"""A bounded Schemathesis run over every operation of both backend contracts, against the served stub.

A regression guard, not the fuzz suite: a few dozen generated cases per operation (valid and
invalid data) with every response check, a user token on the user API and a service token on the
internal API (pointed at a real run, so its answers are rendered, not only its 404s). The full CLI run (`schemathesis run … --checks all`) is the quality bar; this keeps
the stub from drifting between those runs.

The caller supplies the `Authorization` header, so Schemathesis is told not to generate security
parameters: otherwise it counts a case it drew without the header as invalid data, although the
caller's header was sent with it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.stubs.backend_support import ALICE, V1_SPEC, V2_SPEC, Backend, served

V1 = schemathesis.openapi.from_path(V1_SPEC.path)
V2 = schemathesis.openapi.from_path(V2_SPEC.path)
for _schema in (V1, V2):
    _schema.config.generation.update(with_security_parameters=False)
BOUNDED = settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with served(run_event_interval=0.05) as client:
        yield client


@pytest.fixture(scope="module")
def user_headers(backend: Backend) -> dict[str, str]:
    return {"Authorization": f"Bearer {backend.token(ALICE)}"}


@pytest.fixture(scope="module")
def service_headers(backend: Backend) -> dict[str, str]:
    return {"Authorization": f"Bearer {backend.service_token('agent-worker')}"}


@pytest.fixture(scope="module")
def run_id(backend: Backend) -> str:
    return str(backend.state("a run is in progress", user=ALICE)["run_id"])


@V2.exclude(path_regex="^/internal/").parametrize()
@BOUNDED
def test_v2_user_api_conforms(
    case: schemathesis.Case, backend: Backend, user_headers: dict[str, str]
) -> None:
    case.call_and_validate(base_url=backend.platform.backend_url, headers=user_headers)


@V2.include(path_regex="^/internal/").parametrize()
@BOUNDED
def test_internal_api_conforms(
    case: schemathesis.Case, backend: Backend, service_headers: dict[str, str], run_id: str
) -> None:
    # Drawn ids name nothing (404); an existing run makes the generated queries reach the handlers.
    # Schemathesis re-evaluates whether the edited case is still valid or invalid data.
    case.path_parameters = {**(case.path_parameters or {}), "run_id": run_id}
    case.call_and_validate(base_url=backend.platform.backend_url, headers=service_headers)


@V1.parametrize()
@BOUNDED
def test_v1_api_conforms(case: schemathesis.Case, backend: Backend, user_headers: dict[str, str]) -> None:
    case.call_and_validate(base_url=backend.platform.backend_url, headers=user_headers)
