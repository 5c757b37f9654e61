"""Roster, attendance (R-ATT-1), absence letters (R-ATT-2) and closing (R-ATT-3)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.bdtx.models import BdtxResult, ResultStatus
from app.bdtx.policy import PolicyRules
from app.bdtx.service import year_rules
from app.bulk.engine import snapshot
from app.core.concurrency import check_version
from app.core.driver import insert_returning
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.model_base import local_text, utcnow
from app.core.pagination import PageParams, paginate
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    CreditSource,
    Event,
    EventSession,
    EventStatus,
    ExcuseStatus,
    MarkSource,
    MarkStatus,
    Nomination,
    NominationStatus,
    Requirement,
    TrainingCredit,
)
from app.events.nominations import unmet_criteria
from app.events.policies import (
    authorize_excuse_decider,
    authorize_excuse_submitter,
    authorize_organizer,
    bound_events,
    organizer_grant,
    staff_in_scope_filter,
)
from app.events.schemas import ExcuseCreate, MarksInput
from app.events.service import OPEN, get_event, list_sessions, require_status
from app.staff.models import Staff
from app.staff.service import get_staff, unit_at
from app.violations.models import Violation, ViolationKind, ViolationStatus


@dataclass(frozen=True)
class Participant:
    staff_id: int
    full_name: str
    unit_id: int  # the unit the person came from, kept even if they move later
    nomination_id: int | None

    @property
    def named(self) -> bool:
        return self.nomination_id is None


def roster(session: Session, event: Event) -> list[Participant]:
    """Accepted nominations plus people summoned by name."""
    nominated = session.execute(
        select(Nomination.staff_id, Staff.full_name, Nomination.unit_id, Nomination.id)
        .join(Staff, Staff.id == Nomination.staff_id)
        .where(Nomination.event_id == event.id, Nomination.status == NominationStatus.accepted)
    ).all()
    named = session.execute(
        select(Staff.id, Staff.full_name, Staff.unit_id)
        .join(Requirement, Requirement.staff_id == Staff.id)
        .where(Requirement.event_id == event.id)
    ).all()
    start = session.scalar(
        select(EventSession.starts_at)
        .where(EventSession.event_id == event.id)
        .order_by(EventSession.starts_at)
    )
    people = [Participant(s, n, u, nid) for s, n, u, nid in nominated]
    for staff_id, name, unit_id in named:
        then = unit_at(session, staff_id, start) if start else None
        people.append(Participant(staff_id, name, then or unit_id, None))
    return sorted(people, key=lambda p: (p.unit_id, p.full_name, p.staff_id))


def visible_roster(session: Session, actor: Actor, event: Event) -> list[Participant]:
    people = roster(session, event)
    if organizer_grant(session, actor, event) is not None:
        return people
    ids = {p.staff_id for p in people}
    seen = set(
        session.scalars(
            select(Staff.id).where(
                Staff.id.in_(ids), staff_in_scope_filter(actor, Staff.unit_id, Staff.id)
            )
        )
    )
    return [p for p in people if p.staff_id in seen]


# --- marks -------------------------------------------------------------------------------


def mark_session(
    session: Session, actor: Actor, event: Event, row: EventSession, data: MarksInput
) -> list[dict[str, Any]]:
    """R-ATT-1: the organisers record a whole session at once; re-marking until close."""
    authorize_organizer(session, actor, event)
    refuse_own_marks(actor, data)
    require_status(event, *OPEN)
    refuse_cancelled(row)
    members = {p.staff_id: p for p in roster(session, event)}
    strangers = sorted({m.staff_id for m in data.marks} - members.keys())
    if strangers:
        raise Conflict(
            "not_on_roster",
            rule="R-ATT-1",
            staff_ids=", ".join(map(str, strangers)),
            errors=[
                {
                    "loc": ["body", "marks", i, "staff_id"],
                    "msg": "not on roster",
                    "code": "not_on_roster",
                }
                for i, m in enumerate(data.marks)
                if m.staff_id in strangers
            ],
        )
    assert event.id is not None
    assert row.id is not None
    now = utcnow()
    # the last mark of a person wins, as when the same object was set twice
    wanted = {
        m.staff_id: {
            "status": m.status,
            "check_in_at": m.check_in_at,
            "note": m.note,
            "marked_by_user_id": actor.user_id,
            "marked_at": now,
            "source": MarkSource.organizer,  # overrides a check-in, audited as an update
        }
        for m in data.marks
    }
    result = session.execute(select(MARKS).where(MARKS.c.session_id == row.id))
    keys = list(result.keys())  # once: SQLAlchemy builds them anew for each row's mapping
    existing = {r.staff_id: dict(zip(keys, r, strict=True)) for r in result}
    fresh = [
        {"event_id": event.id, "session_id": row.id, "staff_id": staff_id, **values}
        | {"unit_id": members[staff_id].unit_id}
        for staff_id, values in wanted.items()
        if staff_id not in existing
    ]
    changes = _insert_marks(session, fresh)
    changes += _update_marks(session, existing, wanted)
    note_changes(session, changes)
    event.status = EventStatus.in_progress
    session.flush()
    return [
        {"session_id": row.id, "staff_id": m.staff_id, **wanted[m.staff_id]} for m in data.marks
    ]


def refuse_own_marks(actor: Actor, data: MarksInput) -> None:
    """R-GOV-1: an organiser on the roster does not mark themself (an absence is a
    violation); they check in with the code like everyone, or another organiser marks them."""
    own = [i for i, m in enumerate(data.marks) if m.staff_id == actor.staff_id]
    if actor.staff_id is not None and own:
        raise Forbidden(
            "own_case",
            rule="R-GOV-1",
            errors=[
                {"loc": ["body", "marks", i, "staff_id"], "msg": "own case", "code": "own_case"}
                for i in own
            ],
        )


# Marks are written with Core statements and handed to the audit log with ``note_changes``:
# 2,000 ORM objects, their flush and one audit snapshot each took most of a 1.2 s request.
MARKS = AttendanceMark.__table__
_MARK_FIELDS = ("status", "check_in_at", "note", "marked_by_user_id", "marked_at", "source")
_MARK_UPDATE = (
    update(MARKS)
    .where(MARKS.c.id == bindparam("b_id"))
    .values({k: bindparam(f"b_{k}") for k in _MARK_FIELDS})
)


def _insert_marks(session: Session, rows: list[dict[str, Any]]) -> list[Change]:
    ids = insert_returning(session, MARKS, rows)
    return [
        ("create", "attendance_mark", i, r["unit_id"], None, snapshot({"id": i, **r}))
        for i, r in zip(ids, rows, strict=True)
    ]


def _update_marks(
    session: Session, existing: dict[int, dict[str, Any]], wanted: dict[int, dict[str, Any]]
) -> list[Change]:
    params: list[dict[str, Any]] = []
    changes: list[Change] = []
    for staff_id, old in existing.items():
        values = wanted.get(staff_id)
        if values is None:
            continue
        params.append({"b_id": old["id"], **{f"b_{k}": v for k, v in values.items()}})
        before = snapshot(old)
        changes.append(
            (
                "update",
                "attendance_mark",
                old["id"],
                old["unit_id"],
                before,
                before | snapshot(values),
            )
        )
    if params:
        session.execute(_MARK_UPDATE, params)
    return changes


def _marks_by(session: Session, event: Event) -> dict[tuple[int, int], MarkStatus]:
    rows = session.execute(
        select(AttendanceMark.staff_id, AttendanceMark.session_id, AttendanceMark.status).where(
            AttendanceMark.event_id == event.id
        )
    ).all()
    return {(s, sid): MarkStatus(st) for s, sid, st in rows}


def _confirmed_excuses(session: Session, event: Event) -> set[tuple[int, int]]:
    rows = session.execute(
        select(AbsenceExcuse.staff_id, AbsenceExcuse.session_id).where(
            AbsenceExcuse.event_id == event.id, AbsenceExcuse.status == ExcuseStatus.confirmed
        )
    ).all()
    return {(s, sid) for s, sid in rows}


def cell(mark: MarkStatus | None, excused: bool, cancelled: bool = False) -> str | None:
    """What a participant × session cell shows: an excused absence reads ``excused``, every
    cell of a cancelled session ``cancelled``."""
    if cancelled:
        return "cancelled"
    if (mark is None or mark == MarkStatus.absent) and excused:
        return "excused"
    return mark.value if mark else None


def attendance_matrix(
    session: Session, actor: Actor, event: Event
) -> tuple[Sequence[EventSession], list[tuple[Participant, dict[str, str | None]]]]:
    sessions = list_sessions(session, event)
    marks, excused = _marks_by(session, event), _confirmed_excuses(session, event)
    rows = []
    for p in visible_roster(session, actor, event):
        cells = {
            str(s.id): cell(
                marks.get((p.staff_id, s.id or 0)),
                (p.staff_id, s.id) in excused,
                s.cancelled_at is not None,
            )
            for s in sessions
        }
        rows.append((p, cells))
    return sessions, rows


# --- absence letters ---------------------------------------------------------------------


def refuse_cancelled(row: EventSession) -> None:
    if row.cancelled_at is not None:
        raise Conflict("session_cancelled", rule="R-ATT-3", session_id=row.id)


def grace_ends(session: Session, event: Event, row: EventSession) -> datetime:
    """R-ATT-2: a letter is due before the session or within the year's grace days after it."""
    return row.ends_at + timedelta(days=year_rules(session, event.school_year).excuse_grace_days)


