"""How a websocket check is written: its environment, its outcomes and its registration.

A check is `async def check(env) -> Passed`, registered with `@check(name, expectation)` where the
expectation is a function of the environment (so it quotes the contract's own values: the status a
refusal must have, the close code, the announced interval). It fails by raising
`client.Finding(observed, reproduction)`, is skipped by raising `Skip(reason)` (never a pass), and
anything else it raises is an error of that check — except `ContractgateError` (target down, budget
spent), which stops the gate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from providers.checks import Basis, register
from providers.redact import Redactor
from providers.results import Skip
from providers.websocket.client import Credential, Dialer, Observations
from providers.websocket.contract import WsContract
from providers.websocket.material import Material, Settings


@dataclass(frozen=True)
class Passed:
    observed: str
    details: dict[str, Any] = field(default_factory=dict)
    reproduction: str | None = None


@dataclass
class Env:
    contract: WsContract
    dialer: Dialer
    material: Material
    settings: Settings
    observations: Observations
    redactor: Redactor
    #: A live target (staging): fewer connections by default.
    live: bool = False

    async def credential(self, via: Literal["header", "subprotocol", "query"] = "header") -> Credential:
        token = await self.material.token()
        return Credential(token, via, self.material.label())

    def require_role(self, *roles: str) -> dict[str, str]:
        """The wire types of `roles`, or `Skip` naming the roles the contract does not assign."""
        found = {role: self.contract.role(role) for role in roles}
        missing = [role for role, wire in found.items() if wire is None]
        if missing:
            raise Skip(f"the contract's x-message-roles names no {', '.join(missing)} message")
        return {role: wire for role, wire in found.items() if wire is not None}

    def build(self, role: str, message_id: str, **values: Any) -> dict[str, Any]:
        """A client message of `role` built from the contract, or `Skip` when the contract cannot say how."""
        message = self.contract.build(role, message_id, **values)
        if message is None:
            wanted = ", ".join(f"{role}.{name.replace('_', '-')}" for name in values)
            raise Skip(
                f"the contract gives no example of the {role} message"
                + (f" or no x-message-fields {wanted}" if wanted else "")
            )
        return message


CheckFunction = Callable[[Env], Awaitable[Passed]]


@dataclass(frozen=True)
class Check:
    name: str
    expectation: Callable[[Env], str]
    run: CheckFunction


REGISTRY: dict[str, Check] = {}
#: What every websocket check's rule is, unless it says otherwise: the AsyncAPI document.
ASYNCAPI = "the AsyncAPI document (messages, x-message-roles, x-sequence, x-close-codes)"


def check(
    name: str,
    expectation: Callable[[Env], str],
    *,
    basis: Basis = Basis.CONTRACT,
    cites: str = ASYNCAPI,
    summary: str = "",
    needs: tuple[str, ...] = (),
) -> Callable[[CheckFunction], CheckFunction]:
    def add(function: CheckFunction) -> CheckFunction:
        REGISTRY[name] = Check(name, expectation, function)
        doc = (function.__doc__ or "").strip().splitlines()
        register("websocket", name, basis, cites, summary or (doc[0] if doc else name), needs)
        return function

    return add
