"""taskboard's REST resources: the signed-in user, their projects, each project's tasks, and the
administrators' statistics.

A project belongs to the user who created it; someone else's project (and its tasks) answers 404, as if
it did not exist. Three planted faults live in these handlers: `idor` (someone else's project readable by
id), `response-field-dropped` (`/api/me` without `org`), `undeclared-status` (a second project of the same
name answered with 409); `long-input-500` and `int64-path-500` live in the store.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations at definition time,
# and `User` is local to the router factory.
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Response
from fastapi.responses import JSONResponse

from tests.platforms.taskboard.auth import UNAUTHORIZED, CurrentUser
from tests.platforms.taskboard.models import (
    Me,
    Problem,
    Project,
    ProjectCreate,
    ProjectPage,
    ProjectUpdate,
    Stats,
    Task,
    TaskCreate,
    TaskPage,
    TaskReplace,
    TaskStatus,
)
from tests.platforms.taskboard.settings import Settings
from tests.platforms.taskboard.store import ProjectRow, Store, TaskRow, UserRow

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such resource among the caller's"}
}
#: FastAPI answers 400 when a body cannot be read at all (not UTF-8, or a broken form encoding).
UNREADABLE: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be parsed"}
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {403: {"model": Problem, "description": "Administrators only"}}

ProjectId = Annotated[int, Path(ge=1, description="A project's id")]
TaskId = Annotated[int, Path(ge=1, description="A task's id")]
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many items")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Items to skip")]


def _project(store: Store, row: ProjectRow) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        description=row.description,
        owner_id=row.owner_id,
        task_count=len(store.tasks_of(row.id)),
        created_at=row.created_at,
    )


def _task(row: TaskRow) -> Task:
    return Task.model_validate(row, from_attributes=True)


def resources_router(settings: Settings, store: Store, current_user: CurrentUser) -> APIRouter:
    router = APIRouter(responses=UNAUTHORIZED)
    User = Annotated[UserRow, Depends(current_user)]

    def owned_project(project_id: int, user: UserRow, *, reading: bool = False) -> ProjectRow:
        row = store.project(project_id)
        if row is None or (row.owner_id != user.id and not (reading and settings.has("idor"))):
            raise HTTPException(404, "no such project")
        return row

    def owned_task(task_id: int, user: UserRow) -> TaskRow:
        row = store.task(task_id)
        if row is None:
            raise HTTPException(404, "no such task")
        project = store.project(row.project_id)
        if project is None or project.owner_id != user.id:
            raise HTTPException(404, "no such task")
        return row

    @router.get("/api/me", response_model=Me, tags=["account"], summary="The signed-in user")
    async def me(user: User) -> Any:
        body = Me(id=user.id, email=user.account.email, name=user.account.name, org=user.account.org,
                  role=user.account.role)
        if settings.has("response-field-dropped"):
            return JSONResponse(body.model_dump(mode="json", exclude={"org"}))
        return body

    @router.get("/api/projects", response_model=ProjectPage, tags=["projects"], summary="The caller's projects")
    async def list_projects(user: User, limit: Limit = 20, offset: Offset = 0) -> ProjectPage:
        rows = store.projects_of(user.id)
        items = [_project(store, row) for row in rows[offset : offset + limit]]
        return ProjectPage(items=items, total=len(rows), limit=limit, offset=offset)

    @router.post("/api/projects", response_model=Project, status_code=201, responses=UNREADABLE, tags=["projects"],
                 summary="Create a project")
    async def create_project(user: User, body: ProjectCreate) -> Project:
        if settings.has("undeclared-status") and any(p.name == body.name for p in store.projects_of(user.id)):
            raise HTTPException(409, "a project with this name exists")  # a unique index the spec never heard of
        return _project(store, store.add_project(user.id, body.name, body.description))

    @router.get("/api/projects/{project_id}", response_model=Project, responses=NOT_FOUND, tags=["projects"],
                summary="One of the caller's projects")
    async def get_project(user: User, project_id: ProjectId) -> Project:
        return _project(store, owned_project(project_id, user, reading=True))

    @router.patch("/api/projects/{project_id}", response_model=Project, responses=NOT_FOUND | UNREADABLE, tags=["projects"],
                  summary="Rename a project or change its description")
    async def update_project(user: User, project_id: ProjectId, body: ProjectUpdate) -> Project:
        row = owned_project(project_id, user)
        description = body.description if "description" in body.model_fields_set else row.description
        store.update_project(row, body.name if body.name is not None else row.name, description)
        return _project(store, row)

    @router.delete("/api/projects/{project_id}", status_code=204, responses=NOT_FOUND, tags=["projects"],
                   summary="Delete a project and its tasks")
    async def delete_project(user: User, project_id: ProjectId) -> Response:
        store.delete_project(owned_project(project_id, user).id)
        return Response(status_code=204)

    @router.get("/api/projects/{project_id}/tasks", response_model=TaskPage, responses=NOT_FOUND,
                tags=["tasks"], summary="A project's tasks")
    async def list_tasks(
        user: User,
        project_id: ProjectId,
        limit: Limit = 20,
        offset: Offset = 0,
        status: Annotated[TaskStatus | None, Query(description="Only tasks in this state")] = None,
    ) -> TaskPage:
        rows = store.tasks_of(owned_project(project_id, user).id)
        rows = [row for row in rows if status is None or row.status == status]
        items = [_task(row) for row in rows[offset : offset + limit]]
        return TaskPage(items=items, total=len(rows), limit=limit, offset=offset)

    @router.post("/api/projects/{project_id}/tasks", response_model=Task, status_code=201,
                 responses=NOT_FOUND | UNREADABLE,
                 tags=["tasks"], summary="Add a task to a project")
    async def create_task(user: User, project_id: ProjectId, body: TaskCreate) -> Task:
        project = owned_project(project_id, user)
        return _task(store.add_task(project.id, body.title, body.status, body.priority))

    @router.get("/api/tasks/{task_id}", response_model=Task, responses=NOT_FOUND, tags=["tasks"],
                summary="One of the caller's tasks")
    async def get_task(user: User, task_id: TaskId) -> Task:
        return _task(owned_task(task_id, user))

    @router.put("/api/tasks/{task_id}", response_model=Task, responses=NOT_FOUND | UNREADABLE, tags=["tasks"],
                summary="Replace a task")
    async def replace_task(user: User, task_id: TaskId, body: Annotated[TaskReplace, Body()]) -> Task:
        row = owned_task(task_id, user)
        store.replace_task(row, body.title, body.status, body.priority)
        return _task(row)

    @router.delete("/api/tasks/{task_id}", status_code=204, responses=NOT_FOUND, tags=["tasks"],
                   summary="Delete a task")
    async def delete_task(user: User, task_id: TaskId) -> Response:
        store.delete_task(owned_task(task_id, user).id)
        return Response(status_code=204)

    @router.get("/api/admin/stats", response_model=Stats, responses=FORBIDDEN, tags=["admin"],
                summary="Counts of users, projects and tasks (administrators only)")
    async def admin_stats(user: User) -> Stats:
        if user.account.role != "admin":
            raise HTTPException(403, "administrators only")
        users, projects, tasks = store.counts()
        return Stats(users=users, projects=projects, tasks=tasks)

    return router
