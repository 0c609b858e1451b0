"""Provider-state changes for the Pact verifier: the target's own hook, or the manifest's declared setups.

The verifier posts each change — `{"state", "params", "action": "setup" | "teardown"}` — to a
state-change URL, and the object a setup answers feeds the pact's `ProviderState` generators (the
fresh token, the id of the thread the state created). Two ways to answer it:

- `HookStates`: the target has a provider-state hook (the stubs do); the change is posted to it
  through the run's guard and its answer passed on.
- `DeclaredStates`: the target has none (a live environment). The change is answered here: a setup
  runs the state's declared steps through the platform's public API (`providers.states`, as the
  account the pact names by its username) and answers its values; a teardown undoes it. What could
  not be undone is in the run's ledger, listed by every report.

`DeclaredStates.why_not(interaction)` says before the verifier runs whether every state of an
interaction can be reached on this target (declared, its writes allowed by the sandbox as that
account, a key holder for tokens only the issuer can sign) — the interactions that cannot are counted
skips naming the setting, never sent.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from providers.http import TargetHttp
from providers.ledger import Pending
from providers.pacts.sources import Interaction
from providers.results import Skip
from providers.states import States
from providers.suite import RunContext


class StateChangeFailed(Exception):
    """A state could not be set up; the message says which and why (the verifier sees a failed change)."""


class StateChanger(Protocol):
    def change(self, state: str, action: str, params: Mapping[str, Any] | None) -> dict[str, Any]: ...


class HookStates:
    """State changes posted to the target's provider-state hook, through the run's guard."""

    def __init__(self, url: str, http: TargetHttp) -> None:
        self.url = url
        self.http = http

    def change(self, state: str, action: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        body = {"state": state, "params": dict(params or {}), "action": action}
        response = self.http.request("POST", self.url, json=body)  # a refusal stops the run
        if response.status_code >= 400:
            raise StateChangeFailed(
                f"state {action} {state!r} answered {response.status_code}: {response.text[:300]}"
            )
        answer = response.json() if response.content else {}
        return answer if isinstance(answer, dict) else {}


class DeclaredStates:
    """State changes answered with the manifest's declared setups, against the provider `service`."""

    def __init__(self, ctx: RunContext, service: str) -> None:
        self.ctx = ctx
        self.service = service
        self.states = States(ctx)
        self._active: list[tuple[str, Pending]] = []
        self._lock = threading.Lock()
        #: State name → why its last setup failed (for the interaction's result).
        self.failures: dict[str, str] = {}

    def why_not(self, interaction: Interaction) -> str | None:
        """Why the interaction's states cannot be reached here (None when they all can)."""
        for state in interaction.states:
            reason = self.states.why_not(state.name, self.service, state.params)
            if reason is not None:
                return f"provider state {state} cannot be reached through the public API: {reason}"
        return None

    def accounts(self, interaction: Interaction) -> list[str]:
        """The accounts the interaction's states act as (its own request acts as them too)."""
        found = []
        for state in interaction.states:
            try:
                account = self.states.account_of(state.name, self.service, state.params)
            except Skip:
                continue
            if account is not None and account not in found:
                found.append(account)
        return found

    def change(self, state: str, action: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        if not state:  # Pact's "no state"
            return {}
        if action == "teardown":
            with self._lock:
                found = next((entry for entry in reversed(self._active) if entry[0] == state), None)
                if found is not None:
                    self._active.remove(found)
            if found is not None:
                self.states.undo(found[1])
            return {}
        try:
            values, pending = self.states.begin(state, params, self.service)
        except Skip as exc:
            self.failures[state] = str(exc)
            raise StateChangeFailed(f"state {state!r} could not be reached: {exc}") from None
        with self._lock:
            self._active.append((state, pending))
        return {k: v for k, v in values.items() if isinstance(v, str | int | float | bool | list | dict)}

    def undo_all(self) -> None:
        """Undo what a verifier run set up and did not tear down (it stopped half-way)."""
        with self._lock:
            active, self._active = self._active, []
        for _, pending in reversed(active):
            self.states.undo(pending)

    def cause(self, interaction: Interaction) -> str | None:
        """Why the interaction's states could not be set up, when one of them failed."""
        for state in interaction.states:
            if state.name in self.failures:
                return f"provider state {state} could not be reached: {self.failures[state.name]}"
        return None
