"""The fuzz suite's checks in the registry: Schemathesis' checks, each with the rule it holds a response to."""

from __future__ import annotations

from providers.checks import Basis, register

SUITE = "fuzz"
_DECLARED = "the operation's declared responses"

#: Schemathesis check → (basis, citation, summary).
BASES: dict[str, tuple[Basis, str, str]] = {
    "not_a_server_error": (
        Basis.CONTRACT,
        f"{_DECLARED}; RFC 9110 §15.6 (a 5xx says the server failed)",
        "no 5xx answer, whatever the input",
    ),
    "status_code_conformance": (Basis.CONTRACT, _DECLARED, "only status codes the operation declares"),
    "content_type_conformance": (
        Basis.CONTRACT,
        _DECLARED,
        "a Content-Type the operation declares for that status",
    ),
    "response_headers_conformance": (
        Basis.CONTRACT,
        _DECLARED,
        "the headers the operation declares as required",
    ),
    "response_schema_conformance": (
        Basis.CONTRACT,
        _DECLARED,
        "bodies valid against the declared response schema",
    ),
    "positive_data_acceptance": (
        Basis.CONTRACT,
        "the operation's request schema",
        "requests valid under the schema are accepted",
    ),
    "negative_data_rejection": (
        Basis.CONTRACT,
        "the operation's request schema",
        "requests invalid under the schema are rejected with a 4xx",
    ),
    "missing_required_header": (
        Basis.CONTRACT,
        "the operation's required header parameters",
        "a request without a required header is rejected",
    ),
    "unsupported_method": (
        Basis.STANDARD,
        "RFC 9110 §15.5.6 (405 with Allow)",
        "405 with an Allow header for methods the path does not declare",
    ),
    "allow_header_conformance": (
        Basis.STANDARD,
        "RFC 9110 §10.2.1 (Allow)",
        "an Allow header that lists exactly the declared methods",
    ),
    "use_after_free": (Basis.STANDARD, "RFC 9110 §9.3.5 (DELETE)", "a deleted resource stays gone"),
    "ensure_resource_availability": (
        Basis.CONTRACT,
        "the spec's links (a created resource is usable)",
        "a created resource can be read right after",
    ),
    "ignored_auth": (
        Basis.CONTRACT,
        "the operation's security requirement; RFC 6750 §3.1",
        "requests without valid credentials are refused",
    ),
    "object_level_authorization": (
        Basis.CONTRACT,
        "the operation's security requirement (another identity's object)",
        "one identity cannot read another's objects",
    ),
    "max_response_time": (
        Basis.POLICY,
        "policy: the configured maximum response time",
        "answers within the configured response time",
    ),
    "all": (Basis.CONTRACT, "the spec", "the operation is fuzzed"),
    "execution": (Basis.CONTRACT, "the spec", "the operation's generated tests run"),
}

for _name, (_basis, _cites, _summary) in BASES.items():
    register(SUITE, _name, _basis, _cites, _summary)
