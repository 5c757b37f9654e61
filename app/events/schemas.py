import enum
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from app.core.schemas import InputModel, PatchModel, ReadModel, examples
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.events.models import (
    CreditSource,
    EventKind,
    EventMode,
    EventStatus,
    ExcuseStatus,
    MarkSource,
    MarkStatus,
    NominationStatus,
    QuotaMode,
)
from app.staff.models import StaffCategory
from app.units.models import EducationLevel, UnitKind

Text500 = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Code64 = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class EventFields(InputModel):
    title: Text500 | None = None
    summons_number: Code64 | None = Field(default=None, description="Số giấy triệu tập.")
    summons_date: date | None = None
    location: Text500 | None = None
    mode: EventMode | None = None
    nomination_deadline: AwareDatetime | None = None
    bdtx_module_code: Code64 | None = None
    bdtx_periods: int | None = Field(default=None, ge=0, le=200)


class EventCreate(EventFields):
    model_config = examples(
        {
            "kind": "training",
            "organizer_unit_id": 1,
            "title": "Tập huấn triển khai Chương trình GDPT 2018 môn Ngữ văn lớp 9",
            "school_year": "2025-2026",
            "mode": "in_person",
            "location": "Hội trường Sở GD&ĐT, 2 Nguyễn Văn Trị, Biên Hòa",
            "nomination_deadline": "2025-09-20T17:00:00+07:00",
            "bdtx_module_code": "THCS15",
            "bdtx_periods": 15,
        }
    )

    kind: EventKind
    organizer_unit_id: Id
    title: Text500
    school_year: SchoolYear
    mode: EventMode = EventMode.in_person


class EventUpdate(EventFields, PatchModel):
    """While the event is a draft. After summoning, sessions change only by amendment."""

    NOT_NULL = frozenset({"title", "mode"})


class EventRead(ReadModel):
    id: int
    kind: EventKind
    organizer_unit_id: int
    title: str
    school_year: str
    summons_number: str | None
    summons_date: date | None
    location: str | None
    mode: EventMode
    nomination_deadline: datetime | None
    bdtx_module_code: str | None
    bdtx_periods: int | None
    status: EventStatus
    cancel_reason: str | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class SummonRequest(InputModel):
    summons_number: Code64 | None = None
    summons_date: date | None = None


class CancelRequest(InputModel):
    reason: Reason


class SessionCreate(InputModel):
    model_config = examples(
        {
            "title": "Buổi sáng: đổi mới kiểm tra, đánh giá",
            "starts_at": "2025-09-27T07:30:00+07:00",
            "ends_at": "2025-09-27T11:30:00+07:00",
        }
    )

    title: Short | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> "SessionCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SessionAmend(SessionCreate):
    model_config = examples(
        {
            "starts_at": "2025-09-28T07:30:00+07:00",
            "ends_at": "2025-09-28T11:30:00+07:00",
            "reason": "Dời lịch do bão số 5, theo Công văn 1520/SGDĐT-VP",
        }
    )
    reason: Reason


class SessionRead(ReadModel):
    id: int
    event_id: int
    title: str | None
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None = Field(
        description="Cancelled by an amended summons: no marks, no absences (R-ATT-3)."
    )
    version: int


class SessionCancel(InputModel):
    reason: Reason


class AmendmentRead(ReadModel):
    id: int
    session_id: int
    reason: str
    before: dict[str, str | None]
    after: dict[str, str | None]
    created_at: datetime


class RequirementCreate(InputModel):
    """Either a named person (`staff_id`), or target units with criteria and a quota per unit.

    Target units: `unit_ids`, or every unit of `unit_kinds` under `under_unit_id`.
    Empty criteria lists mean "any".
    """

    staff_id: Id | None = None
    unit_ids: list[Id] = Field(default_factory=list, max_length=2000)
    under_unit_id: Id | None = None
    unit_kinds: list[UnitKind] = Field(default_factory=list, max_length=7)
    categories: list[StaffCategory] = Field(default_factory=list, max_length=3)
    positions: list[Short] = Field(default_factory=list, max_length=20)
    subjects: list[Short] = Field(default_factory=list, max_length=50)
    education_levels: list[EducationLevel] = Field(default_factory=list, max_length=5)
    title_ranks: list[Code64] = Field(default_factory=list, max_length=20)
    quota: int | None = Field(default=None, ge=1, le=1000)
    quota_mode: QuotaMode = QuotaMode.up_to
    note: Reason | None = None

    # the rule below, in the contract: a named person, or a quota with target units
    # (if/then/else, not a union: see GrantCreate)
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["staff_id"], "properties": {"staff_id": {"type": "integer"}}},
            "else": {
                "required": ["quota"],
                "properties": {"quota": {"type": "integer"}},
                "if": {"required": ["unit_ids"], "properties": {"unit_ids": {"minItems": 1}}},
                "else": {
                    "required": ["under_unit_id", "unit_kinds"],
                    "properties": {
                        "under_unit_id": {"type": "integer"},
                        "unit_kinds": {"minItems": 1},
                    },
                },
            },
        }
    )

    @model_validator(mode="after")
    def _named_or_targeted(self) -> "RequirementCreate":
        if self.staff_id is not None:
            return self
        if self.quota is None:
            raise ValueError("a quota is required unless a person is named (staff_id)")
        if not self.unit_ids and (self.under_unit_id is None or not self.unit_kinds):
            raise ValueError("give unit_ids, or under_unit_id with unit_kinds")
        return self


class RequirementTargetRead(ReadModel):
    unit_id: int
    quota: int
    used: int


