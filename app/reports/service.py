"""Year-end emulation review (R-VIO-1) and compliance with the dispatch, per unit.

Rows are the requested unit (its own records) and each unit directly below it with its
whole subtree rolled up, so the rows add up to the requested unit's subtree. Every figure
is one GROUP BY over a row map built from ``unit_closure``: the number of queries does not
grow with the number of units. The emulation review is a single statement (its rows, the
caller's right to see them, and every count); compliance is five. Statements are built once.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    Integer,
    Select,
    String,
    bindparam,
    case,
    exists,
    func,
    literal,
    null,
    select,
    true,
    type_coerce,
    union_all,
)
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
    """What a report covers: the school year and the units asked for (``unit_id``, or the
    caller's units). Each report's statements find the rows themselves (``Rows``)."""

    school_year: str
    unit_id: int | None
    roots: list[int] | None  # the caller's report roots; None for a global admin


@dataclass(frozen=True)
class Rows:
    """The units a report covers (``bases``) and its rows, in order."""

    bases: list[int]
    lines: list[UnitLine]


def _global(actor: Actor) -> bool:
    return actor.is_global_admin


def _roots(actor: Actor) -> list[int]:
    return actor.roots(REPORT_ROLES)


def report_scope(actor: Actor, school_year: str | None, unit_id: int | None) -> Scope:
    """403 for roles that read no reports. A unit outside the caller's units is a 404 from
    the report itself: its statement finds no rows for it (no round trip of its own)."""
    if not (_global(actor) or actor.has_role(REPORT_ROLES)):
        raise Forbidden("forbidden", permission="read_reports")
    year = school_year or school_year_of(to_local_date(utcnow()))
    return Scope(year, unit_id, None if _global(actor) else _roots(actor))


Statement = Select[*tuple[Any, ...]]
IsBase = Callable[[Any], Any]

# Statements are built once, with bound parameters: building a select costs more Python on
# every request than running it (SQLAlchemy caches the compiled SQL, not the construct).
ROOTS: BindParameter[list[int]] = bindparam("roots", expanding=True)
UNIT = bindparam("unit_id", type_=Integer)
YEAR = bindparam("school_year", type_=String)


def _top_units(roots: BindParameter[list[int]] | None) -> Statement:
    """The caller's report roots, without those already under another root; every root of
    the tree for a global admin."""
    top = aliased(Unit, name="top")
    if roots is None:
        return select(top.id).where(top.parent_id.is_(None))
    above = exists().where(
        UnitClosure.descendant_id == top.id,
        UnitClosure.ancestor_id.in_(roots),
        UnitClosure.depth > 0,
    )
    return select(top.id).where(top.id.in_(roots), ~above)


def _variant(by_unit: bool, global_: bool) -> tuple[IsBase, Any]:
    """Which units are bases, and the condition that the caller may see them: a unit asked
    for outside the caller's units (or one that does not exist) has no rows, the 404."""
    if not by_unit:  # the top units are the caller's own roots: visible by construction
        top = _top_units(None if global_ else ROOTS)
        return (lambda col: col.in_(top)), true()
    visible = exists().where(UnitClosure.descendant_id == UNIT, UnitClosure.ancestor_id.in_(ROOTS))
    return (lambda col: col == UNIT), (true() if global_ else visible)


def _lines_statement(is_base: IsBase, visible: Any) -> Statement:
    """Each base unit and the units directly below it, flagged, in the database's order of
    names (its collation, not Python's)."""
    return (
        select(Unit.id, Unit.name, Unit.parent_id, is_base(Unit.id).label("is_base"))
        .where(is_base(Unit.id) | is_base(Unit.parent_id), visible)
        .order_by(Unit.name, Unit.id)
    )


def _row_map(is_base: IsBase) -> CTE:
    """(row_id, member_id): each child of a base stands for its whole subtree; a base
    stands for itself only."""
    child = aliased(Unit, name="child")
    subtrees = (
        select(
            UnitClosure.ancestor_id.label("row_id"), UnitClosure.descendant_id.label("member_id")
        )
        .join(child, child.id == UnitClosure.ancestor_id)
        .where(is_base(child.parent_id), ~is_base(child.id))
    )
    own = select(Unit.id.label("row_id"), Unit.id.label("member_id")).where(is_base(Unit.id))
    return union_all(subtrees, own).cte("row_map")


VARIANTS = [(by_unit, global_) for by_unit in (True, False) for global_ in (True, False)]


def _variant_of(scope: Scope) -> tuple[bool, bool]:
    return scope.unit_id is not None, scope.roots is None


def _params(scope: Scope) -> dict[str, Any]:
    return {"unit_id": scope.unit_id, "roots": scope.roots or [], "school_year": scope.school_year}


def _rows(scope: Scope, flagged: Sequence[Any]) -> Rows:
    """Per base: its own line, then the units directly below it (``flagged`` by name):
    (id, name, parent_id, is_base). No row for a unit asked for: 404."""
    if scope.unit_id is not None and not flagged:
        raise NotFound("unit", scope.unit_id)
    bases = sorted(i for i, _, _, is_base in flagged if is_base)
    lines = []
    for base in bases:
        lines += [UnitLine(i, n, "own") for i, n, _, _ in flagged if i == base]
        lines += [
            UnitLine(i, n, "subtree") for i, n, p, _ in flagged if p == base and i not in bases
        ]
    return Rows(bases, lines)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


Counts = dict[int, dict[str, Any]]


# --- emulation review -----------------------------------------------------------------------


EMULATION_COUNTS = (
    *(k.value for k in ViolationKind),
    "violations",
    "violations_cited",
    "letters_received",
    "letters_proposing_emulation",
)


def _emulation_statement(is_base: IsBase, visible: Any) -> Statement:
    """The report in one statement: each row's unit, then its violations per kind (n, cited)
    and its letters (kind null; received, proposing the review), a unit repeated per kind."""
    rm = _row_map(is_base)
    violations = (  # its labels name the columns of the union
        select(
            rm.c.row_id,
            type_coerce(Violation.kind, String).label("kind"),  # its stored value: a key
            func.count().label("violations"),
            _count_if(Violation.status.in_(CITED)).label("cited"),
            literal(0).label("letters"),
            literal(0).label("proposing"),
        )
        .join(rm, rm.c.member_id == Violation.unit_id)
        .where(Violation.school_year == YEAR, Violation.status != ViolationStatus.dismissed)
        .group_by(rm.c.row_id, Violation.kind)
    )
    letters = (
        select(
            rm.c.row_id,
            null(),
            literal(0),
            literal(0),
            func.count(),
            _count_if(Criticism.propose_emulation),
        )
        .join(rm, rm.c.member_id == Criticism.recipient_unit_id)
        .where(Criticism.school_year == YEAR, Criticism.status == CriticismStatus.issued)
        .group_by(rm.c.row_id)
    )
    counts = union_all(violations, letters).subquery("counts")
    units = _lines_statement(is_base, visible).order_by(None).subquery("units")
    return (
        select(units, *(counts.c[k] for k in COUNT_COLUMNS))
        .outerjoin(counts, counts.c.row_id == units.c.id)
        .order_by(units.c.name, units.c.id)
    )


COUNT_COLUMNS = ("kind", "violations", "cited", "letters", "proposing")
_EMULATION = {v: _emulation_statement(*_variant(*v)) for v in VARIANTS}


def emulation(session: Session, scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per row: violations by kind, letters received, letters proposing the review.
    404 for a unit outside the caller's units."""
    flagged: dict[int, Any] = {}  # in the statement's order: by name
    out: Counts = defaultdict(lambda: defaultdict(int))
    # Core rows through the session's connection, fetched at once: the ORM's result loading
    # has nothing to do for plain columns but still costs per row, and so does a fetch per row
    result = session.connection().execute(_EMULATION[_variant_of(scope)], _params(scope))
    for unit_id, name, parent_id, is_base, kind, n, cited, letters, proposing in result.all():
        flagged[unit_id] = (unit_id, name, parent_id, is_base)
        counts = out[unit_id]
        if kind is not None:
            counts[kind] += n
        counts["violations"] += n or 0
        counts["violations_cited"] += int(cited or 0)
        counts["letters_received"] += letters or 0
        counts["letters_proposing_emulation"] += int(proposing or 0)
    lines = _rows(scope, list(flagged.values())).lines
    rows = [_emulation_row(line, out[line.unit_id], scope.school_year) for line in lines]
    return rows, _emulation_totals(rows)


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


def _nominations_statement(rm: CTE) -> Statement:
    return (
        select(rm.c.row_id, func.sum(RequirementTarget.quota), func.sum(RequirementTarget.used))
        .join(rm, rm.c.member_id == RequirementTarget.unit_id)
        .join(Requirement, Requirement.id == RequirementTarget.requirement_id)
        .join(Event, Event.id == Requirement.event_id)
        .where(Event.school_year == YEAR, Event.status.in_(LIVE_EVENTS))
        .group_by(rm.c.row_id)
    )


def _attendance_statement(rm: CTE) -> Statement:
    return (
        select(rm.c.row_id, func.count(), _count_if(AttendanceMark.status.in_(ATTENDED)))
        .join(rm, rm.c.member_id == AttendanceMark.unit_id)
        .join(Event, Event.id == AttendanceMark.event_id)
        .where(Event.school_year == YEAR)
        .group_by(rm.c.row_id)
    )


def _violation_totals_statement(rm: CTE) -> Statement:
    return (
        select(
            rm.c.row_id,
            func.count(),
            _count_if(Violation.kind == ViolationKind.unexcused_absence),
        )
        .join(rm, rm.c.member_id == Violation.unit_id)
        .where(Violation.school_year == YEAR, Violation.status != ViolationStatus.dismissed)
        .group_by(rm.c.row_id)
    )


def _participation_statement(rm: CTE) -> Statement:
    pr = ParticipationRequest
    return (
        select(rm.c.row_id, pr.status, func.count())
        .join(rm, rm.c.member_id == pr.unit_id)
        .where(pr.school_year == YEAR)
        .group_by(rm.c.row_id, pr.status)
    )


# Compliance finds its rows first, then each figure over those bases: five statements.
_LINES = {v: _lines_statement(*_variant(*v)) for v in VARIANTS}
BASES: BindParameter[list[int]] = bindparam("bases", expanding=True)
_BY_BASES = _row_map(lambda col: col.in_(BASES))
_NOMINATIONS = _nominations_statement(_BY_BASES)
_ATTENDANCE = _attendance_statement(_BY_BASES)
_VIOLATION_TOTALS = _violation_totals_statement(_BY_BASES)
_PARTICIPATION = _participation_statement(_BY_BASES)


def _nominations(session: Session, params: dict[str, Any], out: Counts) -> None:
    for row_id, quota, used in session.execute(_NOMINATIONS, params):
        out[row_id]["quota"] += int(quota or 0)
        out[row_id]["nominated"] += int(used or 0)


def _attendance(session: Session, params: dict[str, Any], out: Counts) -> None:
    for row_id, marks, attended in session.execute(_ATTENDANCE, params):
        out[row_id]["attendance_marks"] += marks
        out[row_id]["attended"] += int(attended)


def _violation_totals(session: Session, params: dict[str, Any], out: Counts) -> None:
    for row_id, n, unexcused in session.execute(_VIOLATION_TOTALS, params):
        out[row_id]["violations"] += n
        out[row_id]["unexcused_absences"] += int(unexcused)


def _participation(session: Session, params: dict[str, Any], out: Counts) -> None:
    for row_id, status, n in session.execute(_PARTICIPATION, params):
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
    participation requests by outcome, and violations. 404 for a unit outside the caller's
    units."""
    flagged = session.execute(_LINES[_variant_of(scope)], _params(scope)).all()
    found = _rows(scope, flagged)
    params = {"bases": found.bases, "school_year": scope.school_year}
    out: Counts = defaultdict(lambda: defaultdict(int))
    for figure in (_nominations, _attendance, _violation_totals, _participation):
        figure(session, params, out)
    rows = [
        {**_line(line, scope.school_year), **_with_rates(out[line.unit_id])} for line in found.lines
    ]
    return rows, _with_rates({k: sum(r[k] for r in rows) for k in COMPLIANCE_COUNTS})


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: int(counts.get(k, 0)) for k in COMPLIANCE_COUNTS}
    row["nomination_fill_rate"] = _ratio(row["nominated"], row["quota"])
    row["attendance_rate"] = _ratio(row["attended"], row["attendance_marks"])
    return row
