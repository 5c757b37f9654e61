"""The BDTX cycle (R-BDTX-1..5): the policy of each school year, the module catalogue,
personal plans, self-study, module scores, results, certificates and unit reports.

Credited periods live in ``training_credit`` (app.events.models), whatever their source.
"""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type, utcnow


class YearPolicy(SQLModel, table=True):
    """One revision of a school year's BDTX policy; a PUT appends a revision, never edits.

    Results and reports name the revision they were computed under.
    """

    __tablename__ = "bdtx_policy"
    __table_args__ = (sa.UniqueConstraint("school_year", "revision", name="uq_bdtx_policy_rev"),)

    id: int | None = Field(default=None, primary_key=True)
    school_year: str = Field(max_length=9, index=True)
    revision: int
    preset: str | None = Field(default=None, max_length=32)
    rules: dict[str, Any] = Field(sa_type=sa.JSON)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class BdtxModule(Tracked, table=True):
    """A module of the catalogue: its block, periods, audience and the criteria it serves."""

    __tablename__ = "bdtx_module"
    __table_args__ = (sa.CheckConstraint("periods > 0", name="periods_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=500)
    block: str = Field(max_length=32)
    periods: int
    categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    education_levels: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    criteria: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # None: the Ministry; otherwise the unit (the Sở) issuing nội dung 2 material
    issuer_unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="RESTRICT")
    materials: list[str] = Field(default_factory=list, sa_type=sa.JSON)

    @property
    def issuing_authority(self) -> str:
        """``ministry``, or ``unit`` when a Sở issues it as nội dung 2."""
        return "ministry" if self.issuer_unit_id is None else "unit"


class PlanStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


class PersonalPlan(Tracked, table=True):
    """Kế hoạch BDTX cá nhân: ``draft → submitted → approved | returned``."""

    __tablename__ = "bdtx_personal_plan"
    __table_args__ = (sa.UniqueConstraint("staff_id", "school_year", name="uq_bdtx_plan_staff"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    module_codes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    self_evaluation: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    self_evaluation_overall: str | None = Field(default=None, max_length=16)
    status: PlanStatus = Field(
        default=PlanStatus.draft, sa_type=enum_type(PlanStatus, "bdtx_plan_status")
    )
    policy_id: int | None = Field(default=None, foreign_key="bdtx_policy.id", ondelete="RESTRICT")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)


class SelfStudyStatus(enum.StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class SelfStudy(Tracked, table=True):
    """A self-study log with its evidence; credited only once an inspection approves it."""

    __tablename__ = "bdtx_self_study"
    __table_args__ = (sa.CheckConstraint("periods > 0", name="periods_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    module_code: str = Field(max_length=64)
    periods: int
    description: str = Field(max_length=2000)
    evidence_url: str = Field(max_length=500)
    status: SelfStudyStatus = Field(
        default=SelfStudyStatus.submitted, sa_type=enum_type(SelfStudyStatus, "self_study_status")
    )
    inspected_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    inspected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    inspection_note: str | None = Field(default=None, max_length=2000)


class ModuleScore(SQLModel, table=True):
    """A person's score (0–10) on a module in a school year, from an assessment or an LMS."""

    __tablename__ = "bdtx_module_score"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "school_year", "module_code", name="uq_bdtx_score"),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT")
    school_year: str = Field(max_length=9)
    module_code: str = Field(max_length=64)
    score: float
    source: str = Field(max_length=16)
    recorded_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class ResultStatus(enum.StrEnum):
    computed = "computed"
    finalised = "finalised"


class BdtxResult(Tracked, table=True):
    """A person's BDTX result for a year, computed under the year's policy revision."""

    __tablename__ = "bdtx_result"
    __table_args__ = (sa.UniqueConstraint("staff_id", "school_year", name="uq_bdtx_result_staff"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT", index=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9, index=True)
    policy_id: int = Field(foreign_key="bdtx_policy.id", ondelete="RESTRICT")
    policy_revision: int
    credited_periods: int
    average_score: float | None = None
    result_class: str = Field(max_length=64)
    passed: bool
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: ResultStatus = Field(
        default=ResultStatus.computed, sa_type=enum_type(ResultStatus, "bdtx_result_status")
    )
    finalised_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    finalised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CertificateStatus(enum.StrEnum):
    issued = "issued"
    revoked = "revoked"


class Certificate(Tracked, table=True):
    """Giấy chứng nhận kết quả BDTX, from a finalised passing result; verifiable by code."""

    __tablename__ = "bdtx_certificate"
    __table_args__ = (
        sa.Index(
            "uq_bdtx_certificate_live",
            "result_id",
            unique=True,
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    result_id: int = Field(foreign_key="bdtx_result.id", ondelete="RESTRICT", index=True)
    staff_id: int = Field(foreign_key="staff.id", ondelete="RESTRICT")
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    result_class: str = Field(max_length=64)
    serial: str = Field(max_length=64, unique=True)
    verification_code: str = Field(max_length=64, unique=True)
    issuer_unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="RESTRICT")
    issued_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    status: CertificateStatus = Field(
        default=CertificateStatus.issued,
        sa_type=enum_type(CertificateStatus, "bdtx_certificate_status"),
    )
    revoked_reason: str | None = Field(default=None, max_length=1000)


class ReportStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class UnitReport(Tracked, table=True):
    """A unit's yearly BDTX report: ``draft → submitted → accepted | returned`` by the
    managing unit; the Sở's report goes to the Ministry with nội dung 2 materials."""

    __tablename__ = "bdtx_unit_report"
    __table_args__ = (sa.UniqueConstraint("unit_id", "school_year", name="uq_bdtx_report_unit"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    policy_id: int | None = Field(default=None, foreign_key="bdtx_policy.id", ondelete="RESTRICT")
    status: ReportStatus = Field(
        default=ReportStatus.draft, sa_type=enum_type(ReportStatus, "bdtx_report_status")
    )
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=2000)
    annual_plan_url: str | None = Field(default=None, max_length=500)
    nd2_materials: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    sent_to_ministry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)


class UnitPlan(Tracked, table=True):
    """A unit's yearly BDTX plan (modules and schedule): ``draft → submitted → approved |
    returned`` by the managing unit; the Sở's plan goes to the Ministry with nội dung 2
    materials (R-BDTX-5)."""

    __tablename__ = "bdtx_unit_plan"
    __table_args__ = (sa.UniqueConstraint("unit_id", "school_year", name="uq_bdtx_unit_plan"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    school_year: str = Field(max_length=9)
    module_codes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    schedule: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    nd2_materials: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: PlanStatus = Field(
        default=PlanStatus.draft, sa_type=enum_type(PlanStatus, "bdtx_unit_plan_status")
    )
    policy_id: int | None = Field(default=None, foreign_key="bdtx_policy.id", ondelete="RESTRICT")
    sent_to_ministry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=1000)
