"""Year-end emulation review (R-VIO-1) and compliance with the dispatch, per unit.

Rows are the requested unit (its own records) and each unit directly below it with its
whole subtree rolled up, so the rows add up to the requested unit's subtree. Every figure
is one GROUP BY over a row map built from ``unit_closure``: the number of queries does not
grow with the number of units.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, case, exists, func, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.models import Role
from app.core.errors import Forbidden, NotFound
from app.core.model_base import to_local_date, utcnow
from app.core.school_year import school_year_of
from app.criticisms.models import Criticism, CriticismStatus
from app.events.models import (
    AttendanceMark,
    Event,
    EventStatus,
    MarkStatus,
    Requirement,
    RequirementTarget,
)
from app.external.models import ParticipationRequest, ParticipationStatus
from app.units.models import Unit, UnitClosure
from app.violations.models import Violation, ViolationKind, ViolationStatus

R = Role
# Oversight reads these: the Sở, offices, unit heads, inspectors and integrating systems.
REPORT_ROLES = frozenset({R.admin, R.department_officer, R.unit_head, R.inspector, R.integration})
ATTENDED = (MarkStatus.present, MarkStatus.late, MarkStatus.left_early)
CITED = (ViolationStatus.cited, ViolationStatus.closed)
LIVE_EVENTS = (EventStatus.summoned, EventStatus.in_progress, EventStatus.closed)


@dataclass(frozen=True)
class UnitLine:
    unit_id: int
    unit_name: str
    scope: str  # own | subtree


@dataclass(frozen=True)
class Scope:
    """What a report covers: the school year, its base units and their rows."""

    school_year: str
    bases: list[int]
    lines: list[UnitLine]


def _global(actor: Actor) -> bool:
    return actor.is_global_admin


def _roots(actor: Actor) -> list[int]:
    return actor.roots(REPORT_ROLES)


def _visible(session: Session, actor: Actor, unit_id: int) -> bool:
    if _global(actor):
        return session.get(Unit, unit_id) is not None
    found = session.scalar(
        select(UnitClosure.descendant_id).where(
            UnitClosure.descendant_id == unit_id, UnitClosure.ancestor_id.in_(_roots(actor))
        )
    )
    return found is not None


def _top_units(session: Session, actor: Actor) -> list[int]:
    """The caller's report roots, without those already under another root."""
    if _global(actor):
        return list(session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    roots = _roots(actor)
    above = exists().where(
        UnitClosure.descendant_id == Unit.id,
        UnitClosure.ancestor_id.in_(roots),
        UnitClosure.depth > 0,
    )
    return list(session.scalars(select(Unit.id).where(Unit.id.in_(roots), ~above)))


def report_scope(
    session: Session, actor: Actor, school_year: str | None, unit_id: int | None
) -> Scope:
    """403 for roles that read no reports; 404 for a unit outside the caller's units."""
    if not (_global(actor) or actor.has_role(REPORT_ROLES)):
        raise Forbidden("forbidden", permission="read_reports")
    if unit_id is not None and not _visible(session, actor, unit_id):
        raise NotFound("unit", unit_id)
    bases = [unit_id] if unit_id is not None else _top_units(session, actor)
    year = school_year or school_year_of(to_local_date(utcnow()))
    return Scope(year, sorted(bases), _lines(session, bases))


def _lines(session: Session, bases: list[int]) -> list[UnitLine]:
    rows = session.execute(
        select(Unit.id, Unit.name, Unit.parent_id)
        .where(Unit.id.in_(bases) | Unit.parent_id.in_(bases))
        .order_by(Unit.name, Unit.id)
    ).all()
    lines = []
    for base in sorted(bases):
        lines += [UnitLine(i, n, "own") for i, n, _ in rows if i == base]
        lines += [UnitLine(i, n, "subtree") for i, n, p in rows if p == base and i not in bases]
    return lines


def _row_map(bases: list[int]) -> Subquery:
    """(row_id, member_id): each child of a base stands for its whole subtree; a base
    stands for itself only."""
    child = aliased(Unit)
    subtrees = (
        select(
            UnitClosure.ancestor_id.label("row_id"), UnitClosure.descendant_id.label("member_id")
        )
        .join(child, child.id == UnitClosure.ancestor_id)
        .where(child.parent_id.in_(bases), child.id.not_in(bases))
    )
    own = select(Unit.id.label("row_id"), Unit.id.label("member_id")).where(Unit.id.in_(bases))
    return union_all(subtrees, own).subquery("row_map")


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


Counts = dict[int, dict[str, Any]]


# --- emulation review -----------------------------------------------------------------------


def _violations_by_kind(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    stmt = (
        select(
            rm.c.row_id,
            Violation.kind,
            func.count(),
            _count_if(Violation.status.in_(CITED)),
        )
        .join(rm, rm.c.member_id == Violation.unit_id)
        .where(Violation.school_year == year, Violation.status != ViolationStatus.dismissed)
        .group_by(rm.c.row_id, Violation.kind)
    )
    for row_id, kind, n, cited in session.execute(stmt):
        counts = out[row_id]
        counts[ViolationKind(kind).value] += n
        counts["violations"] += n
        counts["violations_cited"] += int(cited)


def _letters(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    stmt = (
        select(rm.c.row_id, func.count(), _count_if(Criticism.propose_emulation))
        .join(rm, rm.c.member_id == Criticism.recipient_unit_id)
        .where(Criticism.school_year == year, Criticism.status == CriticismStatus.issued)
        .group_by(rm.c.row_id)
    )
    for row_id, n, proposing in session.execute(stmt):
        out[row_id]["letters_received"] += n
        out[row_id]["letters_proposing_emulation"] += int(proposing)


def emulation(session: Session, scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per row: violations by kind, letters received, letters proposing the review."""
    rm = _row_map(scope.bases)
    out: Counts = defaultdict(lambda: defaultdict(int))
    _violations_by_kind(session, rm, scope.school_year, out)
    _letters(session, rm, scope.school_year, out)
    rows = [_emulation_row(line, out[line.unit_id], scope.school_year) for line in scope.lines]
    return rows, _emulation_totals(rows)


EMULATION_COUNTS = (
    *(k.value for k in ViolationKind),
    "violations",
    "violations_cited",
    "letters_received",
    "letters_proposing_emulation",
)


def _emulation_row(line: UnitLine, counts: dict[str, Any], year: str) -> dict[str, Any]:
    row: dict[str, Any] = {k: int(counts[k]) for k in EMULATION_COUNTS}
    row["proposed_for_emulation_review"] = row["letters_proposing_emulation"] > 0
    return {**_line(line, year), **row}


def _emulation_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {k: sum(r[k] for r in rows) for k in EMULATION_COUNTS}


def _line(line: UnitLine, year: str) -> dict[str, Any]:
    return {
        "unit_id": line.unit_id,
        "unit_name": line.unit_name,
        "scope": line.scope,
        "scope_label": "Riêng đơn vị" if line.scope == "own" else "Gồm đơn vị trực thuộc",
        "school_year": year,
    }


# --- compliance -----------------------------------------------------------------------------


def _nominations(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    stmt = (
        select(rm.c.row_id, func.sum(RequirementTarget.quota), func.sum(RequirementTarget.used))
        .join(rm, rm.c.member_id == RequirementTarget.unit_id)
        .join(Requirement, Requirement.id == RequirementTarget.requirement_id)
        .join(Event, Event.id == Requirement.event_id)
        .where(Event.school_year == year, Event.status.in_(LIVE_EVENTS))
        .group_by(rm.c.row_id)
    )
    for row_id, quota, used in session.execute(stmt):
        out[row_id]["quota"] += int(quota or 0)
        out[row_id]["nominated"] += int(used or 0)


def _attendance(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    stmt = (
        select(rm.c.row_id, func.count(), _count_if(AttendanceMark.status.in_(ATTENDED)))
        .join(rm, rm.c.member_id == AttendanceMark.unit_id)
        .join(Event, Event.id == AttendanceMark.event_id)
        .where(Event.school_year == year)
        .group_by(rm.c.row_id)
    )
    for row_id, marks, attended in session.execute(stmt):
        out[row_id]["attendance_marks"] += marks
        out[row_id]["attended"] += int(attended)


def _violation_totals(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    stmt = (
        select(
            rm.c.row_id,
            func.count(),
            _count_if(Violation.kind == ViolationKind.unexcused_absence),
        )
        .join(rm, rm.c.member_id == Violation.unit_id)
        .where(Violation.school_year == year, Violation.status != ViolationStatus.dismissed)
        .group_by(rm.c.row_id)
    )
    for row_id, n, unexcused in session.execute(stmt):
        out[row_id]["violations"] += n
        out[row_id]["unexcused_absences"] += int(unexcused)


def _participation(session: Session, rm: Subquery, year: str, out: Counts) -> None:
    pr = ParticipationRequest
    stmt = (
        select(rm.c.row_id, pr.status, func.count())
        .join(rm, rm.c.member_id == pr.unit_id)
        .where(pr.school_year == year)
        .group_by(rm.c.row_id, pr.status)
    )
    for row_id, status, n in session.execute(stmt):
        out[row_id][f"participation_{ParticipationStatus(status).value}"] += n


COMPLIANCE_COUNTS = (
    "quota",
    "nominated",
    "attendance_marks",
    "attended",
    "unexcused_absences",
    *(f"participation_{s.value}" for s in ParticipationStatus),
    "violations",
)


def compliance(session: Session, scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per row: nomination fill rate, attendance rate, unexcused absences, external
    participation requests by outcome, and violations."""
    rm = _row_map(scope.bases)
    out: Counts = defaultdict(lambda: defaultdict(int))
    for figure in (_nominations, _attendance, _violation_totals, _participation):
        figure(session, rm, scope.school_year, out)
    rows = [
        {**_line(line, scope.school_year), **_with_rates(out[line.unit_id])} for line in scope.lines
    ]
    return rows, _with_rates({k: sum(r[k] for r in rows) for k in COMPLIANCE_COUNTS})


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: int(counts.get(k, 0)) for k in COMPLIANCE_COUNTS}
    row["nomination_fill_rate"] = _ratio(row["nominated"], row["quota"])
    row["attendance_rate"] = _ratio(row["attended"], row["attendance_marks"])
    return row
