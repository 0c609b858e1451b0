"""A Pact Broker for tests: the subset of its HAL API that contractgate and the Pact clients use.

Served by uvicorn on a free loopback port (`FakeBroker` is a context manager), it answers as the Pact
Broker does — `application/hal+json`, `_links` relations from the index, the request and response
shapes of pact-foundation/pact_broker's resources and decorators — for:

    GET  /                                             index: pb: relations, templated where the broker's are
    POST /contracts/publish                            contract publication (base64 pacts, branch, tags, build URL)
    GET|POST /pacts/provider/{p}/for-verification      pacts for verification: selectors, pending, WIP
    GET  /pacts/provider/{p}/consumer/{c}/pact-version/{sha}[/metadata/{m}]   a pact, with `_id`s and links
    GET  /pacts/provider/{p}/consumer/{c}/version/{v}  the pact of a consumer version
    POST …/pact-version/{sha}[/metadata/{m}]/verification-results             publish a verification result
    GET  …/pact-version/{sha}/verification-results/{n} a verification result (its testResults)
    GET  /pacticipants/{p}, …/versions/{v}             pacticipant and version (pb:record-deployment per environment)
    PUT  /pacticipants/{p}/branches/{b}/versions/{v}   a version's branch (the verifier's pb:branch-version)
    PUT  /pacticipants/{p}/versions/{v}/tags/{t}       a version tag
    POST /pacticipants/{p}/versions/{v}/deployed-versions/environment/{uuid}  record a deployment
    GET|POST /environments, GET /environments/{uuid}   environments ("test" and "production" seeded)
    GET  /matrix?q[][pacticipant]=…&q[][version]=…&latestby=cvp&environment=…, GET /can-i-deploy

Authentication is a bearer token or basic credentials when configured (401 otherwise, as the broker);
`fail_with = 500` makes every request fail; every request is recorded (`requests`, `received(...)`) so
tests assert what a client really sent. `on_matrix(n)` runs before the n-th matrix answer (a
verification "arriving" while can-i-deploy retries).

The resources are in `broker_pacts` (contracts, pacts, verification results) and `broker_pacticipants`
(versions, environments, deployments, the matrix); the broker's rules in `broker_state`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stubs.server import BackgroundServer, bind
from tests.providers.broker.broker_hal import Urls, hal
from tests.providers.broker.broker_pacticipants import PacticipantResources
from tests.providers.broker.broker_pacts import PactResources
from tests.providers.broker.broker_state import BrokerState, Environment, Verification


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: Any


class FakeBroker:
    def __init__(
        self,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        environments: tuple[str, ...] = ("test", "production"),
    ) -> None:
        self.state = BrokerState(environments)
        self.token, self.username, self.password = token, username, password
        self.requests: list[Recorded] = []
        self.fail_with: int | None = None
        self.pacts = PactResources(self.state)
        self.pacticipants = PacticipantResources(self.state)
        self.app = self._app()
        self._server: BackgroundServer | None = None
        self.url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeBroker:
        self._server = BackgroundServer(_Recording(self.app, self), bind(), name="pact-broker").start()
        self.url = self._server.url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at and arrange ----------------------------------------------------------

    def received(self, method: str, path: str = "") -> list[Recorded]:
        """Requests with this method whose path starts with `path`."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path)]

    def create_environment(self, name: str, production: bool = False) -> Environment:
        with self.state.lock:
            return self.state.create_environment(name, production=production)

    def verifications(self, provider: str | None = None) -> list[Verification]:
        return [v for v in self.state.verifications if provider is None or v.provider == provider]

    @property
    def matrix_queries(self) -> int:
        return self.pacticipants.matrix_queries

    @matrix_queries.setter
    def matrix_queries(self, value: int) -> None:
        self.pacticipants.matrix_queries = value

    @property
    def on_matrix(self) -> Callable[[int], None] | None:
        return self.pacticipants.on_matrix

    @on_matrix.setter
    def on_matrix(self, hook: Callable[[int], None] | None) -> None:
        self.pacticipants.on_matrix = hook

    # -- the app -----------------------------------------------------------------------------

    def _app(self) -> Starlette:
        pact = "/pacts/provider/{provider}/consumer/{consumer}"
        routes = [
            Route("/", self.index, methods=["GET"]),
            Route("/contracts/publish", self.pacts.publish, methods=["POST"]),
            Route(
                "/pacts/provider/{provider}/for-verification",
                self.pacts.for_verification,
                methods=["GET", "POST"],
            ),
            Route(pact + "/pact-version/{sha}", self.pacts.pact_version, methods=["GET"]),
            Route(pact + "/pact-version/{sha}/metadata/{metadata}", self.pacts.pact_version, methods=["GET"]),
            Route(pact + "/version/{version}", self.pacts.pact_of_version, methods=["GET"]),
            Route(
                pact + "/pact-version/{sha}/verification-results",
                self.pacts.publish_verification,
                methods=["POST"],
            ),
            Route(
                pact + "/pact-version/{sha}/metadata/{metadata}/verification-results",
                self.pacts.publish_verification,
                methods=["POST"],
            ),
            Route(
                pact + "/pact-version/{sha}/verification-results/{number:int}",
                self.pacts.verification,
                methods=["GET"],
            ),
            Route("/pacticipants/{name}", self.pacticipants.pacticipant, methods=["GET"]),
            Route("/pacticipants/{name}/latest-version", self.pacticipants.latest_version, methods=["GET"]),
            Route("/pacticipants/{name}/versions/{version}", self.pacticipants.version, methods=["GET"]),
            Route(
                "/pacticipants/{name}/branches/{branch}/versions/{version}",
                self.pacticipants.branch_version,
                methods=["PUT"],
            ),
            Route(
                "/pacticipants/{name}/versions/{version}/tags/{tag}", self.pacticipants.tag, methods=["PUT"]
            ),
            Route(
                "/pacticipants/{name}/versions/{version}/deployed-versions/environment/{uuid}",
                self.pacticipants.record_deployment,
                methods=["POST"],
            ),
            Route("/environments", self.pacticipants.environments, methods=["GET", "POST"]),
            Route("/environments/{uuid}", self.pacticipants.environment, methods=["GET"]),
            Route("/matrix", self.pacticipants.matrix, methods=["GET"]),
            Route("/can-i-deploy", self.pacticipants.can_i_deploy, methods=["GET"]),
        ]
        return Starlette(routes=routes)

    async def index(self, request: Request) -> Response:
        base = Urls(request).base

        def link(path: str, title: str, templated: bool = False) -> dict[str, Any]:
            return {"href": base + path, "title": title, "templated": templated}

        return hal(
            {
                "_links": {
                    "self": link("", "Index"),
                    "pb:publish-contracts": link("/contracts/publish", "Publish contracts"),
                    "pb:provider-pacts-for-verification": link(
                        "/pacts/provider/{provider}/for-verification",
                        "Pact versions to be verified for the specified provider",
                        True,
                    ),
                    "pb:pacticipant": link("/pacticipants/{pacticipant}", "Fetch pacticipant by name", True),
                    "pb:pacticipant-version": link(
                        "/pacticipants/{pacticipant}/versions/{version}",
                        "Get, create or delete a pacticipant version",
                        True,
                    ),
                    "pb:latest-version": link(
                        "/pacticipants/{pacticipant}/latest-version", "Latest pacticipant version", True
                    ),
                    "pb:pacticipant-version-tag": link(
                        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
                        "Get, create or delete a tag for a pacticipant version",
                        True,
                    ),
                    "pb:environments": link("/environments", "Environments"),
                    "pb:environment": link("/environments/{uuid}", "Environment", True),
                    "curies": [{"name": "pb", "href": base + "/doc/{rel}?context=index", "templated": True}],
                }
            }
        )


