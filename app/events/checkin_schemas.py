"""Bodies and answers of session check-in (``app.events.checkin``)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from app.core.schemas import InputModel, ReadModel
from app.core.types import patterned
from app.events.models import MarkSource, MarkStatus


class CheckInOpen(InputModel):
    """This event's choice; each field left out comes from the year's policy."""

    opens_before_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    closes_after_minutes: int | None = Field(
        default=None, ge=1, le=24 * 60, description="After the session starts."
    )
    late_after_minutes: int | None = Field(
        default=None,
        ge=0,
        le=24 * 60,
        description="A check-in later than this after the start reads `late`.",
    )
    code_step_seconds: int | None = Field(default=None, ge=10, le=600)


class CheckInRequest(InputModel):
    """Only the code: the account checking in is the person checked in."""

    code: Annotated[str, patterned(r"^[0-9]{6}$")] = Field(
        description="The code shown in the room."
    )


CheckInState = Literal["not_opened", "scheduled", "open", "closed"]


class UnitCheckInCounts(ReadModel):
    unit_id: int
    roster: int
    checked_in: int = Field(description="Marked present or late, by check-in or organiser.")
    late: int
    missing: int = Field(description="No mark yet, or marked absent.")


class CheckInStatus(ReadModel):
    session_id: int
    state: CheckInState
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    late_after: datetime | None = None
    code_step_seconds: int | None = None
    roster: int
    checked_in: int
    late: int
    missing: int
    units: list[UnitCheckInCounts]


class CheckInCode(ReadModel):
    session_id: int
    code: str
    valid_until: datetime = Field(description="When the next code replaces it.")
    step_seconds: int
    qr_payload: str = Field(description="The text the QR image (png, svg) encodes.")


class CheckInMark(ReadModel):
    session_id: int
    staff_id: int
    status: MarkStatus
    source: MarkSource
    check_in_at: datetime | None
