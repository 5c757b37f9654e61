"""A school year's BDTX policy as data, and the pure functions that apply it.

Only the two presets below carry numbers; everything else reads them from the policy
record of the year (R-BDTX-1: plans, results and certificates "per regulation").
"""

import enum
from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from app.core.schemas import JsonTypes
from app.core.types import patterned

Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


MONTH_DAY = (
    r"^(02-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(0[1-9]|[12][0-9]|30)|(0[13578]|1[02])-31)$"
)


class ScoringMethod(enum.StrEnum):
    average = "average"  # the mean of the module scores
    # each block's mean of module scores, weighted by the block's ``weight`` (TT 26/2012)
    weighted_blocks = "weighted_blocks"


class Certifier(enum.StrEnum):
    managing_unit = "managing_unit"
    department = "department"


class Block(JsonTypes):
    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="`ministry` (nội dung 1), `local` (nội dung 2), `elective`")
    name: str = Field(max_length=255)
    min_periods: int = Field(ge=0, le=1000)
    weight: float = Field(
        default=1, ge=0, le=10, description="Weight of the block's mean score (weighted_blocks)."
    )


class ResultClass(JsonTypes):
    """Reached when every condition holds; classes are tried in order, best first.
    ``min_module_score`` is the class's own minimum component score."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    min_average: float = Field(ge=0, le=10)
    min_module_score: float = Field(default=0, ge=0, le=10)


class Scoring(JsonTypes):
    model_config = ConfigDict(extra="forbid")

    method: ScoringMethod = ScoringMethod.average
    require_required_periods: bool = Field(
        default=True, description="Fewer credited periods than required → the failing class."
    )


class CheckInRules(JsonTypes):
    """Session check-in with a rotating code: its window around a session's start."""

    model_config = ConfigDict(extra="forbid")

    opens_before_minutes: int = Field(default=30, ge=0, le=24 * 60)
    closes_after_minutes: int = Field(
        default=60, ge=1, le=24 * 60, description="After the session starts."
    )
    late_after_minutes: int = Field(
        default=15, ge=0, le=24 * 60, description="A check-in later than this reads `late`."
    )
    code_step_seconds: int = Field(default=30, ge=10, le=600)


class PolicyRules(JsonTypes):
    model_config = ConfigDict(extra="forbid")

    legal_basis: str = Field(max_length=255)
    required_periods: int = Field(default=120, ge=0, le=1000)
    blocks: list[Block] = Field(min_length=1)
    result_classes: list[ResultClass] = Field(min_length=1)
    failing_class: str = Field(min_length=1, max_length=64)
    scoring: Scoring = Field(default_factory=Scoring)
    personal_plan_deadline: Annotated[str, patterned(MONTH_DAY)] = Field(
        default="05-31",
        # a day every year has (no 29 February): the deadline is built with date() each year
        description="MM-DD in the school year's second calendar year (approved before it).",
    )
    unit_plan_report_month: int = Field(default=6, ge=1, le=12)
    excuse_grace_days: int = Field(
        default=5,
        ge=0,
        le=60,
        description="Days after a session in which an absence letter is still accepted (R-ATT-2).",
    )
    left_early_counts_as_attended: bool = Field(
        default=False,
        description="Whether leaving a session early still completes a Sở event (R-ATT-3).",
    )
    certifying_authority: Certifier = Certifier.managing_unit
    check_in: CheckInRules = Field(default_factory=CheckInRules)

    @model_validator(mode="after")
    def _unique_codes(self) -> "PolicyRules":
        codes = [b.code for b in self.blocks]
        if len(codes) != len(set(codes)):
            raise ValueError("block codes must be unique")
        return self

    def block_minimums(self) -> dict[str, int]:
        return {b.code: b.min_periods for b in self.blocks}

    def plan_deadline(self, school_year: str) -> date:
        month, day = (int(p) for p in self.personal_plan_deadline.split("-"))
        return date(int(school_year[5:]), month, day)


def _tt17() -> PolicyRules:
    return PolicyRules(
        legal_basis="TT 19/2019/TT-BGDĐT; chương trình theo TT 17/2019/TT-BGDĐT",
        required_periods=120,
        blocks=[
            Block(code="ministry", name="Khối kiến thức bắt buộc (nội dung 1)", min_periods=40),
            Block(code="local", name="Khối kiến thức bắt buộc (nội dung 2)", min_periods=40),
            Block(code="elective", name="Khối kiến thức tự chọn", min_periods=40),
        ],
        result_classes=[
            ResultClass(name="Hoàn thành tốt", min_average=8.0, min_module_score=6.5),
            ResultClass(name="Hoàn thành", min_average=5.0, min_module_score=5.0),
        ],
        failing_class="Không hoàn thành",
    )


