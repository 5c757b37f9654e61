from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, SecretStr, model_validator

from app.auth.models import Role
from app.core.schemas import InputModel, PatchModel, ReadModel, examples
from app.core.types import Id, patterned
from app.staff.schemas import StaffRead
from app.units.schemas import Name

Username = Annotated[str, patterned(r"^[a-z0-9][a-z0-9._\-]*$", min_length=3, max_length=64)]
Password = Annotated[SecretStr, Field(min_length=10, max_length=200)]


class TokenRead(ReadModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class GrantCreate(InputModel):
    role: Role
    unit_id: Id | None = Field(
        default=None, description="The role covers this unit's subtree; null only for admin."
    )
    event_id: Id | None = Field(
        default=None,
        description="Only for `organizer`: the role then holds for this one event; "
        "`unit_id` defaults to the event's organising unit.",
    )

    # the rules, in the contract (if/then/else: an `anyOf` at the top would turn the model
    # into a union in generated clients): an admin binds no event; an organizer names a unit
    # or an event; any other role names a unit and no event
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"role": {"const": "admin"}}},
            "then": {"properties": {"event_id": {"type": "null"}}},
            "else": {
                "if": {"properties": {"role": {"const": "organizer"}}},
                "then": {
                    "if": {
                        "required": ["event_id"],
                        "properties": {"event_id": {"type": "integer"}},
                    },
                    "else": {
                        "required": ["unit_id"],
                        "properties": {"unit_id": {"type": "integer"}},
                    },
                },
                "else": {
                    "required": ["unit_id"],
                    "properties": {"unit_id": {"type": "integer"}, "event_id": {"type": "null"}},
                },
            },
        }
    )

    @model_validator(mode="after")
    def _event_only_for_organizer(self) -> "GrantCreate":
        if self.event_id is not None and self.role != Role.organizer:
            raise ValueError("event_id binds only the organizer role")
        return self


class GrantRead(ReadModel):
    id: int
    role: Role
    unit_id: int | None
    event_id: int | None
    created_at: datetime


class UserCreate(InputModel):
    model_config = examples(
        {
            "username": "tranvanbinh.tanphu",
            "password": "Đổi-ngay-sau-lần-đầu-2025",
            "full_name": "Trần Văn Bình",
            "staff_id": 1207,
            "roles": [{"role": "unit_head", "unit_id": 12}],
        }
    )

    username: Username
    password: Password
    full_name: Name
    staff_id: Id | None = None
    roles: list[GrantCreate] = Field(default_factory=list, max_length=20)


class UserUpdate(PatchModel):
    """Users change their own name and password; managers also `is_active` and `staff_id`."""

    NOT_NULL = frozenset({"full_name", "password", "is_active"})

    full_name: Name | None = None
    password: Password | None = None
    is_active: bool | None = None
    staff_id: Id | None = None


class UserRead(ReadModel):
    id: int
    username: str
    full_name: str
    staff_id: int | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    roles: list[GrantRead] = Field(default_factory=list)


class ApiKeyCreate(InputModel):
    name: Name
    role: Role
    unit_id: Id


class ApiKeyRead(ReadModel):
    id: int
    name: str
    prefix: str
    role: Role
    unit_id: int
    created_by_user_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. Shown only now; only its hash is kept.")


class HeldRole(ReadModel):
    """A role the caller holds now: at a unit (its whole subtree), or for one event."""

    role: Role
    unit_id: int | None
    event_id: int | None


class MeRead(ReadModel):
    auth_method: Literal["password", "api_key"]
    user: UserRead | None
    api_key: ApiKeyRead | None
    staff: StaffRead | None
    roles: list[HeldRole]
