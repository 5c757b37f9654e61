"""Event attendance per unit, and a person's training record."""

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.actor import Actor
from app.bdtx.results import credited
from app.bdtx.service import year_rules
from app.core.model_base import utcnow
from app.events.attendance import (
    _attended,
    _confirmed_excuses,
    _marks_by,
    cell,
    visible_roster,
)
from app.events.models import (
    AttendanceMark,
    Event,
    EventSession,
    Nomination,
    NominationStatus,
    Requirement,
    TrainingCredit,
)
from app.events.policies import event_filter
from app.events.service import list_sessions
from app.staff.models import Staff
from app.units.models import Unit

COUNTED = ("present", "late", "left_early", "absent", "excused", "unexcused")


def counted_sessions(session: Session, event: Event) -> list[EventSession]:
    """Sessions a report counts: held (not cancelled) and over. One still to come is nobody's
    absence yet, a cancelled one never is (R-ATT-3)."""
    now = utcnow()
    return [s for s in list_sessions(session, event) if s.cancelled_at is None and s.ends_at <= now]


def attendance_by_unit(session: Session, actor: Actor, event: Event) -> list[dict[str, Any]]:
    """Rates per unit of the participants the caller can see: one row per unit."""
    sessions = counted_sessions(session, event)
    marks, excused = _marks_by(session, event), _confirmed_excuses(session, event)
    people = visible_roster(session, actor, event)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for p in people:
        counts[p.unit_id]["participants"] += 1
        for s in sessions:
            state = cell(marks.get((p.staff_id, s.id or 0)), (p.staff_id, s.id) in excused)
            state = state or "absent"  # never marked counts as absent
            counts[p.unit_id][state] += 1
            if state == "absent":
                counts[p.unit_id]["unexcused"] += 1
    stmt = select(Unit.id, Unit.name).where(Unit.id.in_(list(counts)))
    names: dict[int, str] = dict(session.execute(stmt).all())
    return [
        _row(unit_id, names.get(unit_id, ""), c, len(sessions))
        for unit_id, c in sorted(counts.items())
    ]


def _row(unit_id: int, name: str, c: Counter[str], n_sessions: int) -> dict[str, Any]:
    expected = c["participants"] * n_sessions
    attended = c["present"] + c["late"] + c["left_early"]
    return {
        "unit_id": unit_id,
        "unit_name": name,
        "participants": c["participants"],
        "expected_marks": expected,
        **{k: c[k] for k in COUNTED},
        "attendance_rate": round(attended / expected, 4) if expected else 0.0,
    }


def totals(rows: list[dict[str, Any]], n_sessions: int) -> dict[str, Any]:
    c: Counter[str] = Counter()
    for row in rows:
        c.update({k: row[k] for k in ("participants", *COUNTED)})
    return _row(0, "Tổng cộng", c, n_sessions)


def training_record(session: Session, actor: Actor, staff: Staff) -> dict[str, Any]:
    """Events the person was on the roster of, their marks, completion and credits."""
    on_roster = (
        select(Nomination.event_id)
        .where(Nomination.staff_id == staff.id, Nomination.status == NominationStatus.accepted)
        .union(select(Requirement.event_id).where(Requirement.staff_id == staff.id))
    )
    events = session.scalars(
        select(Event).where(Event.id.in_(on_roster), event_filter(actor)).order_by(Event.id)
    ).all()
    credits: dict[int, int] = dict(
        session.execute(
            select(TrainingCredit.event_id, TrainingCredit.periods).where(
                TrainingCredit.staff_id == staff.id, TrainingCredit.event_id.is_not(None)
            )
        ).all()
    )
    marks: dict[int, Any] = dict(
        session.execute(
            select(AttendanceMark.session_id, AttendanceMark.status).where(
                AttendanceMark.staff_id == staff.id
            )
        ).all()
    )
    # as the BDTX result counts them: each module once a year, whatever its sources (R-BDTX-1)
    years = session.scalars(
        select(TrainingCredit.school_year)
        .where(TrainingCredit.staff_id == staff.id)
        .distinct()
        .order_by(TrainingCredit.school_year)
    ).all()
    by_year, modules_by_year = {}, {}
    for year in years:
        blocks, modules = credited(session, staff.id or 0, year)
        by_year[year] = sum(blocks.values())
        modules_by_year[year] = [{"module_code": code, **m} for code, m in modules.items()]
    out = []
    rules = {y: year_rules(session, y) for y in {e.school_year for e in events}}
    for event in events:
        session_ids = session.scalars(
            select(EventSession.id).where(
                EventSession.event_id == event.id, EventSession.cancelled_at.is_(None)
            )
        ).all()
        out.append(
            {
                "event_id": event.id,
                "title": event.title,
                "school_year": event.school_year,
                "status": event.status,
                "marks": {str(s): _value(marks.get(s)) for s in session_ids},
                "completed": all(
                    _attended(marks.get(s), rules[event.school_year]) for s in session_ids
                )
                if event.status == "closed"
                else None,
                "credited_periods": credits.get(event.id, 0),
            }
        )
    return {
        "staff_id": staff.id,
        "events": out,
        "credited_periods_by_year": by_year,
        "modules_by_year": modules_by_year,
    }


def _value(status: Any) -> str | None:
    return getattr(status, "value", status)
