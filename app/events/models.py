"""Sở-organised trainings and conferences: summons, nominations, sessions, attendance."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type, utcnow


class EventKind(enum.StrEnum):
    training = "training"
    conference = "conference"
    workshop = "workshop"
    event = "event"


class EventMode(enum.StrEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"


class EventStatus(enum.StrEnum):
    draft = "draft"
    summoned = "summoned"
    in_progress = "in_progress"
    closed = "closed"
    cancelled = "cancelled"


class Event(Tracked, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("bdtx_periods IS NULL OR bdtx_periods >= 0", name="periods_positive"),
        sa.Index("ix_event_organizer_status", "organizer_unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: EventKind = Field(sa_type=enum_type(EventKind, "event_kind"))
    organizer_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    title: str = Field(max_length=500)
    school_year: str = Field(max_length=9, index=True)
    summons_number: str | None = Field(default=None, max_length=64)  # số giấy triệu tập
    summons_date: date | None = None
    location: str | None = Field(default=None, max_length=500)
    mode: EventMode = Field(default=EventMode.in_person, sa_type=enum_type(EventMode, "event_mode"))
    nomination_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bdtx_module_code: str | None = Field(default=None, max_length=64)
    bdtx_periods: int | None = None
    status: EventStatus = Field(
        default=EventStatus.draft, sa_type=enum_type(EventStatus, "event_status")
    )
    cancel_reason: str | None = Field(default=None, max_length=1000)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EventSession(Tracked, table=True):
    """A buổi: fixed once summoned, except by an amendment that nominees can see."""

    __tablename__ = "event_session"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    title: str | None = Field(default=None, max_length=255)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    # cancelled by an amended summons (its reason is the amendment's): no marks, no absences,
    # and it counts for nobody's completion (R-ATT-3)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionAmendment(SQLModel, table=True):
    """An amended summons: what changed in a session after summoning, and why."""

    __tablename__ = "session_amendment"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    session_id: int = Field(foreign_key="event_session.id", ondelete="CASCADE")
    reason: str = Field(max_length=1000)
    before: dict[str, Any] = Field(sa_type=sa.JSON)
    after: dict[str, Any] = Field(sa_type=sa.JSON)
    amended_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class QuotaMode(enum.StrEnum):
    exactly = "exactly"
    up_to = "up_to"


class Requirement(SQLModel, table=True):
    """Thành phần triệu tập: who is summoned, by criteria and quota per unit, or by name."""

    __tablename__ = "summons_requirement"
    __table_args__ = (
        sa.CheckConstraint(
            "(staff_id IS NOT NULL) OR (quota IS NOT NULL AND quota > 0)", name="named_or_quota"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    # triệu tập đích danh: a named person, on the roster without a nomination
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="RESTRICT")
    categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    positions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    subjects: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    education_levels: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    title_ranks: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    quota: int | None = None
    quota_mode: QuotaMode = Field(
        default=QuotaMode.up_to, sa_type=enum_type(QuotaMode, "quota_mode")
    )
    note: str | None = Field(default=None, max_length=1000)


class RequirementTarget(SQLModel, table=True):
    """One summoned unit of a requirement and its quota counter.

    ``used`` moves with an atomic conditional UPDATE (``used < quota``), and the CHECK
    keeps it honest, so the quota holds under concurrent nominations on both databases.
    """

    __tablename__ = "requirement_target"
    __table_args__ = (sa.CheckConstraint("used >= 0 AND used <= quota", name="within_quota"),)

    requirement_id: int = Field(
        foreign_key="summons_requirement.id", ondelete="CASCADE", primary_key=True
    )
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", primary_key=True)
    quota: int
    used: int = 0


class NominationStatus(enum.StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    refused = "refused"
    withdrawn = "withdrawn"
    substituted = "substituted"


ACTIVE_NOMINATION = ("proposed", "accepted")


class Nomination(Tracked, table=True):
    __tablename__ = "nomination"
    __table_args__ = (
        # one live nomination per person and event (R-NOM-1: duplicates refused)
        sa.Index(
            "uq_nomination_active",
            "event_id",
            "staff_id",
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'accepted')"),
            postgresql_where=sa.text("status IN ('proposed', 'accepted')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    requirement_id: int = Field(foreign_key="summons_requirement.id", ondelete="CASCADE")
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    status: NominationStatus = Field(
        default=NominationStatus.proposed,
        sa_type=enum_type(NominationStatus, "nomination_status"),
    )
    late: bool = False  # made after the deadline with the organiser's consent (R-NOM-2)
    substitutes_id: int | None = Field(
        default=None, foreign_key="nomination.id", ondelete="SET NULL"
    )
    # the nomination that took this one's place (status ``substituted``), the forward link
    replaced_by_id: int | None = Field(
        default=None, foreign_key="nomination.id", ondelete="SET NULL"
    )
    # the summoned unit whose quota this nomination uses: the nominee's unit or an office
    # above it (R-NOM-1), kept so a later reorganisation frees the slot it took
    target_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    nominated_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    note: str | None = Field(default=None, max_length=1000)


class NominationChange(SQLModel, table=True):
    """History of a nomination (R-NOM-2): every transition, who made it, and why."""

    __tablename__ = "nomination_change"

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nomination.id", ondelete="CASCADE", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=1000)
    changed_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    changed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class LateConsent(SQLModel, table=True):
    """The organiser lets a unit nominate or substitute after the deadline (R-NOM-2)."""

    __tablename__ = "late_consent"
    __table_args__ = (sa.UniqueConstraint("event_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE")
    reason: str = Field(max_length=1000)
    granted_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class MarkStatus(enum.StrEnum):
    present = "present"
    late = "late"
    left_early = "left_early"
    absent = "absent"


class MarkSource(enum.StrEnum):
    """How a mark was made: shown beside it in the matrix and the sign-in sheet."""

    check_in = "check_in"
    organizer = "organizer"
    imported = "import"


class AttendanceMark(SQLModel, table=True):
    __tablename__ = "attendance_mark"
    __table_args__ = (sa.UniqueConstraint("session_id", "staff_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    session_id: int = Field(foreign_key="event_session.id", ondelete="CASCADE")
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    status: MarkStatus = Field(sa_type=enum_type(MarkStatus, "mark_status"))
    check_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=500)
    marked_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    marked_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    source: MarkSource = Field(
        default=MarkSource.organizer,
        sa_type=enum_type(MarkSource, "mark_source"),
        sa_column_kwargs={"server_default": MarkSource.organizer.value},
    )


class ExcuseStatus(enum.StrEnum):
    submitted = "submitted"
    confirmed = "confirmed"
    rejected = "rejected"


class AbsenceExcuse(Tracked, table=True):
    """Đơn xin vắng: excused only once the head of the attendee's own unit confirms it."""

    __tablename__ = "absence_excuse"
    __table_args__ = (
        sa.Index(
            "uq_absence_excuse_live",
            "session_id",
            "staff_id",
            unique=True,
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    session_id: int = Field(foreign_key="event_session.id", ondelete="CASCADE")
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    reason: str = Field(max_length=2000)
    attachment_ref: str | None = Field(default=None, max_length=500)
    status: ExcuseStatus = Field(
        default=ExcuseStatus.submitted, sa_type=enum_type(ExcuseStatus, "excuse_status")
    )
    submitted_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)


class CreditSource(enum.StrEnum):
    event = "event"
    self_study = "self_study"
    lms = "lms"


class TrainingCredit(SQLModel, table=True):
    """BDTX periods credited to a person for a school year (R-ATT-3 completion, R-BDTX)."""

    __tablename__ = "training_credit"
    __table_args__ = (
        sa.Index(
            "uq_training_credit_event",
            "staff_id",
            "event_id",
            unique=True,
            sqlite_where=sa.text("event_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL"),
        ),
        sa.CheckConstraint("periods >= 0", name="periods_positive"),
        sa.Index("ix_training_credit_staff_year", "staff_id", "school_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT")
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    school_year: str = Field(max_length=9)
    source: CreditSource = Field(sa_type=enum_type(CreditSource, "credit_source"))
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    module_code: str | None = Field(default=None, max_length=64)
    periods: int
    credited_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class SessionCheckIn(SQLModel, table=True):
    """Check-in for one session: its window and the secret its rotating codes derive from.

    The secret never leaves the server; codes are RFC 6238 values of it. Re-opening draws a
    new secret, so codes seen before are useless afterwards.
    """

    __tablename__ = "session_check_in"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_open"),
        sa.CheckConstraint("step_seconds > 0", name="step_positive"),
    )

    session_id: int = Field(foreign_key="event_session.id", ondelete="CASCADE", primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    secret: str = Field(max_length=64)
    step_seconds: int
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    late_after: datetime = Field(sa_type=UTCDateTime)
    opened_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    opened_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
