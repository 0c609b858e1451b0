"""The fake broker's HAL plumbing: responses, the broker's URL scheme, validation errors, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from tests.providers.broker.broker_state import Environment, Invalid, Publication, Verification, Version

HAL = "application/hal+json;charset=utf-8"
NOT_FOUND = {"error": "The requested document was not found on this server."}


def hal(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=dict(headers or {}), media_type=HAL)


def q(value: str) -> str:
    return quote(value, safe="")


class Urls:
    """The broker's URLs (pact_broker_urls.rb), absolute on the base URL the request came to."""

    def __init__(self, request: Request) -> None:
        self.base = str(request.base_url).rstrip("/")

    def pacticipant(self, name: str) -> str:
        return f"{self.base}/pacticipants/{q(name)}"

    def version(self, name: str, number: str) -> str:
        return f"{self.pacticipant(name)}/versions/{q(number)}"

    def integration(self, provider: str, consumer: str) -> str:
        return f"{self.base}/pacts/provider/{q(provider)}/consumer/{q(consumer)}"

    def pact_version(self, pub: Publication, metadata: str | None = None) -> str:
        url = f"{self.integration(pub.provider, pub.consumer)}/pact-version/{pub.sha}"
        return url + (f"/metadata/{metadata}" if metadata else "")

    def pact(self, pub: Publication) -> str:
        return f"{self.integration(pub.provider, pub.consumer)}/version/{q(pub.consumer_version)}"

    def verification(self, v: Verification) -> str:
        return (
            f"{self.integration(v.provider, v.consumer)}/pact-version/{v.sha}/verification-results/{v.number}"
        )

    def environment(self, env: Environment) -> str:
        return f"{self.base}/environments/{env.uuid}"


def pact_name(pub: Publication) -> str:
    return f"Pact between {pub.consumer} ({pub.consumer_version}) and {pub.provider}"


def invalid(exc: Invalid) -> Response:
    body: dict[str, Any] = {"errors": exc.errors}
    if exc.notices:
        body["notices"] = exc.notices
    return hal(body, exc.status)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except json.JSONDecodeError:
        return {"__invalid__": True}
    return body if isinstance(body, dict) else {"__invalid__": True}


def version_summary(urls: Urls, version: Version) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "number": version.number,
        "_links": {
            "self": {
                "title": "Version",
                "name": version.number,
                "href": urls.version(version.pacticipant, version.number),
            }
        },
    }
    if version.branches:
        summary["branch"] = version.branches[-1]
    if version.build_url:
        summary["buildUrl"] = version.build_url
    return summary
