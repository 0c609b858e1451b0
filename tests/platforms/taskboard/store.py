"""taskboard's in-memory storage: users, projects, tasks, and the two storage bugs that faults plant.

All handlers are `async def` on one event loop, so no two of them touch the store at once.

Two faults live here because that is where such bugs live in a real service:
- `long-input-500`: the description column is narrower (255) than the API documents (2000); a longer
  description makes the "database" raise, and the handler does not catch it.
- `int64-path-500`: rows are keyed by their id packed as a signed 64-bit integer, as a key-value store
  would; an id past 2**63 - 1 makes `struct.pack` raise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.platforms.taskboard.settings import Account

NARROW_DESCRIPTION_COLUMN = 255


class StorageError(RuntimeError):
    """The storage refused a write (what a database driver raises on an over-long value)."""


@dataclass
class UserRow:
    id: int
    account: Account


@dataclass
class ProjectRow:
    id: int
    owner_id: int
    name: str
    description: str | None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class TaskRow:
    id: int
    project_id: int
    title: str
    status: str
    priority: int
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Store:
    def __init__(
        self, accounts: tuple[Account, ...], *, narrow_descriptions: bool = False, packed_keys: bool = False
    ) -> None:
        self.users = {index: UserRow(index, account) for index, account in enumerate(accounts, start=1)}
        self._projects: dict[object, ProjectRow] = {}
        self._tasks: dict[object, TaskRow] = {}
        self._next_id = 1
        self._narrow_descriptions = narrow_descriptions
        self._packed_keys = packed_keys

    # -- users

    def user_by_email(self, email: str) -> UserRow | None:
        return next((u for u in self.users.values() if u.account.email == email), None)

    # -- projects

    def _key(self, row_id: int) -> object:
        return struct.pack(">q", row_id) if self._packed_keys else row_id

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def projects_of(self, owner_id: int) -> list[ProjectRow]:
        return [p for p in self._projects.values() if p.owner_id == owner_id]

    def project(self, project_id: int) -> ProjectRow | None:
        return self._projects.get(self._key(project_id))

    def _check_description(self, description: str | None) -> None:
        if self._narrow_descriptions and len(description or "") > NARROW_DESCRIPTION_COLUMN:
            raise StorageError(f"value too long for type character varying({NARROW_DESCRIPTION_COLUMN})")

    def add_project(self, owner_id: int, name: str, description: str | None) -> ProjectRow:
        self._check_description(description)
        row = ProjectRow(self._new_id(), owner_id, name, description)
        self._projects[self._key(row.id)] = row
        return row

    def update_project(self, row: ProjectRow, name: str, description: str | None) -> None:
        self._check_description(description)
        row.name, row.description = name, description

    def delete_project(self, project_id: int) -> None:
        self._projects.pop(self._key(project_id), None)
        for task in self.tasks_of(project_id):
            del self._tasks[self._key(task.id)]

    # -- tasks

    def tasks_of(self, project_id: int) -> list[TaskRow]:
        return [t for t in self._tasks.values() if t.project_id == project_id]

    def task(self, task_id: int) -> TaskRow | None:
        return self._tasks.get(self._key(task_id))

    def add_task(self, project_id: int, title: str, status: str, priority: int) -> TaskRow:
        row = TaskRow(self._new_id(), project_id, title, status, priority)
        self._tasks[self._key(row.id)] = row
        return row

    def replace_task(self, row: TaskRow, title: str, status: str, priority: int) -> None:
        row.title, row.status, row.priority = title, status, priority

    def delete_task(self, task_id: int) -> None:
        self._tasks.pop(self._key(task_id), None)

    def counts(self) -> tuple[int, int, int]:
        return len(self.users), len(self._projects), len(self._tasks)
