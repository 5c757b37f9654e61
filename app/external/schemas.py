import enum
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.model_base import to_local_date, utcnow
from app.core.schemas import InputModel, Page, PatchModel, ReadModel
from app.core.school_year import SchoolYear
from app.core.text import require_visible
from app.core.types import Count, Id
from app.external.models import (
    ExternalEventKind,
    ExternalEventStatus,
    OrganiserType,
    ParticipationStatus,
)
from app.units.schemas import ExternalCode, Name, Reason
from app.violations.models import ViolationKind, ViolationStatus

ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(require_visible)
]
Address = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(require_visible)
]
Audience = Annotated[
    str, StringConstraints(min_length=1, max_length=1000), AfterValidator(require_visible)
]
Code = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(require_visible)
]
Agenda = Annotated[
    str, StringConstraints(min_length=1, max_length=20000), AfterValidator(require_visible)
]
Topic = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(require_visible)
]
LongText = Annotated[str, StringConstraints(max_length=10000)]
Evidence = Annotated[
    str, StringConstraints(min_length=1, max_length=10000), AfterValidator(require_visible)
]


class Speaker(InputModel):
    full_name: Name
    affiliation: ShortText | None = Field(default=None, description="Cơ quan, đơn vị công tác.")
    qualification: ShortText | None = Field(default=None, description="Học hàm, học vị.")


class SpeakerRead(ReadModel):
    full_name: str
    affiliation: str | None = None
    qualification: str | None = None


# --- external events ----------------------------------------------------------------------


class ExternalEventCreate(InputModel):
    """A submission for approval. The competent authority is computed, never sent."""

    # in the contract: a `venue` unless the event is online
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"is_online": {"const": False}}},
            "then": {"required": ["venue"], "properties": {"venue": {"type": "string"}}},
        }
    )

    title: ShortText
    kind: ExternalEventKind
    organiser_type: OrganiserType
    organiser_name: ShortText | None = Field(
        default=None,
        description="Tên tổ chức / cá nhân; for `internal`, defaults to the proposing unit.",
    )
    organiser_registration_number: Code | None = Field(
        default=None, description="Số giấy phép / đăng ký / giấy tờ pháp lý of the organiser."
    )
    organiser_issuer: ShortText | None = Field(default=None, description="Cơ quan cấp.")
    organiser_address: Address | None = None
    organiser_contact: ShortText | None = None
    organiser_unit_id: Id | None = Field(
        default=None, description="`internal`: the unit proposing to organise it."
    )
    organiser_staff_id: Id | None = Field(
        default=None, description="`internal`: the staff member proposing it, if any."
    )
    agenda: Agenda = Field(description="Nội dung chương trình.")
    topics: list[Topic] = Field(default_factory=list, max_length=50)
    speakers: list[Speaker] = Field(default_factory=list, max_length=50)
    starts_on: date
    ends_on: date
    venue: Address | None = None
    is_online: bool = False
    expected_audience: Audience | None = Field(default=None, description="Thành phần dự kiến.")
    expected_participants: int | None = Field(default=None, ge=1, le=1_000_000)
    fee_vnd: Count = Field(default=0, description="Kinh phí mỗi người tham dự (VND).")
    host_unit_id: Id = Field(
        description="Where it takes place, or whose staff it targets (with its subtree)."
    )
    province_wide: bool = Field(
        default=False, description="Province-wide events are decided by the Sở."
    )
    school_year: SchoolYear | None = Field(
        default=None, description="Defaults to the school year of `starts_on`."
    )


