"""From Schemathesis' engine events to contractgate results: one per operation × check.

Every check Schemathesis evaluated on an operation's responses becomes a result: pass when no response
broke it, fail when one did (with the failure Schemathesis reported, what the service answered, and a
curl reproduction that goes to the target's real URL with every secret masked), error when the check or
the operation's test could not run. Operations no check ever reached are reported skipped, with
Schemathesis' reasons. Two checks judge only some requests, and Schemathesis counts them passed on every
other one: `unsupported_method` (a probe with a method the path does not declare) and
`allow_header_conformance` (an `OPTIONS` answer carrying `Allow`). Each judges a path, whichever of the
path's operations a probe went out under; a path none of whose answers the check could judge is skipped
with the reason, never passed unseen. Failures are kept per distinct kind; the last occurrence wins, since Hypothesis
replays its shrunk (smallest) failing example last.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events
from schemathesis.engine.recorder import Interaction, ScenarioRecorder
from schemathesis.engine.run import TESTING_PHASES
from schemathesis.generation.case import Case
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from providers.redact import Redactor
from providers.results import Result, Verdict

SUITE = "fuzz"
ALL_CHECKS = "all"
EXECUTION = "execution"

#: What each Schemathesis check expects, in the words of a report.
EXPECTATIONS: Mapping[str, str] = {
    "not_a_server_error": "no 5xx answer, whatever the input",
    "status_code_conformance": "only status codes the operation declares",
    "content_type_conformance": "a Content-Type the operation declares for that status",
    "response_headers_conformance": "the headers the operation declares as required, matching their schemas",
    "response_schema_conformance": "bodies valid against the declared response schema",
    "positive_data_acceptance": "requests valid under the schema are accepted (expected statuses per config)",
    "negative_data_rejection": "requests invalid under the schema are rejected with a 4xx",
    "missing_required_header": "a request without a required header is rejected",
    "unsupported_method": "405 with an Allow header for methods the path does not declare",
    "allow_header_conformance": "an Allow header that lists exactly the declared methods",
    "use_after_free": "a deleted resource stays gone",
    "ensure_resource_availability": "a created resource can be read right after",
    "ignored_auth": "requests without valid credentials are refused",
    "object_level_authorization": "one identity cannot read another's objects",
    "max_response_time": "answers within the configured response time (Schemathesis default: 10 s)",
}


def _undeclared_method_probe(case: Case, interaction: Interaction | None) -> bool:
    data = case.meta.phase.data if case.meta is not None else None
    return (
        isinstance(data, CoveragePhaseData)
        and data.scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD
        and interaction is not None
        and interaction.request.method != "OPTIONS"  # the check leaves OPTIONS to the framework
    )


def _options_with_allow(case: Case, interaction: Interaction | None) -> bool:
    response = interaction.response if interaction is not None else None
    return (
        response is not None
        and interaction is not None
        and interaction.request.method == "OPTIONS"
        and any(value.strip() for value in response.headers.get("allow", ()))
    )


#: Checks that judge only some answers: which, and what a skip says when a path had none of them.
PARTIAL_CHECKS: Mapping[str, tuple[Callable[[Case, Interaction | None], bool], str]] = {
    "unsupported_method": (
        _undeclared_method_probe,
        "no request with a method the path does not declare was sent",
    ),
    "allow_header_conformance": (
        _options_with_allow,
        "no OPTIONS answer on this path carried an Allow header",
    ),
}
# Added by requests/Schemathesis to every request; noise in a reproduction.
_NOISE_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "content-length", "accept", "x-schemathesis-testcaseid"}
)
_BODY_PREVIEW = 200


@dataclass
class _Tally:
    passed: int = 0
    errored: int = 0
    #: Distinct failures: (kind, title, message) → (failure, case id, recorder).
    failures: dict[tuple[str, str, str], tuple[Failure, str, ScenarioRecorder]] = field(default_factory=dict)
    failing_cases: set[str] = field(default_factory=set)


@dataclass
class Outcomes:
    """Collects engine events of one spec's run and turns them into results."""

    spec: str
    service: str
    base_url: str
    redactor: Redactor
    details: Mapping[str, Any]
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    skip_reasons: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cases: int = 0
    #: Testing phase → how it went ("success", "failure", "skipped (not_applicable)", …).
    phases: dict[str, str] = field(default_factory=dict)
    #: (path, check) → answers a partial check could judge.
    judged: Counter[tuple[str, str]] = field(default_factory=Counter)

    def on_event(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self._on_scenario(event)
        elif isinstance(event, events.PhaseFinished) and event.phase.name in TESTING_PHASES:
            name = event.phase.name.value
            if event.status != Status.SKIP:
                self.phases[name] = event.status.value
            elif name not in self.phases:
                reason = event.phase.skip_reason
                self.phases[name] = f"skipped ({reason.value})" if reason else "skipped"
        elif isinstance(event, events.NonFatalError):
            label = event.label if event.related_to_operation else f"{self.spec} ({event.label})"
            message = f"{event.info.title}: {event.info.message}"
            if message not in self.errors[label]:
                self.errors[label].append(message)
        elif isinstance(event, events.FatalError):
            self.errors[self.spec].append(f"Schemathesis stopped: {event.exception}")
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                self.errors[failure.operation or self.spec].append(f"{failure.title}: {failure.message}")

    def _on_scenario(self, event: events.ScenarioFinished) -> None:
        recorder = event.recorder
        if event.status == Status.SKIP and event.label and event.skip_reason:
            self.skip_reasons[event.label].add(event.skip_reason)
        self.cases += len(recorder.cases)
        for case_id, checks in recorder.checks.items():
            node = recorder.cases.get(case_id)
            if node is None:
                continue
            case = node.value
            label = case.operation.label
            interaction = recorder.interactions.get(case_id)
            for check in checks:
                partial = PARTIAL_CHECKS.get(check.name)
                if partial is not None and partial[0](case, interaction):
                    self.judged[(case.operation.path, check.name)] += 1
                tally = self.tallies[(label, check.name)]
                if check.status == Status.SUCCESS:
                    tally.passed += 1
                elif check.status == Status.ERROR:
                    tally.errored += 1
                elif check.failure_info is not None:
                    failure = check.failure_info.failure
                    key = (type(failure).__name__, failure.title, failure.message)
                    tally.failures.pop(key, None)  # re-insert: the latest occurrence is the shrunk one
                    tally.failures[key] = (failure, case_id, recorder)
                    tally.failing_cases.add(case_id)

    def results(self, labels: list[str]) -> Iterator[Result]:
        """Results for the operations that ran (in spec order), then errors not tied to one of them."""
        for label in labels:
            checks = sorted(check for (op, check) in self.tallies if op == label)
            for check in checks:
                yield self._result(label, check, self.tallies[(label, check)])
            for message in self.errors.pop(label, []):
                yield self._error(label, EXECUTION, "Schemathesis runs the operation's tests", message)
            if not checks:
                reasons = (
                    "; ".join(sorted(self.skip_reasons.get(label, ()))) or "no test case reached a check"
                )
                yield Result(
                    SUITE,
                    self.service,
                    label,
                    ALL_CHECKS,
                    expectation="the operation's responses are checked",
                    observed=f"not tested: {reasons}",
                    verdict=Verdict.SKIPPED,
                    details=dict(self.details),
                )
        for label, messages in self.errors.items():
            for message in messages:
                yield self._error(label, EXECUTION, "Schemathesis runs the spec's tests", message)

    def _error(self, label: str, check: str, expectation: str, message: str) -> Result:
        return Result(
            SUITE,
            self.service,
            label,
            check,
            expectation=expectation,
            observed=self.redactor.text(_shorten(message, 600)),
            verdict=Verdict.ERROR,
            details=dict(self.details),
        )

    def _result(self, label: str, check: str, tally: _Tally) -> Result:
        expectation = EXPECTATIONS.get(check, f"Schemathesis check {check} holds")
        details = dict(self.details)
        partial = PARTIAL_CHECKS.get(check)
        judged = self.judged[(label.split(" ", 1)[-1], check)]
        if not tally.failures:
            if partial is not None and not judged:
                observed, verdict = f"not judged: {partial[1]}", Verdict.SKIPPED
            elif tally.errored:
                observed, verdict = f"the check crashed on {tally.errored} response(s)", Verdict.ERROR
            elif partial is not None:
                observed, verdict = f"{judged} answer(s) on this path judged, none broke it", Verdict.PASS
            else:
                observed, verdict = f"{tally.passed} response(s) checked, none broke it", Verdict.PASS
            return Result(SUITE, self.service, label, check, expectation, observed, verdict, details=details)
        failures = list(tally.failures.values())
        failure, case_id, recorder = failures[-1]
        details.update(
            {
                "failure": failure.title,
                "failure_code": failure.code,
                "failures": [self.redactor.text(f.title) for f, _, _ in failures],
                "failing_cases": len(tally.failing_cases),
            }
        )
        message = _shorten(failure.message, 400)
        observed = f"{failure.title}" + (f" — {message}" if message else "")
        answer = self._answer(recorder, failure.case_id or case_id)
        if answer:
            observed += f"; answered {answer}"
        return Result(
            SUITE,
            self.service,
            label,
            check,
            expectation,
            observed=self.redactor.text(observed),
            verdict=Verdict.FAIL,
            reproduction=self._reproduction(recorder, failure, case_id),
            details=details,
        )

    def _answer(self, recorder: ScenarioRecorder, case_id: str) -> str:
        interaction = recorder.interactions.get(case_id)
        if interaction is None or interaction.response is None:
            return ""
        response = interaction.response
        body = (
            _shorten(response.content.decode("utf-8", "replace"), _BODY_PREVIEW) if response.content else ""
        )
        return f"HTTP {response.status_code}" + (f" {body}" if body else "")

    def _reproduction(self, recorder: ScenarioRecorder, failure: Failure, case_id: str) -> str:
        """curl commands for the requests the failure needs (oldest first), to the target's real URL."""
        steps = []
        for check in recorder.checks.get(case_id, []):
            info = check.failure_info
            if info is not None and info.failure is failure:
                steps = info.steps
                break
        case_ids = [step.case_id for step in steps] or [failure.case_id or case_id]
        commands = []
        for step_case in case_ids:
            interaction = recorder.interactions.get(step_case)
            if interaction is None:
                continue
            request = interaction.request
            headers = {
                name: values[0]
                for name, values in request.headers.items()
                if values and name.lower() not in _NOISE_HEADERS
            }
            commands.append(
                self.redactor.curl(request.method, self._real_url(request.uri), headers, request.body)
            )
        return "\n".join(commands)

    def _real_url(self, uri: str) -> str:
        parts = urlsplit(uri)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
