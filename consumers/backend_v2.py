"""Client of the backend's v2 user API, as web-frontend ships it.

Threads with cursor pagination (`threads()` walks every page), messages, agent runs (a 202 whose
`stream_url` is where the run's events stream), the caller's profile and the tenant-admin usage.
A thread of another user or tenant is a `NotFound` like any unknown id; starting a run while one is
in progress is a `Conflict`; an expired or revoked token is `Unauthorized` (the frontend refreshes
and retries once).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from consumers.http import ApiClient, parse_time


@dataclass(frozen=True)
class Thread:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    message_count: int

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Thread:
        return cls(
            id=str(body["id"]),
            name=str(body["name"]),
            created_at=parse_time(body["created_at"]),
            updated_at=parse_time(body["updated_at"]),
            message_count=int(body["message_count"]),
        )


@dataclass(frozen=True)
class Message:
    id: str
    thread_id: str
    role: str
    content: str
    created_at: datetime

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Message:
        return cls(
            id=str(body["id"]),
            thread_id=str(body["thread_id"]),
            role=str(body["role"]),
            content=str(body["content"]),
            created_at=parse_time(body["created_at"]),
        )


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    data: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class RunAccepted:
    id: str
    thread_id: str
    status: str
    created_at: datetime
    stream_url: str
    location: str


@dataclass(frozen=True)
class Run:
    id: str
    thread_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    event_count: int

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "cancelled")


@dataclass(frozen=True)
class Me:
    id: str
    email: str
    display_name: str
    tenant_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Usage:
    tenant_id: str
    threads: int
    messages: int
    runs: int


class BackendClient(ApiClient):
    """`BackendClient(base_url)`; every call takes the user's access token (audience backend)."""

    def list_threads(
        self, token: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Thread]:
        params: dict[str, Any] = {}
        if limit is not None:
            params["limit"] = limit
        if cursor is not None:
            params["cursor"] = cursor
        body = self.request("GET", "/v2/threads", token=token, params=params).json()
        return Page([Thread.from_json(t) for t in body["data"]], body["next_cursor"])

    def threads(self, token: str, *, page_size: int | None = None) -> Iterator[Thread]:
        """Every thread of the user, page by page (the server's page size unless `page_size`)."""
        cursor: str | None = None
        while True:
            page = self.list_threads(token, limit=page_size, cursor=cursor)
            yield from page.data
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def create_thread(self, token: str, name: str) -> Thread:
        return Thread.from_json(self.request("POST", "/v2/threads", token=token, json={"name": name}).json())

    def get_thread(self, token: str, thread_id: str) -> Thread:
        return Thread.from_json(self.request("GET", f"/v2/threads/{thread_id}", token=token).json())

    def delete_thread(self, token: str, thread_id: str) -> None:
        self.request("DELETE", f"/v2/threads/{thread_id}", token=token)

    def list_messages(self, token: str, thread_id: str, *, limit: int | None = None) -> Page[Message]:
        params = {"limit": limit} if limit is not None else {}
        body = self.request("GET", f"/v2/threads/{thread_id}/messages", token=token, params=params).json()
        return Page([Message.from_json(m) for m in body["data"]], body["next_cursor"])

    def post_message(self, token: str, thread_id: str, content: str) -> Message:
        response = self.request(
            "POST", f"/v2/threads/{thread_id}/messages", token=token, json={"content": content}
        )
        return Message.from_json(response.json())

    def start_run(self, token: str, thread_id: str, text: str) -> RunAccepted:
        response = self.request("POST", f"/v2/threads/{thread_id}/runs", token=token, json={"input": text})
        body = response.json()
        return RunAccepted(
            id=str(body["id"]),
            thread_id=str(body["thread_id"]),
            status=str(body["status"]),
            created_at=parse_time(body["created_at"]),
            stream_url=str(body["stream_url"]),
            location=response.headers["location"],
        )

    def get_run(self, token: str, run_id: str) -> Run:
        body = self.request("GET", f"/v2/runs/{run_id}", token=token).json()
        return Run(
            id=str(body["id"]),
            thread_id=str(body["thread_id"]),
            status=str(body["status"]),
            created_at=parse_time(body["created_at"]),
            updated_at=parse_time(body["updated_at"]),
            event_count=int(body["event_count"]),
        )

    def me(self, token: str) -> Me:
        body = self.request("GET", "/v2/users/me", token=token).json()
        return Me(
            id=str(body["id"]),
            email=str(body["email"]),
            display_name=str(body["display_name"]),
            tenant_id=str(body["tenant"]["id"]),
            roles=tuple(body["roles"]),
        )

    def usage(self, token: str) -> Usage:
        body = self.request("GET", "/v2/admin/usage", token=token).json()
        return Usage(str(body["tenant_id"]), int(body["threads"]), int(body["messages"]), int(body["runs"]))
