"""Client of the backend's deprecated v1 user API, as the legacy mobile app ships it.

v1's shapes: page numbers (`items`, `page`, `per_page`, `total`), a thread's `title`, a message's
`text`, `run_id`. Every answer carries v1's deprecation headers; the app keeps the last one seen
(`last_deprecation`, like the v1 auth client) to warn before the sunset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from consumers.deprecation import DeprecatedApiClient
from consumers.http import parse_time

T = TypeVar("T")


@dataclass(frozen=True)
class Thread:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Thread:
        return cls(
            id=str(body["id"]),
            title=str(body["title"]),
            created_at=parse_time(body["created_at"]),
            updated_at=parse_time(body["updated_at"]),
            message_count=int(body["message_count"]),
        )


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    role: str
    text: str
    created_at: datetime

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Message:
        return cls(
            id=str(body["id"]),
            thread_id=str(body["thread_id"]),
            role=str(body["role"]),
            text=str(body["text"]),
            created_at=parse_time(body["created_at"]),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total


@dataclass(frozen=True)
class RunAccepted:
    run_id: str
    status: str
    stream_url: str


@dataclass(frozen=True)
class Run:
    run_id: str
    thread_id: str
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Me:
    id: str
    email: str
    name: str
    tenant_id: str
    roles: tuple[str, ...]


class LegacyBackendClient(DeprecatedApiClient):
    def list_threads(self, token: str, *, page: int = 1, per_page: int = 20) -> Page[Thread]:
        params = {"page": page, "per_page": per_page}
        body = self.request("GET", "/v1/threads", token=token, params=params).json()
        return Page(
            [Thread.from_json(t) for t in body["items"]], body["page"], body["per_page"], body["total"]
        )

    def create_thread(self, token: str, title: str) -> Thread:
        return Thread.from_json(
            self.request("POST", "/v1/threads", token=token, json={"title": title}).json()
        )

    def get_thread(self, token: str, thread_id: str) -> Thread:
        return Thread.from_json(self.request("GET", f"/v1/threads/{thread_id}", token=token).json())

    def list_messages(
        self, token: str, thread_id: str, *, page: int = 1, per_page: int = 20
    ) -> Page[Message]:
        params = {"page": page, "per_page": per_page}
        body = self.request("GET", f"/v1/threads/{thread_id}/messages", token=token, params=params).json()
        return Page(
            [Message.from_json(m) for m in body["items"]], body["page"], body["per_page"], body["total"]
        )

    def post_message(self, token: str, thread_id: str, text: str) -> Message:
        response = self.request("POST", f"/v1/threads/{thread_id}/messages", token=token, json={"text": text})
        return Message.from_json(response.json())

    def start_run(self, token: str, thread_id: str, text: str) -> RunAccepted:
        body = self.request("POST", f"/v1/threads/{thread_id}/runs", token=token, json={"input": text}).json()
        return RunAccepted(str(body["run_id"]), str(body["status"]), str(body["stream_url"]))

    def get_run(self, token: str, run_id: str) -> Run:
        body = self.request("GET", f"/v1/runs/{run_id}", token=token).json()
        return Run(
            run_id=str(body["run_id"]),
            thread_id=str(body["thread_id"]),
            status=str(body["status"]),
            created_at=parse_time(body["created_at"]),
            updated_at=parse_time(body["updated_at"]),
        )

    def me(self, token: str) -> Me:
        body = self.request("GET", "/v1/users/me", token=token).json()
        return Me(
            id=str(body["id"]),
            email=str(body["email"]),
            name=str(body["name"]),
            tenant_id=str(body["tenant_id"]),
            roles=tuple(body["roles"]),
        )