def _tt26() -> PolicyRules:
    """Quy chế BDTX ban hành kèm TT 26/2012/TT-BGDĐT, Điều 10 (xếp loại kết quả):
    ĐTB BDTX = (ND1 + ND2 + 2 × ND3) / 4, ND3 the mean of the nội dung 3 modules;
    Giỏi: ĐTB ≥ 9, no component below 7; Khá: ĐTB ≥ 7, none below 6; Trung bình: ĐTB ≥ 5,
    none below 5; otherwise Không hoàn thành (Điều 10, khoản 2–3)."""
    return PolicyRules(
        legal_basis="TT 26/2012/TT-BGDĐT, Quy chế BDTX Điều 10",
        required_periods=120,
        blocks=[
            Block(code="ministry", name="Nội dung bồi dưỡng 1", min_periods=30, weight=1),
            Block(code="local", name="Nội dung bồi dưỡng 2", min_periods=30, weight=1),
            Block(code="elective", name="Nội dung bồi dưỡng 3", min_periods=60, weight=2),
        ],
        result_classes=[
            ResultClass(name="Giỏi", min_average=9.0, min_module_score=7.0),
            ResultClass(name="Khá", min_average=7.0, min_module_score=6.0),
            ResultClass(name="Trung bình", min_average=5.0, min_module_score=5.0),
        ],
        failing_class="Không hoàn thành",
        scoring=Scoring(method=ScoringMethod.weighted_blocks),
    )


class Preset(enum.StrEnum):
    tt17_2019 = "tt17_2019"
    tt26_2012 = "tt26_2012"


PRESETS = {Preset.tt17_2019: _tt17, Preset.tt26_2012: _tt26}


def preset_rules(preset: Preset) -> PolicyRules:
    return PRESETS[preset]()


# --- results --------------------------------------------------------------------------------


def _average(
    rules: PolicyRules, scores: list[float], block_scores: dict[str, list[float]] | None
) -> float | None:
    if rules.scoring.method == ScoringMethod.weighted_blocks and block_scores is not None:
        weights = {b.code: b.weight for b in rules.blocks}
        parts = [(weights.get(code, 1.0), sum(v) / len(v)) for code, v in block_scores.items() if v]
        total = sum(w for w, _ in parts)
        return round(sum(w * m for w, m in parts) / total, 2) if total else None
    return round(sum(scores) / len(scores), 2) if scores else None


def short_blocks(rules: PolicyRules, by_block: dict[str, int]) -> list[str]:
    """R-BDTX-1: the blocks whose credited periods fall below their minimum."""
    return [b.code for b in rules.blocks if by_block.get(b.code, 0) < b.min_periods]


def classify(
    rules: PolicyRules,
    credited_periods: int,
    scores: list[float],
    *,
    by_block: dict[str, int] | None = None,
    block_scores: dict[str, list[float]] | None = None,
) -> tuple[str, bool, float | None, list[str]]:
    """(class, passed, average, reasons) for a person under ``rules``: a pass needs the
    total and, when ``by_block`` is given, every block's minimum."""
    reasons: list[str] = []
    average = _average(rules, scores, block_scores)
    if rules.scoring.require_required_periods and credited_periods < rules.required_periods:
        reasons.append(f"periods {credited_periods} < {rules.required_periods}")
    if by_block is not None:
        minimums = rules.block_minimums()
        reasons += [
            f"block {c} {by_block.get(c, 0)} < {minimums[c]}" for c in short_blocks(rules, by_block)
        ]
    if average is None:
        reasons.append("no module scores")
    if reasons or average is None:
        return rules.failing_class, False, average, reasons
    lowest = min(scores)
    for cls in rules.result_classes:
        if average >= cls.min_average and lowest >= cls.min_module_score:
            return cls.name, True, average, []
    return rules.failing_class, False, average, [f"average {average} below every class"]


# --- standards self-evaluation (TT 20/2018) -------------------------------------------------


class Rating(enum.StrEnum):
    chua_dat = "chua_dat"
    dat = "dat"
    kha = "kha"
    tot = "tot"


RANK = {Rating.chua_dat: 0, Rating.dat: 1, Rating.kha: 2, Rating.tot: 3}
# 5 standards, 15 criteria: 1 (tc1–tc2), 2 (tc3–tc7), 3 (tc8–tc10), 4 (tc11–tc13), 5 (tc14–tc15)
CRITERIA = tuple(f"tc{n}" for n in range(1, 16))


def overall_rating(ratings: dict[str, Any]) -> Rating:
    """Tốt: all ≥ Khá, ≥ 2/3 Tốt; Khá: all ≥ Đạt, ≥ 2/3 ≥ Khá; Đạt: all ≥ Đạt; else Chưa đạt."""
    ranks = [RANK[Rating(v)] for v in ratings.values()]
    n = len(ranks)
    if n == 0 or min(ranks) < 1:
        return Rating.chua_dat
    if min(ranks) >= 2 and 3 * sum(r == 3 for r in ranks) >= 2 * n:
        return Rating.tot
    if 3 * sum(r >= 2 for r in ranks) >= 2 * n:
        return Rating.kha
    return Rating.dat


def weakest_criteria(ratings: dict[str, Any]) -> list[str]:
    if not ratings:
        return []
    low = min(RANK[Rating(v)] for v in ratings.values())
    return sorted(c for c, v in ratings.items() if RANK[Rating(v)] == low)
