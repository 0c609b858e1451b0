"""Why the tool could not run — as opposed to a contract the target broke (`results.Finding`).

ContractgateError            exit code 2; `str()` is the one line the user sees
├── ConfigError              configuration, command-line arguments, an unknown target or suite
├── ContractError            a spec, pact or AsyncAPI document that cannot be read, parsed or understood
│                            (defined in `contracts`, whose loader raises it as `ContractFileError`)
├── TargetUnreachable        a service of the target that does not answer (names the URL)
├── BudgetExceeded           a live run that reached its request budget and stopped
└── BrokerError              a Pact Broker that is down, answers 5xx or refuses the credentials
"""

from __future__ import annotations

# The root and the contract error live in `contracts` (the bottom layer) so that its loader raises them.
from contracts import ContractError, ContractgateError

__all__ = [
    "BrokerError",
    "BudgetExceeded",
    "ConfigError",
    "ContractError",
    "ContractgateError",
    "TargetUnreachable",
]


class ConfigError(ContractgateError):
    pass


class TargetUnreachable(ContractgateError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"target unreachable: {url} ({reason})")
        self.url = url
        self.reason = reason


class BudgetExceeded(ContractgateError):
    pass


class BrokerError(ContractgateError):
    pass
