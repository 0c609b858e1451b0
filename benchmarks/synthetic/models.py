"""The resource kinds of the synthetic platform and their bodies, generated as pydantic models.

A kind is a name (`alpha`, `bravo`, … `zulu`, then `alpha1`, …) and one of three shapes, cycled so that
the document is not one schema copied N times:

- *note*: `name`, an optional `description`; updated with PATCH;
- *task*: `title`, a `status` enumeration, a `priority` 1..5; replaced with PUT;
- *entry*: `label`, an `amount`, a `currency` enumeration, a list of `tags`; updated with PATCH.

Request bodies refuse unknown fields and take integers only as JSON numbers (pydantic's lax mode would
take "5" or `true` for 5), so what the document calls invalid is what the service refuses. FastAPI
writes the constraints (lengths, ranges, enumerations, `additionalProperties: false`) into the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator

NAMES = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
    "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform",
    "victor", "whiskey", "xray", "yankee", "zulu",
)  # fmt: skip

Status = Literal["todo", "doing", "done"]
Currency = Literal["EUR", "USD", "GBP"]
Tag = Annotated[str, Field(min_length=1, max_length=32)]


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_json_numbers(cls, value: object, info: ValidationInfo) -> object:
        annotation = cls.model_fields[info.field_name or ""].annotation
        if (
            value is not None
            and _is_int(annotation)
            and (isinstance(value, bool) or not isinstance(value, int | float))
        ):
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


#: shape → field → (type, required in a create, constraints). Defaults apply when not required.
SHAPES: dict[str, dict[str, tuple[Any, bool, dict[str, Any]]]] = {
    "note": {
        "name": (str, True, {"min_length": 1, "max_length": 100}),
        "description": (str | None, False, {"max_length": 2000, "default": None}),
    },
    "task": {
        "title": (str, True, {"min_length": 1, "max_length": 200}),
        "status": (Status, False, {"default": "todo"}),
        "priority": (int, False, {"ge": 1, "le": 5, "default": 3}),
    },
    "entry": {
        "label": (str, True, {"min_length": 1, "max_length": 64}),
        "amount": (int, True, {"ge": -1_000_000, "le": 1_000_000}),
        "currency": (Currency, False, {"default": "EUR"}),
        "tags": (list[Tag], False, {"max_length": 10, "default_factory": list}),
    },
}
#: How each shape is updated: PATCH (the fields sent; null leaves a non-nullable field as it is) or PUT.
UPDATE = {"note": "PATCH", "task": "PUT", "entry": "PATCH"}


@dataclass(frozen=True)
class Kind:
    """One resource collection: its name, shape, paths and models."""

    name: str
    shape: str
    create: type[BaseModel]
    update: type[BaseModel]
    item: type[BaseModel]
    page: type[BaseModel]

    @property
    def collection(self) -> str:
        return f"/api/{self.name}s"

    @property
    def param(self) -> str:
        return f"{self.name}_id"

    @property
    def update_method(self) -> str:
        return UPDATE[self.shape]

    def nullable(self, field: str) -> bool:
        return type(None) in get_args(SHAPES[self.shape][field][0])


def _field(annotation: Any, constraints: dict[str, Any], *, required: bool) -> tuple[Any, Any]:
    """A pydantic field definition: required, or with the shape's default."""
    kept = {k: v for k, v in constraints.items() if k not in ("default", "default_factory")}
    if required:
        return annotation, Field(**kept)
    if "default_factory" in constraints:
        return annotation, Field(default_factory=constraints["default_factory"], **kept)
    return annotation, Field(default=constraints["default"], **kept)


def _optional(annotation: Any, constraints: dict[str, Any]) -> tuple[Any, Any]:
    """A PATCH field: may be left out or null (which leaves a non-nullable field as it is)."""
    kept = {k: v for k, v in constraints.items() if k not in ("default", "default_factory")}
    return annotation | None, Field(default=None, **kept)


def kind(index: int) -> Kind:
    """The `index`-th kind (0-based): names cycle through `NAMES`, shapes through `SHAPES`."""
    name = NAMES[index % len(NAMES)] + (str(index // len(NAMES)) if index >= len(NAMES) else "")
    shape = tuple(SHAPES)[index % len(SHAPES)]
    title = name.capitalize()
    fields = SHAPES[shape]
    create = create_model(  # type: ignore[call-overload]
        f"{title}Create",
        __base__=RequestBody,
        **{f: _field(t, c, required=r) for f, (t, r, c) in fields.items()},
    )
    if UPDATE[shape] == "PUT":
        update = create_model(  # type: ignore[call-overload]
            f"{title}Replace",
            __base__=RequestBody,
            **{f: _field(t, c, required=True) for f, (t, _, c) in fields.items()},
        )
    else:
        update = create_model(  # type: ignore[call-overload]
            f"{title}Update",
            __base__=RequestBody,
            **{f: _optional(t, c) for f, (t, _, c) in fields.items()},
        )
    item = create_model(  # type: ignore[call-overload]
        title,
        id=(int, ...),
        owner_id=(int, ...),
        created_at=(datetime, ...),
        **{f: _field(t, c, required=True) for f, (t, _, c) in fields.items()},
    )
    page = create_model(
        f"{title}Page",
        items=(list[item], ...),  # type: ignore[valid-type]
        total=(int, Field(ge=0)),
        limit=(int, ...),
        offset=(int, ...),
    )
    return Kind(name, shape, create, update, item, page)
