"""`contractgate stubs serve`: one line per service with its URL, serving until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.e2e.conftest import serve_stubs


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serves_the_three_stubs_and_stops_cleanly(sig: int) -> None:
    stubs = serve_stubs()
    try:
        urls = stubs.urls
        assert stubs.banner == [
            f"auth-service       {urls['auth-service']}",
            f"backend-service    {urls['backend-service']}",
            f"websocket-service  {urls['websocket-service'].replace('http://', 'ws://')}",
        ]
        assert httpx.get(urls["backend-service"] + "/health").json()["status"] == "ok"
        assert httpx.get(urls["auth-service"] + "/.well-known/jwks.json").status_code == 200
    finally:
        code, last_words = stubs.stop(sig)
    assert code == 0 and last_words.strip().endswith("stopped")
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["backend-service"] + "/health", timeout=2)


def test_without_the_provider_state_hook_as_staging_is() -> None:
    hook = "/_contractgate/provider-states"
    body = {"state": "a thread exists", "params": {"user": "alice@example.com"}}
    for options, status in (((), 200), (("--no-provider-states",), 404)):
        stubs = serve_stubs(*options)
        try:
            for url in stubs.urls.values():
                assert httpx.get(url + "/health").status_code == 200
            answer = httpx.post(stubs.urls["backend-service"] + hook, json=body)
            assert answer.status_code == status, answer.text
        finally:
            stubs.stop()


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    first = serve_stubs()
    try:
        import subprocess
        import sys

        taken = str(first.ports["backend-service"])
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "contractgate",
                "stubs",
                "serve",
                "--backend-port",
                taken,
                "--auth-port",
                "0",
                "--websocket-port",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        first.stop()
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and f"127.0.0.1:{taken}" in completed.stderr
    assert "Traceback" not in completed.stderr
