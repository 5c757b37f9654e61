"""Events organised outside the Sở's own programme (R-EXT-1..4) and permission to attend."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from app.core.model_base import Tracked, UTCDateTime, enum_type
from app.violations.models import Violation


class OrganiserType(enum.StrEnum):
    organization = "organization"  # a company, association, school outside the sector...
    individual = "individual"
    internal = "internal"  # one of our units or staff proposes to organise it (R-EXT-2)


class ExternalEventKind(enum.StrEnum):
    training = "training"
    conference = "conference"
    workshop = "workshop"
    event = "event"


class ExternalEventStatus(enum.StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    revoked = "revoked"  # after approval; consents already given lapse


class ParticipationStatus(enum.StrEnum):
    submitted = "submitted"
    consented = "consented"
    refused = "refused"
    withdrawn = "withdrawn"


class ExternalEvent(Tracked, table=True):
    """A training, conference, workshop or event about education that needs the competent
    authority's written approval (R-EXT-1), including ones our own people propose (R-EXT-2).

    ``authority_unit_id`` is computed from the unit tree at submission and kept: a later
    reorganisation does not move a decision to another office.
    """

    __tablename__ = "external_event"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("fee_vnd >= 0", name="fee_not_negative"),
        # R-EXT-2: an internal proposal always names the proposing unit
        sa.CheckConstraint(
            "organiser_type <> 'internal' OR organiser_unit_id IS NOT NULL",
            name="internal_has_unit",
        ),
        # the authority's work queue: what waits for me?
        sa.Index("ix_external_event_authority_status", "authority_unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    kind: ExternalEventKind = Field(sa_type=enum_type(ExternalEventKind, "external_event_kind"))
    status: ExternalEventStatus = Field(
        default=ExternalEventStatus.submitted,
        sa_type=enum_type(ExternalEventStatus, "external_event_status"),
    )
    school_year: str = Field(max_length=9)

    # Who organises it and on what legal basis (reviewed before approval, R-EXT-1).
    organiser_type: OrganiserType = Field(sa_type=enum_type(OrganiserType, "organiser_type"))
    organiser_name: str = Field(max_length=255)
    organiser_registration_number: str | None = Field(default=None, max_length=64)
    organiser_issuer: str | None = Field(default=None, max_length=255)
    organiser_address: str | None = Field(default=None, max_length=500)
    organiser_contact: str | None = Field(default=None, max_length=255)
    organiser_unit_id: int | None = Field(
        default=None, foreign_key="unit.id", ondelete="RESTRICT", index=True
    )
    organiser_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="RESTRICT", index=True
    )

    # Programme content (R-EXT-1).
    agenda: str = Field(sa_type=sa.Text)
    topics: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    speakers: list[dict[str, str | None]] = Field(default_factory=list, sa_type=sa.JSON)

    starts_on: date
    ends_on: date
    venue: str | None = Field(default=None, max_length=500)
    is_online: bool = False
    expected_audience: str | None = Field(default=None, max_length=1000)
    expected_participants: int | None = None
    fee_vnd: int = 0

    host_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    province_wide: bool = False
    authority_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    submitted_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )

    # The decision: the written approval (văn bản đồng ý) or the reason for refusing it.
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approval_document_number: str | None = Field(default=None, max_length=64)
    approval_document_on: date | None = None
    approval_signer_name: str | None = Field(default=None, max_length=255)
    # R-EXT-2: the approval came after the activity began; it permits nothing retroactively.
    approved_after_start: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}
    )
    rejection_reason: str | None = Field(default=None, max_length=1000)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    revocation_reason: str | None = Field(default=None, max_length=1000)

    @property
    def unit_id(self) -> int:
        """The unit the audit log files this event under (it reads ``unit_id``)."""
        return self.host_unit_id


class ParticipationRequest(Tracked, table=True):
    """A staff member asks to attend an external event (R-EXT-3): a written commitment that
    it does not affect their duties, then their own unit head's consent.

    ``unit_id`` is the person's unit when they asked: a later transfer does not move it.
    """

    __tablename__ = "participation_request"
    __table_args__ = (
        sa.CheckConstraint("commitment_text <> ''", name="commitment_given"),
        # one live request per person and event; refused or withdrawn ones may be asked again
        sa.Index(
            "uq_participation_request_active",
            "external_event_id",
            "staff_id",
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'consented')"),
            postgresql_where=sa.text("status IN ('submitted', 'consented')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_event_id: int = Field(foreign_key="external_event.id", ondelete="RESTRICT", index=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    status: ParticipationStatus = Field(
        default=ParticipationStatus.submitted,
        sa_type=enum_type(ParticipationStatus, "participation_status"),
    )
    commitment_text: str = Field(sa_type=sa.Text)
    commitment_acknowledged_at: datetime = Field(sa_type=UTCDateTime)
    requested_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refusal_reason: str | None = Field(default=None, max_length=1000)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the event's approval is revoked: the consent no longer permits attending.
    lapsed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# Re-importing the same attendance list never records the same person twice for an event
# (R-EXT-4). Declared here, beside the rule it backs, on the shared violation table.
_violation = Violation.__table__  # type: ignore[attr-defined]
sa.Index(
    "uq_violation_external",
    _violation.c.external_event_id,
    _violation.c.staff_id,
    _violation.c.kind,
    unique=True,
    sqlite_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
    postgresql_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
)
