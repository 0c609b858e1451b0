"""contractgate's speed, measured side by side in one run (figures and ratios, no assertions).

1. The gate on the embedded stubs (pacts + fuzz, and every suite) against the same work done the way a
   user would without contractgate: the Schemathesis CLI over each spec and the Pact reference verifier
   over each HTTP pact, one after another, against `contractgate stubs serve`.
2. Fuzz cases per second: the fuzz suite in-process (ASGI) against the same suite over HTTP.
3. Requests per second of each stub endpoint against bare Starlette and against `pact stub` serving a
   pact of the same interaction (`benchmarks/rps.py`, which says what it needs: wrk, pact-python-cli).
   The load generator shares the machine's cores with the servers: compare ratios, not absolutes.
4. How fast a revocation reaches the resource stubs (`benchmarks/revocation.py`).

Every server is on 127.0.0.1 and every load run is bounded in time; nothing is installed. Usage:

    python benchmarks/run.py [--examples 25] [--seed 1] [--seconds 3] [--rounds 1] [--trials 20] [--skip SECTION …]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.revocation import section_revocation  # noqa: E402
from benchmarks.rps import section_rps  # noqa: E402
from benchmarks.servers import BIN, ENV, served_stubs  # noqa: E402
from contracts import SpecFile, openapi_specs, pact_files  # noqa: E402
from providers.contract import operations_of  # noqa: E402


def timed(command: list[str], *, cwd: Path = ROOT) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=1800)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def schemathesis_command(
    location: str,
    bearer: str,
    *,
    examples: int,
    seed: int,
    url: str | None = None,
    operation_ids: Iterable[str] = (),
) -> list[str]:
    """The Schemathesis CLI as a user runs it: every check, one bearer token, seeded."""
    command = [str(BIN / "schemathesis"), "run", location]
    if url is not None:
        command += ["--url", url]
    command += ["--checks", "all", "--max-examples", str(examples), "--seed", str(seed)]
    command += ["-H", f"Authorization: Bearer {bearer}"]
    for operation_id in operation_ids:
        command += ["--include-operation-id", operation_id]
    return command


def token(auth_url: str, **form: str) -> str:
    response = httpx.post(f"{auth_url}/v2/auth/token", data=form, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


def user_token(auth_url: str) -> str:
    return token(auth_url, grant_type="password", username="alice@example.com", password="alice-password")


def service_token(auth_url: str, client: str, audience: str, scopes: tuple[str, ...]) -> str:
    return token(
        auth_url,
        grant_type="client_credentials",
        client_id=client,
        client_secret=f"{client}-secret",
        audience=audience,
        scope=" ".join(scopes),
    )


#: The service client a user would pick for each (audience, scopes) — the demo platform's.
CLIENTS = {"auth": "backend-service", "backend": "agent-worker"}


def cli_runs_of(spec: SpecFile, auth: str) -> Iterator[tuple[str, str, list[str]]]:
    """The Schemathesis CLI runs a user needs for one spec: (token kind, bearer token, operation ids).

    One run per token: a user token, or one service token per audience carrying every scope that
    audience's operations ask for (one run keeps their links together).
    """
    groups: dict[tuple[str, str], list[str]] = {}
    scopes: dict[str, set[str]] = {}
    for op in operations_of(spec):
        requirement = op.requirements[0] if op.requirements else None
        if requirement is None or requirement.kind == "user":
            key = ("user", "")
        else:
            key = ("service", requirement.audiences[0])
            scopes.setdefault(key[1], set()).update(requirement.scopes)
        groups.setdefault(key, []).append(op.operation_id)
    for (kind, audience), ids in groups.items():
        if kind == "user":
            yield kind, user_token(auth), ids
        else:
            yield kind, service_token(auth, CLIENTS[audience], audience, tuple(sorted(scopes[audience]))), ids


def tools_one_after_another(urls: dict[str, str], examples: int, seed: int) -> tuple[float, list[str]]:
    """The Schemathesis CLI per spec and token kind, then `pact verifier` per HTTP pact file."""
    notes: list[str] = []
    started = time.perf_counter()
    for spec in openapi_specs():
        for kind, bearer, ids in cli_runs_of(spec, urls["auth-service"]):
            command = schemathesis_command(
                str(spec.path),
                bearer,
                examples=examples,
                seed=seed,
                url=urls[spec.service],
                operation_ids=ids,
            )
            _, code, output = timed(command)
            if code != 0:
                notes.append(f"schemathesis {spec.name} {kind}: exit {code}")
    for pact in pact_files():
        document = json.loads(pact.read_text())
        if not any(i.get("type") == "Synchronous/HTTP" for i in document.get("interactions", [])):
            continue  # message pacts: the reference verifier cannot drive a WebSocket
        provider = document["provider"]["name"]
        url = urls[provider]
        port = url.rsplit(":", 1)[1]
        command = [
            str(BIN / "pact"),
            "verifier",
            "-f",
            str(pact),
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-n",
            provider,
            "--state-change-url",
            f"{url}/_contractgate/provider-states",
            "--state-change-teardown",
        ]
        _, code, _ = timed(command)
        if code != 0:
            notes.append(f"pact verifier {pact.name}: exit {code}")
    return time.perf_counter() - started, notes


def gate(suites: str | None, examples: int, seed: int) -> tuple[float, int, str]:
    command = [str(BIN / "contractgate"), "gate", "--no-reports", "-q", "--max-examples", str(examples)]
    command += ["--seed", str(seed)]
    if suites:
        command += ["--suite", suites]
    with tempfile.TemporaryDirectory() as folder:
        return timed(command, cwd=Path(folder))


def section_gate_vs_tools(examples: int, seed: int) -> list[str]:
    lines = ["## 1. The gate against the same work with the tools run separately"]
    with served_stubs() as stubs:
        tools_seconds, notes = tools_one_after_another(stubs.urls, examples, seed)
    gate_seconds, code, output = gate("pacts,fuzz", examples, seed)
    full_seconds, full_code, full_output = gate(None, examples, seed)
    summary = next((line for line in reversed(full_output.splitlines()) if line.strip()), "")
    lines += [
        f"tools one after another (Schemathesis CLI per spec + pact verifier per pact): {tools_seconds:7.1f} s"
        + (f"  [{'; '.join(notes)}]" if notes else ""),
        f"contractgate gate --suite pacts,fuzz (same work, embedded stubs):             {gate_seconds:7.1f} s"
        f"  (exit {code})",
        f"ratio tools / gate:                                                          {tools_seconds / gate_seconds:7.2f}x",
        f"contractgate gate, every suite:                                              {full_seconds:7.1f} s"
        f"  (exit {full_code}) {summary}",
    ]
    return lines


def fuzz_rate(in_process: bool, examples: int, seed: int) -> tuple[int, float]:
    from contractgate.credentials import demo_credentials
    from contractgate.embedded import embedded_stubs
    from contracts import asyncapi_spec
    from providers.credentials import TokenSource
    from providers.fuzz import run
    from providers.http import Limits, RequestGuard, TargetHttp
    from providers.platform import of_folder
    from providers.redact import Redactor
    from providers.suite import RunContext, RunOptions

    with embedded_stubs() as (_, target):
        http = TargetHttp(RequestGuard(Limits()))
        redactor = Redactor()
        credentials = demo_credentials()
        ctx = RunContext(
            platform=of_folder(),
            target=target,
            specs=openapi_specs(),
            asyncapi=asyncapi_spec(),
            credentials=credentials,
            tokens=TokenSource(target, credentials, http, redactor),
            http=http,
            redactor=redactor,
            options=RunOptions(seed=seed, max_examples=examples, suites={"fuzz": {"in_process": in_process}}),
        )
        started = time.perf_counter()
        results = list(run(ctx))
        seconds = time.perf_counter() - started
        http.close()
    cases: dict[str, int] = {}
    for result in results:
        if "cases" in result.details:
            cases[str(result.details["spec"])] = int(result.details["cases"])
    return sum(cases.values()), seconds


def section_fuzz(examples: int, seed: int) -> list[str]:
    in_cases, in_seconds = fuzz_rate(True, examples, seed)
    http_cases, http_seconds = fuzz_rate(False, examples, seed)
    in_rate, http_rate = in_cases / in_seconds, http_cases / http_seconds
    return [
        "## 2. Fuzz cases per second (all four specs, same seed)",
        f"in-process (ASGI): {in_cases:6d} cases in {in_seconds:5.1f} s = {in_rate:6.0f} cases/s",
        f"over HTTP:         {http_cases:6d} cases in {http_seconds:5.1f} s = {http_rate:6.0f} cases/s",
        f"ratio in-process / HTTP: {in_rate / http_rate:.2f}x",
    ]


SECTIONS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "tools": lambda args: section_gate_vs_tools(args.examples, args.seed),
    "fuzz": lambda args: section_fuzz(args.examples, args.seed),
    "rps": lambda args: section_rps(args.seconds, args.rounds),
    "revocation": lambda args: section_revocation(args.trials),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--examples", type=int, default=25, help="Schemathesis examples per operation and phase"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each load figure")
    parser.add_argument(
        "--rounds", type=int, default=1, help="take each throughput figure this often (median shown)"
    )
    parser.add_argument("--trials", type=int, default=20, help="revocations timed in section 4")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(SECTIONS))
    args = parser.parse_args()
    print(f"contractgate benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, section in SECTIONS.items():
        if name in args.skip:
            continue
        print()
        for line in section(args):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
