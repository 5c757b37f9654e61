from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from app.bdtx.models import (
    CertificateStatus,
    PlanStatus,
    ReportStatus,
    ResultStatus,
    SelfStudyStatus,
)
from app.bdtx.policy import CRITERIA, PolicyRules, Preset, Rating
from app.core.schemas import InputModel, PatchModel, ReadModel
from app.core.school_year import SchoolYear
from app.core.types import Id, patterned
from app.events.models import CreditSource

Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Note = Annotated[str, StringConstraints(max_length=1000)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=500)]


# --- policy ---------------------------------------------------------------------------------


class PolicyPut(InputModel):
    """Either a `preset` to start from, or full `rules`, or both (rules win)."""

    preset: Preset | None = None
    rules: PolicyRules | None = None

    # in the contract: a preset or rules, not null (if/then/else, not a union: see GrantCreate)
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["preset"], "properties": {"preset": {"not": {"type": "null"}}}},
            "else": {"required": ["rules"], "properties": {"rules": {"not": {"type": "null"}}}},
        }
    )

    @model_validator(mode="after")
    def _preset_or_rules(self) -> "PolicyPut":
        # here, not in the service: a body the schema refuses is a 422 before any 412
        if self.preset is None and self.rules is None:
            raise ValueError("give a preset, rules, or both")
        return self


class PolicyRead(ReadModel):
    id: int
    school_year: str
    revision: int
    preset: str | None
    rules: PolicyRules
    frozen: bool = Field(description="A result of the year is finalised: no more changes.")
    created_at: datetime


class PresetRead(ReadModel):
    preset: Preset
    rules: PolicyRules


# --- modules --------------------------------------------------------------------------------


class ModuleCreate(InputModel):
    code: Code
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    block: Code = Field(description="A block code of the policy, e.g. ministry/local/elective.")
    periods: int = Field(gt=0, le=1000)
    categories: list[str] = Field(default_factory=list, description="Empty: everyone.")
    education_levels: list[str] = Field(default_factory=list, description="Empty: all levels.")
    criteria: list[str] = Field(default_factory=list, description="TT 20/2018 criteria served.")
    issuer_unit_id: Id | None = Field(
        default=None, description="The Sở issuing nội dung 2; null for the Ministry."
    )
    materials: list[Url] = Field(default_factory=list)


class ModuleRead(ReadModel):
    id: int
    code: str
    title: str
    block: str
    periods: int
    categories: list[str]
    education_levels: list[str]
    criteria: list[str]
    issuer_unit_id: int | None
    issuing_authority: str
    materials: list[str]
    version: int


class ImportRow(ReadModel):
    row: int
    code: str | None
    outcome: str
    error: str | None = None


class ImportResult(ReadModel):
    rows: list[ImportRow]


# --- personal plans -------------------------------------------------------------------------


# One of CRITERIA, tc1..tc15: in the contract, so that an unknown key is a 422 like any field.
Criterion = Annotated[str, patterned(r"^tc(1[0-5]|[1-9])$")]


class PlanCreate(InputModel):
    staff_id: Id
    school_year: SchoolYear
    module_codes: list[Code] = Field(min_length=1)
    self_evaluation: dict[Criterion, Rating] = Field(
        default_factory=dict,
        description=f"TT 20/2018 criteria {CRITERIA[0]}..{CRITERIA[-1]} → rating.",
        json_schema_extra={"additionalProperties": False},
    )


class Decision(InputModel):
    note: Note | None = None


class PlanRead(ReadModel):
    id: int
    staff_id: int
    unit_id: int
    school_year: str
    module_codes: list[str]
    self_evaluation: dict[str, str]
    self_evaluation_overall: str | None
    status: PlanStatus
    policy_id: int | None
    submitted_at: datetime | None
    decided_by_user_id: int | None
    decided_at: datetime | None
    decision_note: str | None
    version: int


class Suggestions(ReadModel):
    weakest_criteria: list[str]
    modules: list[ModuleRead]


# --- self-study, scores, LMS ----------------------------------------------------------------


class SelfStudyCreate(InputModel):
    staff_id: Id
    school_year: SchoolYear
    module_code: Code
    periods: int = Field(gt=0, le=200)
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    evidence_url: Url


class Inspection(InputModel):
    approved: bool
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class SelfStudyRead(ReadModel):
    id: int
    staff_id: int
    unit_id: int
    school_year: str
    module_code: str
    periods: int
    description: str
    evidence_url: str
    status: SelfStudyStatus
    inspected_by_user_id: int | None
    inspected_at: datetime | None
    inspection_note: str | None
    version: int


class ScoreIn(InputModel):
    staff_id: Id
    school_year: SchoolYear
    module_code: Code
    score: float = Field(ge=0, le=10)


class LmsCompletion(InputModel):
    staff_external_code: Code
    school_year: SchoolYear
    module_code: Code
    periods: int = Field(gt=0, le=200)
    score: float = Field(ge=0, le=10)


class BulkOutcome(ReadModel):
    count: int


# --- results, certificates ------------------------------------------------------------------


class ResultCompute(InputModel):
    staff_id: Id
    school_year: SchoolYear


class CreditedModule(ReadModel):
    """A module as the result counts it: once a year, its largest credit (R-BDTX-1)."""

    block: str = Field(description="Its block's code (`nd1`, `nd2`, `nd3`, ...) or `other`.")
    periods: int
    sources: list[CreditSource] = Field(description="Every source that reported it.")


