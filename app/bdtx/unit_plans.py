"""Unit BDTX plans (R-BDTX-1, R-BDTX-5): each unit plans per school year; plans are
approved up the hierarchy; the Sở's goes to the Ministry with nội dung 2 materials."""

import calendar
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

import app.bdtx.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.policies import unit_filter
from app.bdtx.models import PlanStatus, UnitPlan
from app.bdtx.policies import MANAGE_ROLES, allow
from app.bdtx.schemas import UnitPlanCreate, UnitPlanUpdate
from app.bdtx.service import _modules, _require, require_policy
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound
from app.core.model_base import to_local_date, utcnow
from app.core.pagination import PageParams, paginate
from app.units.models import Unit, UnitKind
from app.units.service import require_unit


def get_unit_plan(session: Session, actor: Actor, plan_id: int) -> UnitPlan:
    plan = session.scalar(
        select(UnitPlan).where(UnitPlan.id == plan_id, unit_filter(actor, UnitPlan.unit_id))
    )
    if plan is None:
        raise NotFound("unit_plan", plan_id)
    return plan


def list_unit_plans(
    session: Session,
    actor: Actor,
    page: PageParams,
    school_year: str | None,
    status: PlanStatus | None,
) -> tuple[Sequence[UnitPlan], str | None]:
    stmt = select(UnitPlan).where(unit_filter(actor, UnitPlan.unit_id))
    if school_year is not None:
        stmt = stmt.where(UnitPlan.school_year == school_year)
    if status is not None:
        stmt = stmt.where(UnitPlan.status == status)
    return paginate(session, stmt, UnitPlan.id, page)


def create_unit_plan(session: Session, actor: Actor, data: UnitPlanCreate) -> UnitPlan:
    unit = require_unit(session, actor, data.unit_id, "unit_id")
    assert unit.id is not None
    allow(session, actor, MANAGE_ROLES, unit.id, "plan_bdtx")
    require_policy(session, data.school_year)
    _modules(session, list(data.module_codes) + [i.module_code for i in data.schedule])
    exists = session.scalar(
        select(UnitPlan.id).where(
            UnitPlan.unit_id == unit.id, UnitPlan.school_year == data.school_year
        )
    )
    if exists is not None:
        raise Conflict("bdtx_plan_exists", school_year=data.school_year)
    plan = UnitPlan(
        unit_id=unit.id,
        school_year=data.school_year,
        module_codes=list(dict.fromkeys(data.module_codes)),
        schedule=[i.model_dump(mode="json") for i in data.schedule],
        nd2_materials=data.nd2_materials,
    )
    session.add(plan)
    session.flush()
    return plan


def update_unit_plan(
    session: Session, actor: Actor, plan: UnitPlan, data: UnitPlanUpdate, expected: int
) -> UnitPlan:
    """A draft or a returned plan is corrected in place (R-BDTX-1): the unit has one plan a
    year, so without this a returned plan would be a dead end."""
    allow(session, actor, MANAGE_ROLES, plan.unit_id, "plan_bdtx")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.draft, PlanStatus.returned)
    changes = data.model_dump(exclude_unset=True, mode="json")
    codes = list(changes.get("module_codes", plan.module_codes))
    schedule = changes.get("schedule", plan.schedule)
    _modules(session, codes + [i["module_code"] for i in schedule])
    if "module_codes" in changes:
        changes["module_codes"] = list(dict.fromkeys(codes))
    for field, value in changes.items():
        setattr(plan, field, value)
    session.flush()
    return plan


def submit_unit_plan(session: Session, actor: Actor, plan: UnitPlan, expected: int) -> UnitPlan:
    """Reported by the month the year's policy names; the Sở's plan is sent to the
    Ministry with its nội dung 2 materials (R-BDTX-5)."""
    allow(session, actor, MANAGE_ROLES, plan.unit_id, "plan_bdtx")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.draft, PlanStatus.returned)
    policy, rules = require_policy(session, plan.school_year)
    year = int(plan.school_year[5:])
    month = rules.unit_plan_report_month
    deadline = date(year, month, calendar.monthrange(year, month)[1])
    if to_local_date(utcnow()) > deadline:
        raise Conflict(
            "bdtx_unit_plan_deadline_passed", rule="R-BDTX-1", deadline=deadline.isoformat()
        )
    kind = session.scalar(select(Unit.kind).where(Unit.id == plan.unit_id))
    if kind == UnitKind.department:
        if not plan.nd2_materials:
            raise Conflict("bdtx_ministry_package_incomplete", rule="R-BDTX-5")
        plan.sent_to_ministry_at = utcnow()
    plan.policy_id = policy.id
    plan.status = PlanStatus.submitted
    plan.submitted_at = utcnow()
    session.flush()
    return plan


def decide_unit_plan(
    session: Session,
    actor: Actor,
    plan: UnitPlan,
    approve: bool,
    note: str | None,
    expected: int,
) -> UnitPlan:
    """The managing unit above approves or returns (R-BDTX-1)."""
    parent = session.scalar(select(Unit.parent_id).where(Unit.id == plan.unit_id))
    allow(session, actor, MANAGE_ROLES, parent, "approve_bdtx_unit_plan")
    check_version(plan.version, expected)
    _require(plan.status, PlanStatus.submitted)
    plan.status = PlanStatus.approved if approve else PlanStatus.returned
    plan.decided_by_user_id = actor.user_id
    plan.decided_at = utcnow()
    plan.decision_note = note
    session.flush()
    return plan
