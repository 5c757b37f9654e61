from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import InputModel, ReadModel
from app.core.types import Id
from app.violations.models import ViolationKind, ViolationStatus

Evidence = Annotated[str, StringConstraints(min_length=1, max_length=10000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(max_length=1000)]


class ViolationCreate(InputModel):
    """A breach found by a department officer or a unit head, with its evidence."""

    kind: ViolationKind
    unit_id: Id = Field(description="The unit the violation is recorded against.")
    staff_id: Id | None = Field(default=None, description="The person, when there is one.")
    event_id: Id | None = Field(default=None, description="The Sở event concerned.")
    session_id: Id | None = Field(default=None, description="A session of `event_id`.")
    external_event_id: Id | None = Field(
        default=None, description="The external event concerned (R-EXT-4)."
    )
    evidence: Evidence
    note: Note | None = None
    occurred_on: date | None = Field(
        default=None,
        description="Sets the school year when no event is named; default today.",
    )


class DismissRequest(InputModel):
    reason: Reason = Field(description="Why this is not a violation after all (required).")


class ViolationRead(ReadModel):
    id: int
    kind: ViolationKind
    status: ViolationStatus
    school_year: str
    unit_id: int
    staff_id: int | None
    event_id: int | None
    session_id: int | None
    external_event_id: int | None
    evidence: str | None
    note: str | None
    recorded_by_user_id: int | None
    dismissed_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