class ResultDetails(ReadModel):
    """How the result was reached: what was credited, what fell short and under which rule.
    Results computed before a field existed show it empty."""

    periods_by_block: dict[str, int] = Field(
        default_factory=dict, description="Block code → credited periods."
    )
    short_blocks: list[str] = Field(
        default_factory=list, description="Blocks below their minimum (R-BDTX-1)."
    )
    modules: dict[str, CreditedModule] = Field(
        default_factory=dict, description="Module code → what was credited for it."
    )
    module_scores: dict[str, float] = Field(
        default_factory=dict, description="Module code → its score (0–10)."
    )
    reasons: list[str] = Field(default_factory=list, description="Why it did not pass.")
    legal_basis: str | None = Field(default=None, description="The rule the scoring follows.")


class ResultRead(ReadModel):
    id: int
    staff_id: int
    unit_id: int
    school_year: str
    policy_id: int
    policy_revision: int
    credited_periods: int
    average_score: float | None
    result_class: str
    passed: bool
    details: ResultDetails
    status: ResultStatus
    finalised_by_user_id: int | None
    finalised_at: datetime | None
    version: int


class CertificateCreate(InputModel):
    result_id: Id


class RevokeRequest(InputModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class CertificateRead(ReadModel):
    id: int
    result_id: int
    staff_id: int
    unit_id: int
    school_year: str
    result_class: str
    serial: str
    verification_code: str
    issuer_unit_id: int | None
    status: CertificateStatus
    revoked_reason: str | None
    version: int
    created_at: datetime


class PublicCertificate(ReadModel):
    full_name: str
    school_year: str
    result_class: str
    issuer: str | None
    status: CertificateStatus


# --- unit reports ---------------------------------------------------------------------------


class ReportCreate(InputModel):
    unit_id: Id
    school_year: SchoolYear
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    annual_plan_url: Url | None = None
    nd2_materials: list[Url] = Field(
        default_factory=list, description="The Sở's nội dung 2 materials for the Ministry."
    )


class ReportUpdate(PatchModel):
    """While `draft` or `returned`: the note and the Sở's package for the Ministry (annual
    plan, nội dung 2 materials) can be attached after the report was drafted (R-BDTX-5)."""

    NOT_NULL = frozenset({"nd2_materials"})

    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    annual_plan_url: Url | None = None
    nd2_materials: list[Url] | None = Field(
        default=None, description="Replaces the list of nội dung 2 materials."
    )


class ReportSummary(ReadModel):
    """Counts over the unit's subtree for the year, from finalised results."""

    staff: int = Field(description="Active staff in the subtree now.")
    finalised: int = Field(description="Finalised results.")
    passed: int = Field(description="Finalised results that passed.")
    by_result_class: dict[str, int] = Field(description="Result class → finalised results.")
    by_category: dict[str, int] = Field(description="Staff category → finalised results.")
    by_education_level: dict[str, int] = Field(
        description="Education level (`none` for offices) → finalised results."
    )


class ReportRead(ReadModel):
    id: int
    unit_id: int
    school_year: str
    policy_id: int | None
    status: ReportStatus
    summary: ReportSummary
    note: str | None
    annual_plan_url: str | None
    nd2_materials: list[str]
    sent_to_ministry_at: datetime | None
    submitted_at: datetime | None
    decided_by_user_id: int | None
    decided_at: datetime | None
    decision_note: str | None
    version: int


class BdtxReportRow(ReadModel):
    unit_id: int
    unit_name: str
    school_year: str
    staff: int
    results: int
    finalised: int
    passed: int
    completion_rate: float


class BdtxReport(ReadModel):
    school_year: str
    unit_id: int | None = Field(description="The unit asked for; null when it was left out.")
    unit_ids: list[int] = Field(
        description="The units reported on: `unit_id`, or the caller's units by default."
    )
    policy_revision: int | None
    units: list[BdtxReportRow]
    good_examples: list[BdtxReportRow]


# --- unit plans -----------------------------------------------------------------------------


class ScheduleItem(InputModel):
    module_code: Code
    starts_on: date
    ends_on: date
    form: Annotated[str, StringConstraints(max_length=255)] | None = Field(
        default=None, description="e.g. tập trung, trực tuyến, tự học có hướng dẫn"
    )


class ScheduleEntry(ReadModel):
    """One line of a unit plan's schedule, as stored."""

    module_code: str
    starts_on: date
    ends_on: date
    form: str | None = None


class UnitPlanCreate(InputModel):
    unit_id: Id
    school_year: SchoolYear
    module_codes: list[Code] = Field(min_length=1)
    schedule: list[ScheduleItem] = Field(default_factory=list)
    nd2_materials: list[Url] = Field(
        default_factory=list, description="The Sở's nội dung 2 materials (R-BDTX-5)."
    )


class UnitPlanUpdate(PatchModel):
    """While `draft` or `returned` (R-BDTX-1): a returned plan is corrected, then submitted
    again. Lists given replace the stored ones."""

    NOT_NULL = frozenset({"module_codes", "schedule", "nd2_materials"})

    module_codes: list[Code] | None = Field(default=None, min_length=1)
    schedule: list[ScheduleItem] | None = None
    nd2_materials: list[Url] | None = Field(
        default=None, description="The Sở's nội dung 2 materials (R-BDTX-5)."
    )


class UnitPlanRead(ReadModel):
    id: int
    unit_id: int
    school_year: str
    module_codes: list[str]
    schedule: list[ScheduleEntry]
    nd2_materials: list[str]
    status: PlanStatus
    policy_id: int | None
    sent_to_ministry_at: datetime | None
    submitted_at: datetime | None
    decided_by_user_id: int | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
