"""The `readiness` suite: production readiness on staging — budgets, health, the headers traffic needs.

manifest  the `readiness` section of platform.yaml, typed (health operations, latency budgets)
calls     the requests it sends for an operation the manifest names
latency   measuring an operation, percentiles against its budget
health    each service's health operation and its dependencies
headers   no-store on token answers, WWW-Authenticate on 401s, HSTS on https
suite     the checks and `run`
"""

from providers.readiness.suite import run

__all__ = ["run"]
