"""HTTP interactions, replayed against a provider by the Pact verifier (`pact.Verifier`, the FFI).

The verifier does the matching; this module hands it the right interactions and the provider:
one run per pact, the interactions written to a scratch pact file, the service (behind a
`GuardedProxy`, so the run's guard sees every request) as the transport and its `states_url` — or,
without one, the declared setups (`changes.DeclaredStates`) — behind the same proxy as the
state-change URL (setup *and* teardown, body JSON). The
state-change answers feed the pact's `ProviderState` generators — the fresh token, the id of the
thread the state created — which is how one pact verifies against any provider implementing the
states. What comes back is the verifier's own JSON report and its text output, untouched; turning
them into `Result`s is `results.py`'s job.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pact import Verifier

from providers.errors import TargetUnreachable
from providers.http import TargetHttp
from providers.pacts.changes import StateChanger
from providers.pacts.proxy import GuardedProxy
from providers.pacts.sources import Interaction, PactDocument
from providers.steps import MAX_WAIT
from providers.target import ServiceTarget


@dataclass
class VerifierRun:
    """One verifier execution: its JSON report (`interactionResults`, `errors`) and its text output."""

    report: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    #: Set when the verifier could not run at all (not: an interaction failed).
    crashed: str | None = None


@contextmanager
def scratch_pact(pact: PactDocument, interactions: list[Interaction]) -> Iterator[Path]:
    """A temporary pact file holding only `interactions` of `pact`."""
    with tempfile.TemporaryDirectory(prefix="contractgate-verify-") as folder:
        path = Path(folder) / "pact.json"
        path.write_text(json.dumps(pact.subset(interactions)), encoding="utf-8")
        yield path


@contextmanager
def stdout_silenced() -> Iterator[None]:
    """The FFI verifier prints its report to file descriptor 1; core code never prints, so mute it."""
    sys.stdout.flush()
    saved = os.dup(1)
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(sink)


def execute(verifier: Verifier) -> VerifierRun:
    """Run a configured verifier; a failed interaction is data in the report, not an exception."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    verifier.set_coloured_output(enabled=False)
    run = VerifierRun()
    try:
        with stdout_silenced():
            verifier.verify()
    except RuntimeError:
        pass  # pact-python raises a bare RuntimeError whenever an interaction failed: read the report
    try:
        run.report = verifier.results
    except (RuntimeError, ValueError) as exc:
        run.crashed = f"the Pact verifier produced no report ({exc})"
    run.output = verifier.output(strip_ansi=True)
    return run


def state_change_timeout(timeout: float, states: StateChanger | None) -> float:
    """The verifier's own timeout: a declared state's undo may wait out a lockout (`steps.MAX_WAIT`);
    every request to the target keeps the run's own timeout, which the proxy applies."""
    return timeout + (MAX_WAIT if states is not None else 0.0)


def verify_http(
    pact: PactDocument,
    interactions: list[Interaction],
    service: ServiceTarget,
    http: TargetHttp,
    *,
    timeout: float = 10.0,
    states: StateChanger | None = None,
) -> VerifierRun:
    """Replay `interactions` (HTTP) of `pact` against `service` with the FFI verifier.

    The verifier talks to a `GuardedProxy` in front of the service, so each of its requests (and each
    provider-state change) goes through the run's guard; a refusal of the guard is raised here.
    Provider states go to the service's hook, or, when it has none, to `states` (declared setups).
    """
    with GuardedProxy(http, service.base_url, service.states_url, states) as proxy:
        verifier = Verifier(pact.provider, host="127.0.0.1")
        verifier.add_transport(url=proxy.url)
        verifier.set_request_timeout(int(state_change_timeout(timeout, states) * 1000))
        if service.states_url or states is not None:
            verifier.state_handler(proxy.state_url, teardown=True, body=True)
        with scratch_pact(pact, interactions) as path:
            verifier.add_source(path)
            run = execute(verifier)
        proxy.raise_guard_error()
    return run


def diagnose_states(states_url: str, interaction: Interaction, http: TargetHttp) -> str | None:
    """Why the provider could not set up an interaction's states: each setup again, first refusal.

    The verifier's report only says that "a state change handler has failed"; the provider's answer
    says which state and why (an unknown state lists the known ones). Each setup is torn down again.
    The requests go through the run's guard like every other.
    """
    for state in interaction.states:
        body = {"state": state.name, "params": dict(state.params), "action": "setup"}
        try:
            response = http.request("POST", states_url, json=body)
        except TargetUnreachable as exc:
            return f"the state-change URL {states_url} did not answer ({exc.reason})"
        if response.status_code >= 400:
            return (
                f"state {state.name!r} could not be set up: HTTP {response.status_code} {response.text[:300]}"
            )
        try:
            http.request("POST", states_url, json={**body, "action": "teardown"})
        except TargetUnreachable:
            pass
    return None