def submit_excuse(session: Session, actor: Actor, data: ExcuseCreate) -> AbsenceExcuse:
    """R-ATT-2: by the attendee or their unit head, before the session or within the grace
    days of the year's policy, also after the event closed while that window is open."""
    staff = get_staff(session, actor, data.staff_id)
    row = session.get(EventSession, data.session_id)
    if row is None:
        raise NotFound("session", data.session_id)
    event = get_event(session, actor, row.event_id)
    authorize_excuse_submitter(actor, staff)
    require_status(event, *OPEN, EventStatus.closed)
    refuse_cancelled(row)
    people = {p.staff_id: p for p in roster(session, event)}
    if staff.id not in people:
        raise Conflict("not_on_roster", rule="R-ATT-2", staff_ids=str(staff.id))
    deadline = grace_ends(session, event, row)
    if utcnow() > deadline:
        raise Conflict("excuse_too_late", rule="R-ATT-2", deadline=local_text(deadline))
    live = session.scalar(
        select(AbsenceExcuse.id).where(
            AbsenceExcuse.session_id == row.id,
            AbsenceExcuse.staff_id == staff.id,
            AbsenceExcuse.status != ExcuseStatus.rejected,
        )
    )
    if live is not None:
        raise Conflict("excuse_duplicate")
    assert event.id is not None
    assert row.id is not None
    assert staff.id is not None
    excuse = AbsenceExcuse(
        event_id=event.id,
        session_id=row.id,
        staff_id=staff.id,
        unit_id=people[staff.id].unit_id,
        reason=data.reason,
        attachment_ref=data.attachment_ref,
        submitted_by_user_id=actor.user_id,
    )
    session.add(excuse)
    session.flush()
    return excuse


