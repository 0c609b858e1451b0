"""Why the tool could not run — as opposed to a contract the target broke (`results.Finding`).

ContractgateError            exit code 2; `str()` is the one line the user sees
├── ConfigError              configuration, command-line arguments, an unknown target or suite
├── ContractError            a spec or pact that cannot be read, parsed or understood
├── TargetUnreachable        a service of the target that does not answer (names the URL)
├── BudgetExceeded           a live run that reached its request budget and stopped
└── BrokerError              a Pact Broker that is down, answers 5xx or refuses the credentials
"""

from __future__ import annotations


class ContractgateError(Exception):
    """The gate could not run; the message is one line that says what and where."""

    exit_code = 2


class ConfigError(ContractgateError):
    pass


class ContractError(ContractgateError):
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
