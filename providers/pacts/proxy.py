"""The Pact verifier's way to the target: a loopback proxy that sends every request through the guard.

The FFI verifier opens its own connections; pointed at the target it would go around the run's
`RequestGuard`, so on a live target its requests — interactions and provider-state changes — would be
neither rate-capped, nor counted against the budget, nor bounded by the run's timeout. Instead it is
pointed at `GuardedProxy`, which forwards each request, one by one, with the run's `TargetHttp`, and
answers with what the target answered (status, headers, body). The provider-state URL gets its own
path on the proxy (`STATE_PATH`): forwarded to the target's hook, or — on a target without one —
answered here by the manifest's declared setups (`changes.DeclaredStates`).

When the guard refuses (the budget is spent) or the target does not answer, the proxy answers 502 and
keeps the error; `raise_guard_error` re-raises it in the suite's thread once the verifier is done, so
the gate stops as it does for every other suite — never a pact failure blamed on the target.
"""

from __future__ import annotations

import json
import threading

from providers.errors import ContractgateError
from providers.http import TargetHttp
from providers.pacts.changes import StateChangeFailed, StateChanger
from providers.pacts.loopback import LoopbackServer, QuietHandler

#: Where the verifier posts provider-state changes on the proxy (forwarded to the service's state URL).
STATE_PATH = "/_contractgate-proxy/provider-state"
#: Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1), and the
#: ones the forwarding client sets itself.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


class GuardedProxy(LoopbackServer):
    """Forwards to `upstream` (and `STATE_PATH` to `states_url`, or to `states`) through `http`, on a
    loopback port."""

    def __init__(
        self,
        http: TargetHttp,
        upstream: str,
        states_url: str | None = None,
        states: StateChanger | None = None,
    ) -> None:
        super().__init__(_Handler, "pact-guarded-proxy")
        self.http = http
        self.upstream = upstream.rstrip("/")
        self.states_url = states_url
        self.states = states
        #: The first refusal of the guard (budget spent, target down), re-raised after the verifier ran.
        self.error: ContractgateError | None = None
        self._lock = threading.Lock()

    @property
    def state_url(self) -> str:
        return self.url + STATE_PATH

    def raise_guard_error(self) -> None:
        if self.error is not None:
            raise self.error

    def target_of(self, path: str) -> str:
        if path == STATE_PATH and self.states_url:
            return self.states_url
        return self.upstream + path

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if path == STATE_PATH and not self.states_url and self.states is not None:
            return self._change(body)
        sent = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
        try:
            response = self.http.request(method, self.target_of(path), headers=sent, content=body)
        except ContractgateError as exc:
            with self._lock:
                self.error = self.error or exc
            return 502, [("Content-Type", "text/plain")], str(exc).encode()
        # httpx has decoded the body: the encoding headers no longer describe it.
        kept = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-encoding"
        ]
        return response.status_code, kept, response.content

    def _change(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """A state change answered by `states` (the declared setups): its values, or why it failed."""
        assert self.states is not None
        plain = [("Content-Type", "text/plain")]
        try:
            data = json.loads(body or b"{}")
            answer = self.states.change(
                str(data.get("state") or ""), str(data.get("action") or "setup"), data.get("params")
            )
        except StateChangeFailed as exc:
            return 500, plain, str(exc).encode()
        except ContractgateError as exc:
            with self._lock:
                self.error = self.error or exc
            return 502, plain, str(exc).encode()
        return 200, [("Content-Type", "application/json")], json.dumps(answer).encode()


class _Handler(QuietHandler):
    def _forward(self) -> None:
        proxy: GuardedProxy = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, content = proxy.forward(self.command, self.path, list(self.headers.items()), body)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward
