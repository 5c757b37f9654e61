"""The BDTX cycle's rules (R-BDTX-1..5). Functions take ``(session, actor, ...)`` and flush."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

import app.bdtx.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.deciders import decider_unit, refuse_own_case
from app.bdtx.models import (
    BdtxModule,
    BdtxResult,
    ModuleScore,
    PersonalPlan,
    PlanStatus,
    ResultStatus,
    SelfStudy,
    SelfStudyStatus,
    YearPolicy,
)
from app.bdtx.policies import (
    IMPORT_ROLES,
    INSPECT_ROLES,
    MANAGE_ROLES,
    POLICY_ROLES,
    SCORE_ROLES,
    allow,
    allow_head_decider,
    allow_province,
    allow_self_or,
    owned_filter,
)
from app.bdtx.policy import (
    CRITERIA,
    PolicyRules,
    Preset,
    overall_rating,
    preset_rules,
    weakest_criteria,
)
from app.bdtx.schemas import (
    ImportRow,
    LmsCompletion,
    ModuleCreate,
    PlanCreate,
    PolicyPut,
    ScoreIn,
    SelfStudyCreate,
)
from app.core.concurrency import ANY, check_version
from app.core.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    UnknownReference,
)
from app.core.i18n import Localized
from app.core.model_base import to_local_date, utcnow
from app.core.pagination import PageParams, paginate
from app.events.models import CreditSource, TrainingCredit
from app.staff.models import Staff
from app.units.service import require_unit

# --- the year's policy (R-BDTX-1) -----------------------------------------------------------


def current_policy(session: Session, school_year: str) -> YearPolicy | None:
    return session.scalar(
        select(YearPolicy)
        .where(YearPolicy.school_year == school_year)
        .order_by(YearPolicy.revision.desc())
        .limit(1)
    )


def year_rules(session: Session, school_year: str) -> PolicyRules:
    """The rules in force for a year: its latest policy, or the TT 17/2019 preset before an
    officer has set one (events run before the BDTX cycle of their year is configured)."""
    policy = current_policy(session, school_year)
    if policy is None:
        return preset_rules(Preset.tt17_2019)
    return PolicyRules.model_validate(policy.rules)


def require_policy(session: Session, school_year: str) -> tuple[YearPolicy, PolicyRules]:
    policy = current_policy(session, school_year)
    if policy is None:
        raise Conflict("bdtx_policy_missing", rule="R-BDTX-1", school_year=school_year)
    return policy, PolicyRules.model_validate(policy.rules)


def is_frozen(session: Session, school_year: str) -> bool:
    return (
        session.scalar(
            select(BdtxResult.id)
            .where(
                BdtxResult.school_year == school_year,
                BdtxResult.status == ResultStatus.finalised,
            )
            .limit(1)
        )
        is not None
    )


def get_policy(session: Session, school_year: str) -> YearPolicy:
    policy = current_policy(session, school_year)
    if policy is None:
        raise NotFound("bdtx_policy", school_year)
    return policy


def put_policy(
    session: Session, actor: Actor, school_year: str, data: PolicyPut, expected: int | None
) -> YearPolicy:
    """A new revision of the year's policy; refused once a result of the year is final."""
    allow_province(session, actor, POLICY_ROLES, "set_bdtx_policy")
    current = current_policy(session, school_year)
    revision = current.revision if current else 0
    if expected is not None and expected != ANY and expected != revision:
        raise PreconditionFailed(current=revision)
    if is_frozen(session, school_year):
        raise Conflict("bdtx_policy_frozen", rule="R-BDTX-1", school_year=school_year)
    if data.rules is not None:
        rules = data.rules
    elif data.preset is not None:
        rules = preset_rules(data.preset)
    else:
        raise InvalidInput("bdtx_policy_preset_or_rules")
    policy = YearPolicy(
        school_year=school_year,
        revision=revision + 1,
        preset=data.preset.value if data.preset else None,
        rules=rules.model_dump(mode="json"),
        created_by_user_id=actor.user_id,
    )
    session.add(policy)
    session.flush()
    return policy


# --- module catalogue (R-BDTX-3) ------------------------------------------------------------


def list_modules(
    session: Session, page: PageParams, block: str | None, education_level: str | None
) -> tuple[Sequence[BdtxModule], str | None]:
    stmt = select(BdtxModule)
    if block is not None:
        stmt = stmt.where(BdtxModule.block == block)
    rows, cursor = paginate(session, stmt, BdtxModule.id, page)
    if education_level is not None:
        rows = [m for m in rows if not m.education_levels or education_level in m.education_levels]
    return rows, cursor


def get_module(session: Session, module_id: int) -> BdtxModule:
    module = session.get(BdtxModule, module_id)
    if module is None:
        raise NotFound("bdtx_module", module_id)
    return module


def create_module(session: Session, actor: Actor, data: ModuleCreate) -> BdtxModule:
    allow_province(session, actor, POLICY_ROLES, "manage_bdtx_modules")
    if data.issuer_unit_id is not None:
        require_unit(session, actor, data.issuer_unit_id, "issuer_unit_id")
    if session.scalar(select(BdtxModule.id).where(BdtxModule.code == data.code)) is not None:
        raise Conflict("bdtx_module_code_taken", module_code=data.code)
    module = BdtxModule(**data.model_dump())
    session.add(module)
    session.flush()
    return module


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split(";") if p.strip()]


MODULE_COLUMNS = ("code", "title", "block", "periods")
MODULES_CSV_FORMAT = "bdtx-modules-csv"


def _body_error(msg: str, code: str) -> InvalidInput:
    return InvalidInput(errors=[{"loc": ["body"], "msg": msg, "code": code}], fields="body")


def _module_rows(content: bytes) -> "csv.DictReader[str]":
    """The rows under a header that names the required columns; anything else is refused,
    not read as "no rows" (a JSON body or another file would otherwise import nothing, 200)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _body_error("not UTF-8 text", "encoding") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in MODULE_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise _body_error(f"missing columns: {', '.join(missing)}", "missing_columns")
    return reader


def import_modules(session: Session, actor: Actor, content: bytes) -> list[ImportRow]:
    """CSV: code,title,block,periods[,categories,education_levels,criteria,materials] with
    lists separated by ``;``. Upserts by code; all-or-nothing."""
    allow_province(session, actor, POLICY_ROLES, "manage_bdtx_modules")
    reader = _module_rows(content)
    out: list[ImportRow] = []
    errors: list[dict[str, Any]] = []
    for n, row in enumerate(reader, start=1):
        try:
            data = ModuleCreate(
                code=row.get("code") or "",
                title=row.get("title") or "",
                block=row.get("block") or "",
                periods=int(row.get("periods") or 0),
                categories=_split(row.get("categories")),
                education_levels=_split(row.get("education_levels")),
                criteria=_split(row.get("criteria")),
                materials=_split(row.get("materials")),
            )
        except ValueError as exc:
            msg = str(exc).splitlines()[0]
            out.append(ImportRow(row=n, code=row.get("code"), outcome="error", error=msg))
            errors.append({"loc": ["body", n], "msg": msg, "code": "invalid_row"})
            continue
        module = session.scalar(select(BdtxModule).where(BdtxModule.code == data.code))
        if module is None:
            session.add(BdtxModule(**data.model_dump()))
            out.append(ImportRow(row=n, code=data.code, outcome="created"))
        else:
            for key, value in data.model_dump(exclude={"code", "issuer_unit_id"}).items():
                setattr(module, key, value)
            changed = module in session.dirty and session.is_modified(module)
            out.append(
                ImportRow(row=n, code=data.code, outcome="updated" if changed else "unchanged")
            )
    if errors:
        raise InvalidInput(errors=errors, fields="csv")
    session.flush()
    return out


class UnknownModule(AppError):
    """Module codes that name no module: an unknown reference (404), like ``UnknownReference``;
    a request naming one is well formed, the module just is not there."""

    status, code = 404, "bdtx_unknown_module"


def _modules(session: Session, codes: Sequence[str]) -> dict[str, BdtxModule]:
    found = {
        m.code: m for m in session.scalars(select(BdtxModule).where(BdtxModule.code.in_(codes)))
    }
    missing = sorted(set(codes) - found.keys())
    if missing:
        items = [
            {
                "loc": ["body", "module_codes"],
                "msg": Localized(f"không có mô-đun {c}", f"unknown module {c}"),
                "code": "unknown_module",
            }
            for c in missing
        ]
        raise UnknownModule(errors=items, codes=", ".join(missing))
    return found


def fits(module: BdtxModule, staff: Staff) -> bool:
    """R-BDTX-3: the module is meant for the person's category and education level."""
    if module.categories and staff.category.value not in module.categories:
        return False
    level = staff.education_level.value if staff.education_level else None
    return not (
        module.education_levels and level is not None and level not in module.education_levels
    )


def _check_fit(modules: Sequence[BdtxModule], staff: Staff) -> None:
    unfit = [m.code for m in modules if not fits(m, staff)]
    if unfit:
        items = [
            {
                "loc": ["body", "module_codes"],
                "msg": Localized(
                    f"mô-đun {c} không dành cho đối tượng, cấp học của người này",
                    f"{c} does not fit",
                ),
                "code": "module_unfit",
            }
            for c in unfit
        ]
        raise Conflict("bdtx_module_unfit", rule="R-BDTX-3", errors=items, codes=", ".join(unfit))


# --- personal plans (R-BDTX-1, R-BDTX-2) ----------------------------------------------------


def visible_staff(session: Session, actor: Actor, staff_id: int, field: str = "staff_id") -> Staff:
    staff = session.scalar(
        select(Staff).where(Staff.id == staff_id, owned_filter(actor, Staff.unit_id, Staff.id))
    )
    if staff is None:
        raise UnknownReference(field, staff_id)
    return staff


def get_plan(session: Session, actor: Actor, plan_id: int) -> PersonalPlan:
    plan = session.scalar(
        select(PersonalPlan).where(
            PersonalPlan.id == plan_id,
            owned_filter(actor, PersonalPlan.unit_id, PersonalPlan.staff_id),
        )
    )
    if plan is None:
        raise NotFound("personal_plan", plan_id)
    return plan


def list_plans(
    session: Session,
    actor: Actor,
    page: PageParams,
    school_year: str | None,
    status: PlanStatus | None,
    staff_id: int | None,
) -> tuple[Sequence[PersonalPlan], str | None]:
    stmt = select(PersonalPlan).where(
        owned_filter(actor, PersonalPlan.unit_id, PersonalPlan.staff_id)
    )
    for column, value in (
        (PersonalPlan.school_year, school_year),
        (PersonalPlan.status, status),
        (PersonalPlan.staff_id, staff_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, PersonalPlan.id, page)


def _evaluation(ratings: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    unknown = sorted(set(ratings) - set(CRITERIA))
    if unknown:
        items = [
            {
                "loc": ["body", "self_evaluation", c],
                "msg": Localized(f"không có tiêu chí {c}", "unknown criterion"),
                "code": "unknown",
            }
            for c in unknown
        ]
        raise InvalidInput("bdtx_unknown_criterion", errors=items, codes=", ".join(unknown))
    values = {k: str(getattr(v, "value", v)) for k, v in ratings.items()}
    overall = overall_rating(values).value if len(values) == len(CRITERIA) else None
    return values, overall


def plan_errors(rules: PolicyRules, modules: Sequence[BdtxModule]) -> list[dict[str, Any]]:
    """What the chosen modules lack against the year's policy: total and block minimums."""
    errors: list[dict[str, Any]] = []
    total = sum(m.periods for m in modules)
    if total < rules.required_periods:
        errors.append(
            {
                "loc": ["body", "module_codes"],
                "msg": Localized(
                    f"{total} trên {rules.required_periods} tiết bắt buộc",
                    f"{total} of {rules.required_periods} required periods",
                ),
                "code": "required_periods",
            }
        )
    for block in rules.blocks:
        got = sum(m.periods for m in modules if m.block == block.code)
        if got < block.min_periods:
            errors.append(
                {
                    "loc": ["body", "module_codes", block.code],
                    "msg": Localized(
                        f"{block.name}: {got} trên {block.min_periods} tiết tối thiểu",
                        f"block {block.code}: {got} of {block.min_periods} periods",
                    ),
                    "code": "block_minimum",
                }
            )
    return errors


def create_plan(session: Session, actor: Actor, data: PlanCreate) -> PersonalPlan:
    staff = visible_staff(session, actor, data.staff_id)
    assert staff.id is not None
    allow_self_or(session, actor, staff.id, staff.unit_id, MANAGE_ROLES, "plan_bdtx")
    require_policy(session, data.school_year)
    _check_fit(list(_modules(session, data.module_codes).values()), staff)
    evaluation, overall = _evaluation(data.self_evaluation)
    existing = session.scalar(
        select(PersonalPlan.id).where(
            PersonalPlan.staff_id == staff.id, PersonalPlan.school_year == data.school_year
        )
    )
    if existing is not None:
        raise Conflict("bdtx_plan_exists", school_year=data.school_year)
    plan = PersonalPlan(
        staff_id=staff.id,
        unit_id=staff.unit_id,
        school_year=data.school_year,
        module_codes=list(dict.fromkeys(data.module_codes)),
        self_evaluation=evaluation,
        self_evaluation_overall=overall,
    )
    session.add(plan)
    session.flush()
    return plan


def _require(current: Any, *expected: Any) -> None:
    if current not in expected:
        raise Conflict(
            "bdtx_wrong_status",
            status=current.value,
            expected=" | ".join(e.value for e in expected),
        )


def update_plan(
    session: Session, actor: Actor, plan: PersonalPlan, data: PlanCreate, expected: int
) -> PersonalPlan:
    """A draft or returned plan is revised; it goes back to draft."""
    allow_self_or(session, actor, plan.staff_id, plan.unit_id, MANAGE_ROLES, "plan_bdtx")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.draft, PlanStatus.returned)
    if data.staff_id != plan.staff_id or data.school_year != plan.school_year:
        msg = Localized("không được thay đổi", "cannot change")
        item = {"loc": ["body", "staff_id"], "msg": msg, "code": "immutable"}
        raise InvalidInput(errors=[item], fields="staff_id, school_year")
    staff = session.get(Staff, plan.staff_id)
    assert staff is not None
    _check_fit(list(_modules(session, data.module_codes).values()), staff)
    plan.module_codes = list(dict.fromkeys(data.module_codes))
    plan.self_evaluation, plan.self_evaluation_overall = _evaluation(data.self_evaluation)
    plan.status = PlanStatus.draft
    session.flush()
    return plan


def _before_deadline(rules: PolicyRules, school_year: str) -> None:
    deadline = rules.plan_deadline(school_year)
    if to_local_date(utcnow()) > deadline:
        raise Conflict("bdtx_deadline_passed", rule="R-BDTX-1", deadline=deadline.isoformat())


def submit_plan(session: Session, actor: Actor, plan: PersonalPlan, expected: int) -> PersonalPlan:
    """Validated against the year's policy; the standards self-evaluation comes first."""
    allow_self_or(session, actor, plan.staff_id, plan.unit_id, MANAGE_ROLES, "plan_bdtx")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.draft, PlanStatus.returned)
    policy, rules = require_policy(session, plan.school_year)
    if set(plan.self_evaluation) != set(CRITERIA):
        missing = [c for c in CRITERIA if c not in plan.self_evaluation]
        items = [
            {
                "loc": ["body", "self_evaluation", c],
                "msg": Localized(f"chưa tự đánh giá tiêu chí {c}", "not rated"),
                "code": "missing",
            }
            for c in missing
        ]
        raise Conflict("bdtx_self_evaluation_required", rule="R-BDTX-2", errors=items)
    _before_deadline(rules, plan.school_year)
    errors = plan_errors(rules, list(_modules(session, plan.module_codes).values()))
    if errors:
        raise Conflict(
            "bdtx_plan_incomplete", rule="R-BDTX-1", errors=errors, school_year=plan.school_year
        )
    plan.status = PlanStatus.submitted
    plan.policy_id = policy.id
    plan.submitted_at = utcnow()
    session.flush()
    return plan


def decide_plan(
    session: Session,
    actor: Actor,
    plan: PersonalPlan,
    approve: bool,
    note: str | None,
    expected: int,
) -> PersonalPlan:
    """The head of the person's own unit approves (before the deadline) or returns."""
    allow_head_decider(session, actor, plan.staff_id, plan.unit_id, "approve_bdtx_plan")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.submitted)
    if approve:
        _, rules = require_policy(session, plan.school_year)
        _before_deadline(rules, plan.school_year)
    plan.status = PlanStatus.approved if approve else PlanStatus.returned
    plan.decided_by_user_id = actor.user_id
    plan.decided_at = utcnow()
    plan.decision_note = note
    session.flush()
    return plan


def suggest_modules(session: Session, plan: PersonalPlan) -> tuple[list[str], list[BdtxModule]]:
    """R-BDTX-2: modules addressing the weakest criteria of the self-evaluation."""
    weakest = weakest_criteria(plan.self_evaluation)
    staff = session.get(Staff, plan.staff_id)
    assert staff is not None
    found = [
        m
        for m in session.scalars(select(BdtxModule).order_by(BdtxModule.code))
        if set(m.criteria) & set(weakest) and m.code not in plan.module_codes and fits(m, staff)
    ]
    return weakest, found


# --- learning records (R-BDTX-4) ------------------------------------------------------------


def get_self_study(session: Session, actor: Actor, record_id: int) -> SelfStudy:
    record = session.scalar(
        select(SelfStudy).where(
            SelfStudy.id == record_id, owned_filter(actor, SelfStudy.unit_id, SelfStudy.staff_id)
        )
    )
    if record is None:
        raise NotFound("self_study", record_id)
    return record


def list_self_study(
    session: Session,
    actor: Actor,
    page: PageParams,
    school_year: str | None,
    status: SelfStudyStatus | None,
    staff_id: int | None,
) -> tuple[Sequence[SelfStudy], str | None]:
    stmt = select(SelfStudy).where(owned_filter(actor, SelfStudy.unit_id, SelfStudy.staff_id))
    for column, value in (
        (SelfStudy.school_year, school_year),
        (SelfStudy.status, status),
        (SelfStudy.staff_id, staff_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, SelfStudy.id, page)


def log_self_study(session: Session, actor: Actor, data: SelfStudyCreate) -> SelfStudy:
    staff = visible_staff(session, actor, data.staff_id)
    assert staff.id is not None
    allow_self_or(session, actor, staff.id, staff.unit_id, MANAGE_ROLES, "log_self_study")
    _modules(session, [data.module_code])
    record = SelfStudy(**data.model_dump(), unit_id=staff.unit_id)
    session.add(record)
    session.flush()
    return record


def inspect_self_study(
    session: Session, actor: Actor, record: SelfStudy, approved: bool, note: str, expected: int
) -> SelfStudy:
    """An inspection decides; only approved self-study credits periods (R-BDTX-4)."""
    # R-GOV-1: never the learner; a head's own is inspected from the managing unit above,
    # not by the people the head manages
    refuse_own_case(actor, record.staff_id)
    unit_id = decider_unit(session, record.staff_id, record.unit_id)
    allow(session, actor, INSPECT_ROLES, unit_id, "inspect_self_study")
    check_version(record.version, expected)
    _require(record.status, SelfStudyStatus.submitted)
    if approved:  # nothing is credited to a finalised year (R-BDTX-1)
        _not_finalised(session, record.staff_id, record.school_year)
    record.status = SelfStudyStatus.approved if approved else SelfStudyStatus.rejected
    record.inspected_by_user_id = actor.user_id
    record.inspected_at = utcnow()
    record.inspection_note = note
    if approved:
        session.add(
            TrainingCredit(
                staff_id=record.staff_id,
                unit_id=record.unit_id,
                school_year=record.school_year,
                source=CreditSource.self_study,
                module_code=record.module_code,
                periods=record.periods,
            )
        )
    session.flush()
    return record


def _not_finalised(session: Session, staff_id: int, school_year: str) -> None:
    status = session.scalar(
        select(BdtxResult.status).where(
            BdtxResult.staff_id == staff_id, BdtxResult.school_year == school_year
        )
    )
    if status == ResultStatus.finalised:
        raise Conflict("bdtx_result_finalised", rule="R-BDTX-1", school_year=school_year)


def _upsert_score(
    session: Session, staff_id: int, school_year: str, code: str, score: float, source: str
) -> None:
    row = session.scalar(
        select(ModuleScore).where(
            ModuleScore.staff_id == staff_id,
            ModuleScore.school_year == school_year,
            ModuleScore.module_code == code,
        )
    )
    if row is None:
        session.add(
            ModuleScore(
                staff_id=staff_id,
                school_year=school_year,
                module_code=code,
                score=score,
                source=source,
            )
        )
    else:
        row.score, row.source, row.recorded_at = score, source, utcnow()


def record_scores(session: Session, actor: Actor, rows: list[ScoreIn]) -> int:
    _modules(session, [r.module_code for r in rows])
    for n, row in enumerate(rows):
        staff = visible_staff(session, actor, row.staff_id, f"{n}.staff_id")
        allow(session, actor, SCORE_ROLES, staff.unit_id, "record_bdtx_scores")
        _not_finalised(session, row.staff_id, row.school_year)
        _upsert_score(
            session, row.staff_id, row.school_year, row.module_code, row.score, "assessment"
        )
    session.flush()
    return len(rows)


def import_lms(session: Session, actor: Actor, rows: list[LmsCompletion]) -> int:
    """LMS completions: periods credited (source ``lms``) and module scores, per person."""
    _modules(session, [r.module_code for r in rows])
    for n, row in enumerate(rows):
        staff = session.scalar(
            select(Staff).where(
                Staff.external_code == row.staff_external_code,
                owned_filter(actor, Staff.unit_id, Staff.id),
            )
        )
        if staff is None or staff.id is None:
            raise UnknownReference(f"{n}.staff_external_code", row.staff_external_code)
        allow(session, actor, IMPORT_ROLES, staff.unit_id, "import_lms")
        _not_finalised(session, staff.id, row.school_year)
        credit = session.scalar(
            select(TrainingCredit).where(
                TrainingCredit.staff_id == staff.id,
                TrainingCredit.school_year == row.school_year,
                TrainingCredit.source == CreditSource.lms,
                TrainingCredit.module_code == row.module_code,
            )
        )
        if credit is None:
            session.add(
                TrainingCredit(
                    staff_id=staff.id,
                    unit_id=staff.unit_id,
                    school_year=row.school_year,
                    source=CreditSource.lms,
                    module_code=row.module_code,
                    periods=row.periods,
                )
            )
        else:
            credit.periods = row.periods
        _upsert_score(session, staff.id, row.school_year, row.module_code, row.score, "lms")
    session.flush()
    return len(rows)