def excuse_filter(actor: Actor) -> object:
    """Letters of people in scope, the caller's own, and those for events bound to them."""
    clause = staff_in_scope_filter(actor, AbsenceExcuse.unit_id, AbsenceExcuse.staff_id)
    bound = bound_events(actor)
    return clause | AbsenceExcuse.event_id.in_(bound) if bound else clause


def get_excuse(session: Session, actor: Actor, excuse_id: int) -> AbsenceExcuse:
    excuse = session.scalar(
        select(AbsenceExcuse).where(AbsenceExcuse.id == excuse_id, excuse_filter(actor))
    )
    if excuse is None:
        raise NotFound("absence_excuse", excuse_id)
    return excuse


def list_excuses(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    event_id: int | None,
    status: ExcuseStatus | None,
    unit_id: int | None,
) -> tuple[Sequence[AbsenceExcuse], str | None]:
    stmt = select(AbsenceExcuse).where(excuse_filter(actor))
    for column, value in (
        (AbsenceExcuse.event_id, event_id),
        (AbsenceExcuse.status, status),
        (AbsenceExcuse.unit_id, unit_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, AbsenceExcuse.id, page)


def decide_excuse(
    session: Session,
    actor: Actor,
    excuse: AbsenceExcuse,
    confirm: bool,
    note: str | None,
    expected: int,
) -> AbsenceExcuse:
    """R-ATT-2: only the head of the attendee's own unit; not the attendee, not the organiser.

    A letter submitted in time is decided even after the event closed: confirming it then
    dismisses the absence that the close recorded, citing the letter (R-ATT-3); rejecting
    it leaves the violation as it is."""
    authorize_excuse_decider(session, actor, excuse.staff_id, excuse.unit_id)
    check_version(excuse.version, expected)
    if excuse.status != ExcuseStatus.submitted:
        raise Conflict("excuse_wrong_status", status=excuse.status.value)
    event = session.get(Event, excuse.event_id)
    assert event is not None
    require_status(event, *OPEN, EventStatus.closed)
    excuse.status = ExcuseStatus.confirmed if confirm else ExcuseStatus.rejected
    excuse.decided_by_user_id, excuse.decided_at, excuse.decision_note = (
        actor.user_id,
        utcnow(),
        note,
    )
    if confirm and event.status == EventStatus.closed:
        _dismiss_absence(session, excuse)
    session.flush()
    return excuse


def _dismiss_absence(session: Session, excuse: AbsenceExcuse) -> None:
    """The close-time violation for this absence, dismissed through the ORM so the audit log
    holds its before and after next to the letter's decision."""
    violation = session.scalar(
        select(Violation).where(
            Violation.kind == ViolationKind.unexcused_absence,
            Violation.session_id == excuse.session_id,
            Violation.staff_id == excuse.staff_id,
            Violation.status == ViolationStatus.open,
        )
    )
    if violation is None:  # already cited in a letter, or dismissed by hand: left to them
        return
    violation.status = ViolationStatus.dismissed
    violation.dismissed_reason = (
        f"Đơn xin vắng số {excuse.id} được Thủ trưởng đơn vị xác nhận sau khi kết thúc sự kiện "
        "(R-ATT-2)."
    )


# --- close -------------------------------------------------------------------------------


def _attended(mark: MarkStatus | None, rules: PolicyRules) -> bool:
    ok = {MarkStatus.present, MarkStatus.late}
    if rules.left_early_counts_as_attended:
        ok.add(MarkStatus.left_early)
    return mark in ok


def _ready_to_close(session: Session, event: Event, sessions: Sequence[EventSession]) -> None:
    """R-ATT-3 meets the calendar: every session has ended, and every session that was held
    has marks; a session nobody marked is named, unless it was cancelled by amendment."""
    held = [s for s in sessions if s.cancelled_at is None]
    now = utcnow()
    running = [s for s in held if s.ends_at > now]
    if running:
        last = max(running, key=lambda s: s.ends_at)
        raise Conflict(
            "event_not_over",
            rule="R-ATT-3",
            session=session_label(last),
            ends_at=local_text(last.ends_at),
        )
    marked = set(
        session.scalars(
            select(AttendanceMark.session_id).where(AttendanceMark.event_id == event.id).distinct()
        )
    )
    unmarked = [s for s in held if s.id not in marked]
    if unmarked:
        raise Conflict(
            "session_unmarked",
            rule="R-ATT-3",
            sessions=", ".join(session_label(s) for s in unmarked),
            errors=[
                {"loc": ["sessions", s.id], "msg": session_label(s), "code": "session_unmarked"}
                for s in unmarked
            ],
        )


def session_label(row: EventSession) -> str:
    when = local_text(row.starts_at)
    return f"{row.title} ({when})" if row.title else f"buổi {when}"


def _finalised(session: Session, school_year: str, staff_ids: list[int]) -> set[int]:
    """The people whose BDTX result for the year is finalised: nothing more is credited to
    that year (R-BDTX-1)."""
    if not staff_ids:
        return set()
    return set(
        session.scalars(
            select(BdtxResult.staff_id).where(
                BdtxResult.school_year == school_year,
                BdtxResult.status == ResultStatus.finalised,
                BdtxResult.staff_id.in_(bindparam("ids", expanding=True)),
            ),
            {"ids": staff_ids},
        )
    )


def close_event(
    session: Session, actor: Actor, event: Event, expected: int
) -> tuple[Event, int, int, list[int]]:
    """R-ATT-3. Idempotent: closing a closed event changes nothing and reports zero.
    Completers whose year is finalised get no credit (R-BDTX-1); they are named, and the
    close goes on, since its violations do not wait for a result that cannot reopen."""
    authorize_organizer(session, actor, event)
    if event.status == EventStatus.closed:
        return event, 0, 0, []
    check_version(event.version, expected)
    require_status(event, *OPEN)
    sessions = list_sessions(session, event)
    _ready_to_close(session, event, sessions)
    held = [s for s in sessions if s.cancelled_at is None]  # a cancelled one counts for nobody
    rules = year_rules(session, event.school_year)
    people = roster(session, event)
    marks, excused = _marks_by(session, event), _confirmed_excuses(session, event)
    violations, credits = [], []
    now = utcnow()
    for p in people:
        for s in held:
            mark = marks.get((p.staff_id, s.id or 0))
            absent = mark is None or mark == MarkStatus.absent  # never marked counts as absent
            if absent and (p.staff_id, s.id) not in excused:
                violations.append(_absence(event, s, p))
        if event.bdtx_periods and all(
            _attended(marks.get((p.staff_id, s.id or 0)), rules) for s in held
        ):
            credits.append(_credit(event, p, now))
    violations.extend(_mismatches(session, event))
    closed_years = _finalised(session, event.school_year, [int(c["staff_id"]) for c in credits])
    credits = [c for c in credits if c["staff_id"] not in closed_years]
    if violations:
        session.execute(insert(Violation), violations)
    if credits:
        session.execute(insert(TrainingCredit), credits)
    event.status, event.closed_at = EventStatus.closed, now
    session.flush()
    return event, len(violations), len(credits), sorted(closed_years)


def _absence(event: Event, s: EventSession, p: Participant) -> dict[str, object]:
    now = utcnow()
    return {
        "kind": ViolationKind.unexcused_absence,
        "status": "open",
        "school_year": event.school_year,
        "unit_id": p.unit_id,
        "staff_id": p.staff_id,
        "event_id": event.id,
        "session_id": s.id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _credit(event: Event, p: Participant, now: object) -> dict[str, object]:
    return {
        "staff_id": p.staff_id,
        "unit_id": p.unit_id,
        "school_year": event.school_year,
        "source": CreditSource.event,
        "event_id": event.id,
        "module_code": event.bdtx_module_code,
        "periods": event.bdtx_periods,
        "credited_at": now,
    }


def _mismatches(session: Session, event: Event) -> list[dict[str, object]]:
    """R-ATT-3: an accepted nominee who no longer matches the composition (found later)."""
    found = []
    rows = session.execute(
        select(Nomination, Requirement, Staff)
        .join(Requirement, Requirement.id == Nomination.requirement_id)
        .join(Staff, Staff.id == Nomination.staff_id)
        .where(Nomination.event_id == event.id, Nomination.status == NominationStatus.accepted)
    ).all()
    now = utcnow()
    for nomination, req, staff in rows:
        probe = Staff.model_validate(staff.model_dump() | {"unit_id": nomination.unit_id})
        unmet = unmet_criteria(session, req, probe)
        if unmet:
            found.append(
                {
                    "kind": ViolationKind.nomination_mismatch,
                    "status": "open",
                    "school_year": event.school_year,
                    "unit_id": nomination.unit_id,
                    "staff_id": nomination.staff_id,
                    "event_id": event.id,
                    "session_id": None,
                    "evidence": "; ".join(f"{u.label.vi}: {u.detail.vi}" for u in unmet),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return found