class ExternalEventUpdate(PatchModel):
    """Only while `submitted`; the authority is recomputed when the host or scope changes."""

    NOT_NULL = frozenset(
        {
            "title",
            "kind",
            "organiser_type",
            "organiser_name",
            "agenda",
            "topics",
            "speakers",
            "starts_on",
            "ends_on",
            "is_online",
            "fee_vnd",
            "host_unit_id",
            "province_wide",
            "school_year",
        }
    )

    title: ShortText | None = None
    kind: ExternalEventKind | None = None
    organiser_type: OrganiserType | None = None
    organiser_name: ShortText | None = None
    organiser_registration_number: Code | None = None
    organiser_issuer: ShortText | None = None
    organiser_address: Address | None = None
    organiser_contact: ShortText | None = None
    organiser_unit_id: Id | None = None
    organiser_staff_id: Id | None = None
    agenda: Agenda | None = None
    topics: list[Topic] | None = Field(default=None, max_length=50)
    speakers: list[Speaker] | None = Field(default=None, max_length=50)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: Address | None = None
    is_online: bool | None = None
    expected_audience: Audience | None = None
    expected_participants: int | None = Field(default=None, ge=1, le=1_000_000)
    fee_vnd: Count | None = None
    host_unit_id: Id | None = None
    province_wide: bool | None = None
    school_year: SchoolYear | None = None


class ExternalEventApproval(InputModel):
    """The written approval (văn bản đồng ý) of the competent authority."""

    document_number: Code = Field(description="Số văn bản, e.g. 123/PGDĐT-CM.")
    document_on: date = Field(description="Ngày ban hành văn bản; không sau ngày hôm nay.")
    signer_name: Name = Field(description="Người ký văn bản.")
    after_the_fact: bool = Field(
        default=False,
        description="Record an approval given after the activity began (R-EXT-2): it is kept "
        "on file but does not permit the activity retroactively, so self-organising stays "
        "recordable. Without it, approving an activity that has begun is refused.",
    )

    @field_validator("document_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        # R-EXT-2: a document dated ahead of today (in Vietnam) has not been issued yet.
        if value > to_local_date(utcnow()):
            raise PydanticCustomError("date_in_future", "The document date lies in the future")
        return value


class ReasonBody(InputModel):
    reason: Reason


class ExternalEventRead(ReadModel):
    id: int
    title: str
    kind: ExternalEventKind
    status: ExternalEventStatus
    school_year: str
    organiser_type: OrganiserType
    organiser_name: str
    organiser_registration_number: str | None
    organiser_issuer: str | None
    organiser_address: str | None
    organiser_contact: str | None
    organiser_unit_id: int | None
    organiser_staff_id: int | None
    agenda: str
    topics: list[str]
    speakers: list[SpeakerRead]
    starts_on: date
    ends_on: date
    venue: str | None
    is_online: bool
    expected_audience: str | None
    expected_participants: int | None
    fee_vnd: int
    host_unit_id: int
    province_wide: bool
    authority_unit_id: int = Field(
        description="The competent managing authority that decides (R-EXT-1)."
    )
    submitted_by_user_id: int | None
    decided_by_user_id: int | None
    decided_at: datetime | None
    approval_document_number: str | None
    approval_document_on: date | None
    approval_signer_name: str | None
    approved_after_start: bool = Field(
        description="The approval was recorded after the activity began (R-EXT-2): it did "
        "not permit the activity."
    )
    rejection_reason: str | None
    revoked_at: datetime | None
    revoked_by_user_id: int | None
    revocation_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- participation requests ---------------------------------------------------------------


class ParticipationRequestCreate(InputModel):
    external_event_id: Id
    staff_id: Id | None = Field(
        default=None, description="Defaults to the caller's own staff record."
    )
    commitment_text: LongText | None = Field(
        default=None,
        description="Bản cam kết: attending does not affect the person's professional duties.",
    )
    commitment_acknowledged: bool = Field(
        default=False, description="Must be true: the person signs the commitment (R-EXT-3)."
    )


class ParticipationRequestRead(ReadModel):
    id: int
    external_event_id: int
    staff_id: int
    unit_id: int = Field(description="The person's unit when they asked.")
    school_year: str
    status: ParticipationStatus
    commitment_text: str
    commitment_acknowledged_at: datetime
    requested_by_user_id: int | None
    decided_by_user_id: int | None
    decided_at: datetime | None
    refusal_reason: str | None
    withdrawn_at: datetime | None
    lapsed_at: datetime | None = Field(
        description="Set when the event's approval was revoked: the consent no longer holds."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class AuthorityCounts(ReadModel):
    """The events at the caller's authority units, per status; ``started`` counts the
    submitted ones whose activity has begun (only an after-the-fact record remains, R-EXT-2)."""

    submitted: int = 0
    approved: int = 0
    rejected: int = 0
    revoked: int = 0
    started: int = Field(default=0, description="Submitted, and the activity has begun.")
    total: int = 0


class AuthorityQueue(Page[ExternalEventRead]):
    """A page of the submitted events waiting for the caller's decision, with counts."""

    counts: AuthorityCounts


class ParticipationCounts(ReadModel):
    submitted: int = 0
    consented: int = 0
    refused: int = 0
    withdrawn: int = 0
    lapsed: int = Field(default=0, description="Consented, then lapsed by a revocation.")
    total: int = 0


# --- R-EXT-4 detection --------------------------------------------------------------------


class ExternalViolationKind(enum.StrEnum):
    unapproved_participation = ViolationKind.unapproved_participation.value
    unapproved_organising = ViolationKind.unapproved_organising.value


class ExternalViolationCreate(InputModel):
    # R-EXT-4 in the contract: a person for a participation, a person or a unit for organising
    # (if/then/else, not a union: see GrantCreate)
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["staff_id"], "properties": {"staff_id": {"type": "integer"}}},
            "else": {
                "required": ["kind", "unit_id"],
                "properties": {
                    "kind": {"const": ExternalViolationKind.unapproved_organising.value},
                    "unit_id": {"type": "integer"},
                },
            },
        }
    )

    kind: ExternalViolationKind
    staff_id: Id | None = Field(
        default=None, description="Required for `unapproved_participation`."
    )
    unit_id: Id | None = Field(
        default=None,
        description="`unapproved_organising` by a unit; defaults to the staff member's unit.",
    )
    external_event_id: Id | None = Field(
        default=None, description="The event, when it was registered at all."
    )
    evidence: Evidence
    note: Annotated[str, StringConstraints(max_length=1000)] | None = None
    occurred_on: date | None = Field(
        default=None, description="Sets the school year when no event is named; default today."
    )


