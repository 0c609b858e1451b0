"""The request guard caps the rate and the budget for a whole run; a dead URL is TargetUnreachable."""

from __future__ import annotations

import socket
import threading

import pytest

from providers.errors import BudgetExceeded, TargetUnreachable
from providers.http import Limits, RequestGuard, TargetHttp


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_budget_is_enforced_across_calls() -> None:
    guard = RequestGuard(Limits(budget=3))
    for _ in range(3):
        guard.acquire("GET /")
    with pytest.raises(BudgetExceeded, match="budget of 3"):
        guard.acquire("GET /x")
    assert guard.sent == 3


def test_rate_cap_spaces_requests_after_the_burst() -> None:
    time = ManualTime()
    guard = RequestGuard(Limits(rate=10, burst=2), clock=time.clock, sleep=time.sleep)
    for _ in range(12):
        guard.acquire("GET /")
    # 2 free, then 10 more at 10/s: about one second of waiting in total.
    assert time.slept and abs(sum(time.slept) - 1.0) < 1e-6
    assert time.now / (12 - 2) == pytest.approx(0.1)


def test_closed_port_raises_target_unreachable_naming_the_url() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    http = TargetHttp(RequestGuard(Limits(timeout=2)))
    url = f"http://127.0.0.1:{port}/health"
    with pytest.raises(TargetUnreachable) as caught:
        http.request("GET", url)
    assert caught.value.url == url and url in str(caught.value)
    http.close()


class OneAnswerPerConnection:
    """A server on 127.0.0.1 that answers the first request of a connection and drops the next.

    With `answer_first=False` it drops every request unanswered: a target that is really broken.
    """

    def __init__(self, answer_first: bool = True) -> None:
        self.answer_first = answer_first
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.recv(65536)
                if not self.answer_first:
                    continue
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
                conn.recv(65536)  # the second request on this connection goes unanswered

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() a close alone would leave blocked
        self.listener.close()
        self.thread.join(timeout=5)


def test_a_request_on_a_kept_alive_connection_the_server_dropped_is_sent_again() -> None:
    server = OneAnswerPerConnection()
    http = TargetHttp(RequestGuard(Limits(budget=10)))
    try:
        assert http.request("GET", server.url).status_code == 200
        assert http.request("POST", server.url, content=b"x").status_code == 200
        assert server.connections == 2
    finally:
        http.close()
        server.close()


def test_a_request_dropped_on_a_new_connection_is_the_targets_failure() -> None:
    server = OneAnswerPerConnection(answer_first=False)
    http = TargetHttp(RequestGuard(Limits(budget=10)))
    try:
        with pytest.raises(TargetUnreachable, match="RemoteProtocolError"):
            http.request("GET", server.url)
        assert server.connections == 1
    finally:
        http.close()
        server.close()
