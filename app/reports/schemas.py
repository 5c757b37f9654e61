from typing import Literal

from pydantic import Field

from app.core.schemas import ReadModel

Scope = Literal["own", "subtree"]
SCOPE_HELP = (
    "`own`: records of the requested unit itself; `subtree`: a unit below it with everything "
    "under it rolled up. The rows add up to the requested unit's whole subtree."
)


class UnitRow(ReadModel):
    unit_id: int
    unit_name: str
    scope: Scope = Field(description=SCOPE_HELP)


class EmulationCounts(ReadModel):
    unexcused_absence: int = 0
    nomination_mismatch: int = 0
    unapproved_participation: int = 0
    unapproved_organising: int = 0
    violations: int = Field(default=0, description="All kinds; dismissed ones never count.")
    violations_cited: int = Field(default=0, description="Cited in an issued letter.")
    letters_received: int = Field(default=0, description="Issued criticism letters received.")
    letters_proposing_emulation: int = Field(
        default=0, description="Of those, letters proposing the emulation review (R-VIO-1)."
    )


class EmulationRow(UnitRow, EmulationCounts):
    proposed_for_emulation_review: bool = Field(
        default=False, description="At least one letter proposes it for the emulation review."
    )


class EmulationReport(ReadModel):
    school_year: str
    unit_ids: list[int] = Field(description="The units the report covers (with their subtrees).")
    units: list[EmulationRow]
    totals: EmulationCounts


class ComplianceCounts(ReadModel):
    quota: int = Field(default=0, description="Places summoned on requirement targets.")
    nominated: int = Field(default=0, description="Live nominations on those places.")
    nomination_fill_rate: float = Field(default=0.0, description="nominated / quota")
    attendance_marks: int = 0
    attended: int = Field(default=0, description="present + late + left_early")
    attendance_rate: float = Field(default=0.0, description="attended / attendance_marks")
    unexcused_absences: int = 0
    participation_submitted: int = 0
    participation_consented: int = 0
    participation_refused: int = 0
    participation_withdrawn: int = 0
    violations: int = Field(default=0, description="All kinds; dismissed ones never count.")


class ComplianceRow(UnitRow, ComplianceCounts):
    pass


class ComplianceReport(ReadModel):
    school_year: str
    unit_ids: list[int] = Field(description="The units the report covers (with their subtrees).")
    units: list[ComplianceRow]
    totals: ComplianceCounts
