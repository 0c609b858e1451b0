"""Verification of a target (the embedded stubs or a live environment) against the contracts.

Layers, bottom up: `errors` and `results` (what a run can end in), `redact` (what may be shown),
`contract` (operations and security requirements read from the specs), `target`, `http` and
`credentials` (how suites reach a target and obtain genuine tokens from it), then one module per suite.
Nothing here knows the reference platform: every path, scheme, audience and scope comes from
`contracts/` and from configuration.
"""
