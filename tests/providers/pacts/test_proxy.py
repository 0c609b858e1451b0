"""The guarded proxy in front of a provider: what the Pact verifier sends goes through the run's guard."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from providers.errors import BudgetExceeded
from providers.http import Limits, RequestGuard, TargetHttp
from providers.pacts.proxy import STATE_PATH, GuardedProxy


class Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received, as JSON, and a header of its own."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _echo(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body": body.decode(),
                "custom": self.headers.get("X-Custom"),
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_DELETE = _echo


@pytest.fixture
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_requests_are_forwarded_as_sent_and_answered_as_answered(upstream: str) -> None:
    http = TargetHttp(RequestGuard(Limits()))
    with GuardedProxy(http, upstream + "/base", states_url=upstream + "/states") as proxy:
        answer = httpx.post(proxy.url + "/v2/things?x=1", content=b"hello", headers={"X-Custom": "c"})
        state = httpx.post(proxy.state_url, json={"state": "s"})
    http.close()
    assert answer.status_code == 201 and answer.headers["X-Upstream"] == "yes"
    assert answer.json() == {"method": "POST", "path": "/base/v2/things?x=1", "body": "hello", "custom": "c"}
    assert state.json()["path"] == "/states" and STATE_PATH not in state.json()["path"]
    assert http.guard.sent == 2


def test_a_spent_budget_is_a_502_for_the_verifier_and_raised_for_the_run(upstream: str) -> None:
    http = TargetHttp(RequestGuard(Limits(budget=1)))
    with GuardedProxy(http, upstream) as proxy:
        first = httpx.get(proxy.url + "/one")
        second = httpx.get(proxy.url + "/two")
    http.close()
    assert first.status_code == 201 and second.status_code == 502
    assert "request budget of 1 exhausted" in second.text
    with pytest.raises(BudgetExceeded):
        proxy.raise_guard_error()
