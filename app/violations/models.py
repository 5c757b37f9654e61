import enum

import sqlalchemy as sa
from sqlmodel import Field

from app.core.model_base import Tracked, enum_type


class ViolationKind(enum.StrEnum):
    unexcused_absence = "unexcused_absence"  # R-ATT-3
    nomination_mismatch = "nomination_mismatch"  # R-NOM-1 breach found later
    unapproved_participation = "unapproved_participation"  # R-EXT-3 / R-EXT-4
    unapproved_organising = "unapproved_organising"  # R-EXT-2 / R-EXT-4


class ViolationStatus(enum.StrEnum):
    open = "open"
    cited = "cited"  # in a criticism letter
    closed = "closed"
    dismissed = "dismissed"


class Violation(Tracked, table=True):
    """A breach recorded against a unit (and the staff member, when there is one).

    ``unit_id`` is the unit at the time of the breach: a later transfer does not move it.
    """

    __tablename__ = "violation"
    __table_args__ = (
        # closing an event twice can never record the same absence twice
        sa.Index(
            "uq_violation_absence",
            "kind",
            "event_id",
            "session_id",
            "staff_id",
            unique=True,
            sqlite_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
        ),
        sa.Index("ix_violation_unit_year", "unit_id", "school_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: ViolationKind = Field(sa_type=enum_type(ViolationKind, "violation_kind"))
    status: ViolationStatus = Field(
        default=ViolationStatus.open, sa_type=enum_type(ViolationStatus, "violation_status")
    )
    school_year: str = Field(max_length=9)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="RESTRICT")
    # Sở-organised event and session (R-ATT-3)
    event_id: int | None = Field(
        default=None, foreign_key="event.id", ondelete="RESTRICT", index=True
    )
    session_id: int | None = Field(
        default=None, foreign_key="event_session.id", ondelete="RESTRICT"
    )
    # External event behind an R-EXT-4 case (unapproved participation or organising).
    external_event_id: int | None = Field(
        default=None, foreign_key="external_event.id", ondelete="RESTRICT", index=True
    )
    evidence: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, max_length=1000)
    recorded_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    dismissed_reason: str | None = Field(default=None, max_length=1000)
