import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type, utcnow
from app.units.models import EducationLevel


class StaffCategory(enum.StrEnum):
    """CBQL / GV / NV."""

    teacher = "teacher"
    manager = "manager"
    other = "other"


class Gender(enum.StrEnum):
    male = "male"
    female = "female"


class StaffStatus(enum.StrEnum):
    active = "active"
    on_leave = "on_leave"
    retired = "retired"
    left = "left"


class Staff(Tracked, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    external_code: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=255)
    # Lower case, no diacritics: `nguyen van an` finds `Nguyễn Văn An` on every database.
    name_search: str = Field(max_length=255, index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    category: StaffCategory = Field(sa_type=enum_type(StaffCategory, "staff_category"))
    position: str | None = Field(default=None, max_length=255)
    subjects: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    education_level: EducationLevel | None = Field(
        default=None, sa_type=enum_type(EducationLevel, "education_level")
    )
    title_rank: str | None = Field(default=None, max_length=32)
    date_of_birth: date | None = None
    gender: Gender | None = Field(default=None, sa_type=enum_type(Gender, "gender"))
    email: str | None = Field(default=None, max_length=255)
    status: StaffStatus = Field(
        default=StaffStatus.active, sa_type=enum_type(StaffStatus, "staff_status"), index=True
    )


class StaffAssignment(SQLModel, table=True):
    """Which unit a person belonged to and when; records keep the unit of their time."""

    __tablename__ = "staff_assignment"
    __table_args__ = (sa.Index("ix_staff_assignment_staff_started", "staff_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    started_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=500)
    decision_number: str | None = Field(default=None, max_length=64)
