"""Pact verification of a target: consumer pacts replayed against the providers they name.

sources    where pacts come from (`PactSource`: files now, a Pact Broker next) and their model
http       HTTP interactions through pact's FFI verifier, provider states via the state URL
messages   synchronous messages through the same verifier, relayed over a real WebSocket
results    the verifier's report as `Result`s: mismatches, provider states, reproductions
suite      the `pacts` suite of the gate: what runs, what is skipped and why
"""

from providers.pacts.sources import (
    BrokerInfo,
    FilePactSource,
    Interaction,
    PactDocument,
    PactSource,
    ProviderState,
)

__all__ = ["BrokerInfo", "FilePactSource", "Interaction", "PactDocument", "PactSource", "ProviderState"]