class ExternalViolationRead(ReadModel):
    id: int
    kind: ViolationKind
    status: ViolationStatus
    school_year: str
    unit_id: int
    staff_id: int | None
    external_event_id: int | None
    evidence: str | None
    note: str | None
    recorded_by_user_id: int | None
    version: int
    created_at: datetime


class Attendee(InputModel):
    """One person on the attendance list: by id or by the sector database code."""

    staff_id: Id | None = None
    external_code: ExternalCode | None = None

    # the rule below, in the contract (if/then/else, not a union: see GrantCreate)
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["staff_id"], "properties": {"staff_id": {"type": "integer"}}},
            "then": {"properties": {"external_code": {"type": "null"}}},
            "else": {
                "required": ["external_code"],
                "properties": {"external_code": {"type": "string"}},
            },
        }
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "Attendee":
        if (self.staff_id is None) == (self.external_code is None):
            raise ValueError("give exactly one of staff_id and external_code")
        return self


class AttendanceImport(InputModel):
    attendees: list[Attendee] = Field(min_length=1, max_length=2000)
    evidence: Evidence | None = Field(
        default=None, description="Where the list comes from (sign-in sheet, photos...)."
    )


class AttendanceOutcome(enum.StrEnum):
    ok = "ok"  # consented and not lapsed
    violation_created = "violation_created"
    violation_exists = "violation_exists"  # recorded by an earlier import or by hand
    unknown_staff = "unknown_staff"  # no such person within the caller's scope


class AttendanceRow(ReadModel):
    row: int = Field(description="Position in `attendees`, from 0.")
    staff_id: int | None
    external_code: str | None
    result: AttendanceOutcome
    violation_id: int | None = None


class AttendanceImportResult(ReadModel):
    external_event_id: int
    rows: list[AttendanceRow]
    ok: int
    violation_created: int
    violation_exists: int
    unknown_staff: int
