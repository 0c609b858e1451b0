"""The request and response bodies of taskboard, as pydantic models whose constraints FastAPI writes into
the OpenAPI document (lengths, ranges, enumerations, `additionalProperties: false`).

Request bodies forbid unknown fields, and their integers are JSON numbers only (pydantic's lax mode would
take "5" or `true` for 5; its strict mode would refuse 5.0, which JSON Schema calls an integer), so that
what the document calls invalid is what the service refuses, and nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

TaskStatus = Literal["todo", "doing", "done"]

PROJECT_NAME_MAX = 100
DESCRIPTION_MAX = 2000
TITLE_MAX = 200




class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_json_numbers(cls, value: object, info: ValidationInfo) -> object:
        annotation = cls.model_fields[info.field_name or ""].annotation
        if annotation is int and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("Input should be a JSON number")
        return value


class Problem(BaseModel):
    """Every refusal except validation errors (FastAPI's own `HTTPValidationError`)."""

    detail: str


class Health(BaseModel):
    status: Literal["ok"]


class Session(BaseModel):
    """A signed-in session: the bearer token to send as `Authorization: Bearer <token>`."""

    token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=1, description="Seconds until the token expires.")


class Me(BaseModel):
    id: int
    email: str
    name: str
    org: str
    role: Literal["user", "admin"]


class ProjectCreate(_Request):
    name: str = Field(min_length=1, max_length=PROJECT_NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


class ProjectUpdate(_Request):
    """Fields left out (or a `name` of null) stay as they are; a `description` of null clears it."""

    name: str | None = Field(default=None, min_length=1, max_length=PROJECT_NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


class Project(BaseModel):
    id: int
    name: str
    description: str | None
    owner_id: int
    task_count: int = Field(ge=0)
    created_at: datetime


class ProjectPage(BaseModel):
    items: list[Project]
    total: int = Field(ge=0)
    limit: int
    offset: int


class TaskCreate(_Request):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    status: TaskStatus = "todo"
    priority: int = Field(default=3, ge=1, le=5)


class TaskReplace(_Request):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    status: TaskStatus
    priority: int = Field(ge=1, le=5)


class Task(BaseModel):
    id: int
    project_id: int
    title: str
    status: TaskStatus
    priority: int = Field(ge=1, le=5)
    created_at: datetime


class TaskPage(BaseModel):
    items: list[Task]
    total: int = Field(ge=0)
    limit: int
    offset: int


class Stats(BaseModel):
    users: int = Field(ge=0)
    projects: int = Field(ge=0)
    tasks: int = Field(ge=0)
