"""What the contracts say a production-ready service is (`readiness` in platform.yaml), typed.

    readiness:
      health:                                  # each service's health (readiness) operation
        SERVICE: GET /health                   # short form, or:
        SERVICE:
          operation: GET /health
          status: /status                      # JSON Pointer to the overall state (default /status)
          healthy: [ok]                        # the values that mean ready (default [ok])
          dependencies: /dependencies          # JSON Pointer to an object: dependency name → its state
          dependency_status: /status           # where a dependency's state is inside its entry ("" = the entry)
          expects: [identity, billing]         # dependencies the answer must report healthy
      latency:
        samples: 20                            # requests measured per operation (default 20)
        warmup: 2                              # requests sent first and not counted (default 2)
        budgets:
          SERVICE:
            "GET /invoices": {p95_ms: 200}     # any of p50_ms … p99_ms, max_ms; samples to override

A health operation the OpenAPI documents do not describe (a service with no HTTP document) is a
public GET without path parameters. Percentiles are nearest-rank over the measured samples.
Mistakes are `ContractError`s naming the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from providers.contract import HTTP_METHODS
from providers.platform import ManifestNode, Platform

DEFAULT_SAMPLES = 20
DEFAULT_WARMUP = 2
#: Samples an operation may ask for at most: a measurement stays a handful of requests.
MAX_SAMPLES = 500
_PERCENTILE = re.compile(r"^p(?P<p>[1-9][0-9]?)_ms$")


@dataclass(frozen=True)
class Health:
    service: str
    method: str
    path: str
    status: str = "/status"
    healthy: tuple[str, ...] = ("ok",)
    dependencies: str | None = None
    dependency_status: str = "/status"
    expects: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Budget:
    service: str
    method: str
    path: str
    #: Percentile (100 = the slowest sample) → the most milliseconds it may take.
    limits: Mapping[int, float]
    samples: int

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def describe(self) -> str:
        return ", ".join(
            f"{'max' if p == 100 else f'p{p}'} ≤ {ms:g} ms" for p, ms in sorted(self.limits.items())
        )


@dataclass(frozen=True)
class Readiness:
    declared: bool = False
    health: Mapping[str, Health] = field(default_factory=dict)
    budgets: tuple[Budget, ...] = ()
    warmup: int = DEFAULT_WARMUP


def _operation(node: ManifestNode, key: str, value: object) -> tuple[str, str]:
    method, _, path = str(value).strip().partition(" ")
    if method.lower() not in HTTP_METHODS or not path.strip().startswith("/"):
        raise node.fail(key, f"{value!r} is not an operation (METHOD /path)")
    return method.upper(), path.strip()


def _count(node: ManifestNode, key: str, default: int, low: int) -> int:
    value = node.data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_SAMPLES:
        raise node.fail(key, f"must be a whole number from {low} to {MAX_SAMPLES}")
    return value


def _health(service: str, node: ManifestNode) -> Health:
    node.only("operation", "status", "healthy", "dependencies", "dependency_status", "expects")
    method, path = _operation(node, "operation", node.data.get("operation", ""))
    return Health(
        service,
        method,
        path,
        status=node.text("status", "/status") or "",
        healthy=node.texts("healthy") or ("ok",),
        dependencies=node.text("dependencies"),
        dependency_status=node.text("dependency_status", "/status") or "",
        expects=node.texts("expects"),
    )


def _budget(service: str, key: str, parent: ManifestNode, samples: int) -> Budget:
    method, path = _operation(parent, key, key)
    node = parent.node(key) or ManifestNode({}, parent.where, f"{parent.path}.{key}")
    limits: dict[int, float] = {}
    for name, value in node.data.items():
        if name == "samples":
            continue
        found = _PERCENTILE.match(str(name))
        if not found and name != "max_ms":
            raise node.fail(str(name), "unknown key (known: p50_ms … p99_ms, max_ms, samples)")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise node.fail(str(name), "must be a number of milliseconds above 0")
        limits[int(found["p"]) if found else 100] = float(value)
    if not limits:
        raise parent.fail(key, "declare at least one of p50_ms … p99_ms, max_ms")
    return Budget(service, method, path, limits, _count(node, "samples", samples, 1))


def readiness(platform: Platform) -> Readiness:
    """The `readiness` section of the platform's manifest, typed."""
    section = platform.section("readiness")
    if not section:
        return Readiness()
    root = ManifestNode(section, platform.where, "readiness")
    root.only("health", "latency")
    health = {}
    health_node = root.node("health")
    for service, value in (health_node.data if health_node else {}).items():
        assert health_node is not None
        if isinstance(value, str):
            health[str(service)] = Health(str(service), *_operation(health_node, str(service), value))
        else:
            health[str(service)] = _health(
                str(service), ManifestNode(value, platform.where, f"readiness.health.{service}")
            )
    budgets: list[Budget] = []
    warmup = DEFAULT_WARMUP
    latency = root.node("latency")
    if latency is not None:
        latency.only("samples", "warmup", "budgets")
        samples = _count(latency, "samples", DEFAULT_SAMPLES, 1)
        warmup = _count(latency, "warmup", DEFAULT_WARMUP, 0)
        for service, operations in (latency.node("budgets") or ManifestNode({}, platform.where, "")).items():
            for key in map(str, operations.data):
                budgets.append(_budget(service, key, operations, samples))
    return Readiness(True, health, tuple(budgets), warmup)