class RequirementRead(ReadModel):
    id: int
    event_id: int
    staff_id: int | None
    categories: list[str]
    positions: list[str]
    subjects: list[str]
    education_levels: list[str]
    title_ranks: list[str]
    quota: int | None
    quota_mode: QuotaMode
    note: str | None
    targets: list[RequirementTargetRead] = Field(default_factory=list)


class ToFillRead(ReadModel):
    """What a unit still has to fill for one requirement."""

    requirement_id: int
    unit_id: int
    quota: int
    quota_mode: QuotaMode
    nominated: int
    remaining: int


class NominationCreate(InputModel):
    staff_id: Id
    requirement_id: Id
    note: Reason | None = None


class SubstituteRequest(InputModel):
    staff_id: Id
    reason: Reason


class ReasonRequest(InputModel):
    reason: Reason | None = None


class NominationRead(ReadModel):
    id: int
    event_id: int
    requirement_id: int
    staff_id: int
    unit_id: int
    status: NominationStatus
    late: bool
    substitutes_id: int | None = Field(description="The nomination this one replaced.")
    replaced_by_id: int | None = Field(
        description="For a `substituted` nomination, the one that took its place (R-NOM-2)."
    )
    target_unit_id: int = Field(
        description="The summoned unit whose quota it uses: the nominee's unit or an office above."
    )
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class NominationChangeRead(ReadModel):
    from_status: NominationStatus | None = Field(description="Null for the proposal itself.")
    to_status: NominationStatus
    reason: str | None
    changed_by_user_id: int | None
    changed_at: datetime


class LateConsentCreate(InputModel):
    unit_id: Id
    reason: Reason


class LateConsentRead(ReadModel):
    id: int
    event_id: int
    unit_id: int
    reason: str
    created_at: datetime


class RosterEntry(ReadModel):
    staff_id: int
    full_name: str
    unit_id: int
    named: bool = Field(description="Summoned by name rather than nominated.")
    nomination_id: int | None


class MarkInput(InputModel):
    staff_id: Id
    status: MarkStatus
    check_in_at: AwareDatetime | None = None
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class MarksInput(InputModel):
    marks: list[MarkInput] = Field(min_length=1, max_length=5000)


class MarkRead(ReadModel):
    staff_id: int
    session_id: int
    status: MarkStatus
    check_in_at: datetime | None
    note: str | None
    marked_at: datetime
    source: MarkSource = MarkSource.organizer


class CellState(enum.StrEnum):
    present = "present"
    late = "late"
    left_early = "left_early"
    absent = "absent"
    excused = "excused"  # an absence covered by a confirmed letter (R-ATT-2)
    cancelled = "cancelled"  # the session was cancelled by amendment


class MatrixRow(ReadModel):
    staff_id: int
    full_name: str
    unit_id: int
    marks: dict[str, CellState | None] = Field(
        description="session id → present | late | left_early | absent | excused | cancelled, "
        "or null while not marked"
    )
    sources: dict[str, MarkSource | None] = Field(
        default_factory=dict,
        description="session id → how the mark was made: check_in | organizer | import | null",
    )


class AttendanceMatrix(ReadModel):
    event_id: int
    sessions: list[SessionRead]
    participants: list[MatrixRow]


class ExcuseCreate(InputModel):
    model_config = examples(
        {
            "session_id": 41,
            "staff_id": 1207,
            "reason": "Ốm, có giấy khám bệnh của Trung tâm Y tế huyện Định Quán",
            "attachment_ref": "https://vanban.dongnai.edu.vn/don-xin-vang/1207.pdf",
        }
    )

    session_id: Id
    staff_id: Id
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    attachment_ref: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Where the signed letter is kept (file id or URL)."
    )


class ExcuseRead(ReadModel):
    id: int
    event_id: int
    session_id: int
    staff_id: int
    unit_id: int
    reason: str
    attachment_ref: str | None
    status: ExcuseStatus
    decided_by_user_id: int | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    created_at: datetime


class DecisionRequest(InputModel):
    note: Reason | None = None


class CloseResult(ReadModel):
    event: EventRead
    violations_created: int
    credits_created: int
    credits_withheld: list[int] = Field(
        default_factory=list,
        description="Staff ids who completed the event but whose BDTX result for the year "
        "is already finalised: nothing is credited to a finalised year (R-BDTX-1).",
    )


class UnitAttendanceRow(ReadModel):
    unit_id: int
    unit_name: str
    participants: int
    expected_marks: int
    present: int
    late: int
    left_early: int
    absent: int
    excused: int
    unexcused: int
    attendance_rate: float


class EventAttendanceReport(ReadModel):
    event_id: int
    title: str
    sessions: int
    units: list[UnitAttendanceRow]
    totals: UnitAttendanceRow


class TrainingEventRecord(ReadModel):
    event_id: int
    title: str
    school_year: str
    status: EventStatus
    marks: dict[str, MarkStatus | None] = Field(
        description="Session id → the person's mark, null while not marked."
    )
    completed: bool | None = Field(description="null until the event closes")
    credited_periods: int


class ModuleCredit(ReadModel):
    """A module credited in a year: counted once, with every source that reported it."""

    module_code: str
    block: str
    periods: int = Field(description="The largest credit any source reports for the module.")
    sources: list[CreditSource]


class TrainingRecord(ReadModel):
    staff_id: int
    events: list[TrainingEventRecord]
    credited_periods_by_year: dict[str, int] = Field(
        description="Periods per school year, each module counted once (R-BDTX-1)."
    )
    modules_by_year: dict[str, list[ModuleCredit]] = Field(
        default_factory=dict, description="The modules credited per school year and their sources."
    )