class _Recording:
    """Records every request, enforces the configured credentials and the failure mode."""

    def __init__(self, app: ASGIApp, broker: FakeBroker) -> None:
        self.app = app
        self.broker = broker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = tuple(Request(scope).query_params.multi_items())
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode("utf-8", "replace")
        self.broker.requests.append(Recorded(scope["method"], scope["path"], query, headers, body))
        if self.broker.fail_with is not None:
            await _send(
                scope,
                send,
                hal(
                    {"error": {"message": "an error occurred", "reference": "abc123"}}, self.broker.fail_with
                ),
            )
            return
        if not self._authorised(headers.get("authorization", "")):
            challenge = 'Bearer realm="Pact Broker"' if self.broker.token else 'Basic realm="Restricted Area"'
            await _send(scope, send, hal({"error": "Unauthorized"}, 401, {"WWW-Authenticate": challenge}))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)

    def _authorised(self, header: str) -> bool:
        if self.broker.token:
            return header == f"Bearer {self.broker.token}"
        if self.broker.username:
            expected = base64.b64encode(f"{self.broker.username}:{self.broker.password}".encode()).decode()
            return header == f"Basic {expected}"
        return True


async def _send(scope: Scope, send: Send, response: Response) -> None:
    async def no_receive() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_receive, send)
