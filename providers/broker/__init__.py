"""The Pact Broker workflow: publish pacts, verify from the broker, can-i-deploy, record deployments.

client       `BrokerConfig` (the standard Pact variables or configuration) and `BrokerClient`, the HAL
             API navigated by `pb:` relations; every failure a one-line `BrokerError`, secrets redacted
publish      pact files → the contract publication endpoint, consumer version/branch from git by default
source       `BrokerPactSource`: the pacts for verification (selectors, pending, WIP) as `PactDocument`s
results      `VerificationPublisher`: one verification result per pact, published only when asked
matrix       `can_i_deploy`: the matrix's answer, bounded retries while unknown, the deciding rows
deployments  environments and `record_deployment`
suite        the gate's `broker` suite and `broker_verdict`: can-i-deploy for the services under test
"""

from providers.broker.client import BrokerClient, BrokerConfig, BrokerNotFound
from providers.broker.deployments import record_deployment
from providers.broker.matrix import Decision, MatrixRow, can_i_deploy
from providers.broker.publish import ConsumerVersion, publish_pacts
from providers.broker.results import VerificationPublisher
from providers.broker.source import DEFAULT_SELECTORS, BrokerPactSource, VerificationRequest

__all__ = [
    "DEFAULT_SELECTORS",
    "BrokerClient",
    "BrokerConfig",
    "BrokerNotFound",
    "BrokerPactSource",
    "ConsumerVersion",
    "Decision",
    "MatrixRow",
    "VerificationPublisher",
    "VerificationRequest",
    "can_i_deploy",
    "publish_pacts",
    "record_deployment",
]
