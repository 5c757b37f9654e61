"""Events, their sessions and requirements, and the summon → close life cycle."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

import app.events.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.policies import Permission, authorize, units_in_scope
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound
from app.core.model_base import utcnow
from app.core.pagination import PageParams, paginate
from app.events.models import (
    AttendanceMark,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    Requirement,
    RequirementTarget,
    SessionAmendment,
)
from app.events.policies import authorize_organizer, bound_events, event_filter
from app.events.schemas import (
    EventCreate,
    EventUpdate,
    RequirementCreate,
    SessionAmend,
    SessionCancel,
    SessionCreate,
    SummonRequest,
)
from app.staff.service import get_staff
from app.units.models import Unit, UnitClosure
from app.units.service import require_unit

OPEN = (EventStatus.summoned, EventStatus.in_progress)


def get_event(session: Session, actor: Actor, event_id: int) -> Event:
    event = session.scalar(select(Event).where(Event.id == event_id, event_filter(actor)))
    if event is None:
        raise NotFound("event", event_id)
    return event


def list_events(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    school_year: str | None = None,
    organizer_unit_id: int | None = None,
) -> tuple[Sequence[Event], str | None]:
    stmt = select(Event).where(event_filter(actor))
    for column, value in (
        (Event.status, status),
        (Event.kind, kind),
        (Event.school_year, school_year),
        (Event.organizer_unit_id, organizer_unit_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, Event.id, page)


def require_status(event: Event, *allowed: EventStatus) -> None:
    if event.status not in allowed:
        raise Conflict("event_wrong_status", status=event.status.value)


def create_event(session: Session, actor: Actor, data: EventCreate) -> Event:
    require_unit(session, actor, data.organizer_unit_id, "organizer_unit_id")
    authorize(session, actor, Permission.organize_events, data.organizer_unit_id)
    event = Event(**data.model_dump())
    session.add(event)
    session.flush()
    return event


def update_event(
    session: Session, actor: Actor, event: Event, data: EventUpdate, expected: int
) -> Event:
    authorize_organizer(session, actor, event)
    check_version(event.version, expected)
    require_status(event, EventStatus.draft)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(event, field, value)
    session.flush()
    return event


def summon(
    session: Session, actor: Actor, event: Event, data: SummonRequest, expected: int
) -> Event:
    authorize_organizer(session, actor, event)
    check_version(event.version, expected)
    require_status(event, EventStatus.draft)
    if not session.scalar(select(func.count()).where(EventSession.event_id == event.id)):
        raise Conflict("event_has_no_sessions")
    if not session.scalar(select(func.count()).where(Requirement.event_id == event.id)):
        raise Conflict("event_has_no_requirements")
    event.summons_number = data.summons_number or event.summons_number
    event.summons_date = data.summons_date or event.summons_date or utcnow().date()
    event.status = EventStatus.summoned
    session.flush()
    return event


def cancel(session: Session, actor: Actor, event: Event, reason: str, expected: int) -> Event:
    authorize_organizer(session, actor, event)
    check_version(event.version, expected)
    require_status(event, EventStatus.draft, *OPEN)
    event.status = EventStatus.cancelled
    event.cancel_reason = reason
    session.flush()
    return event


# --- sessions ----------------------------------------------------------------------------


def list_sessions(session: Session, event: Event) -> Sequence[EventSession]:
    stmt = (
        select(EventSession)
        .where(EventSession.event_id == event.id)
        .order_by(EventSession.starts_at, EventSession.id)
    )
    return session.scalars(stmt).all()


def get_session_of(session: Session, event: Event, session_id: int) -> EventSession:
    found = session.scalar(
        select(EventSession).where(EventSession.id == session_id, EventSession.event_id == event.id)
    )
    if found is None:
        raise NotFound("session", session_id)
    return found


def add_session(session: Session, actor: Actor, event: Event, data: SessionCreate) -> EventSession:
    authorize_organizer(session, actor, event)
    if event.status != EventStatus.draft:
        raise Conflict("sessions_fixed", rule="R-ATT-1")
    assert event.id is not None
    row = EventSession(event_id=event.id, **data.model_dump())
    session.add(row)
    session.flush()
    return row


def delete_session(session: Session, actor: Actor, event: Event, row: EventSession) -> None:
    authorize_organizer(session, actor, event)
    if event.status != EventStatus.draft:
        raise Conflict("sessions_fixed", rule="R-ATT-1")
    session.delete(row)
    session.flush()


def amend_session(
    session: Session, actor: Actor, event: Event, row: EventSession, data: SessionAmend
) -> EventSession:
    """An amended summons: the change and its reason are kept and shown to nominees."""
    authorize_organizer(session, actor, event)
    require_status(event, *OPEN)
    fields = ("title", "starts_at", "ends_at")
    before = {f: _iso(getattr(row, f)) for f in fields}
    for f in fields:
        setattr(row, f, getattr(data, f))
    assert event.id is not None
    assert row.id is not None
    session.add(
        SessionAmendment(
            event_id=event.id,
            session_id=row.id,
            reason=data.reason,
            before=before,
            after={f: _iso(getattr(row, f)) for f in fields},
            amended_by_user_id=actor.user_id,
        )
    )
    session.flush()
    return row


def cancel_session(
    session: Session, actor: Actor, event: Event, row: EventSession, data: SessionCancel
) -> EventSession:
    """Cancelled by an amended summons with its reason (R-ATT-3: it blocks no close and
    counts for nobody). A session already marked was held: it cannot be cancelled."""
    authorize_organizer(session, actor, event)
    require_status(event, *OPEN)
    if row.cancelled_at is not None:
        return row
    marked = session.scalar(
        select(AttendanceMark.id).where(AttendanceMark.session_id == row.id).limit(1)
    )
    if marked is not None:
        raise Conflict("session_already_marked", rule="R-ATT-3")
    row.cancelled_at = utcnow()
    assert event.id is not None
    assert row.id is not None
    session.add(
        SessionAmendment(
            event_id=event.id,
            session_id=row.id,
            reason=data.reason,
            before={"cancelled_at": None},
            after={"cancelled_at": _iso(row.cancelled_at)},
            amended_by_user_id=actor.user_id,
        )
    )
    session.flush()
    return row


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def list_amendments(session: Session, event: Event) -> Sequence[SessionAmendment]:
    stmt = (
        select(SessionAmendment)
        .where(SessionAmendment.event_id == event.id)
        .order_by(SessionAmendment.id)
    )
    return session.scalars(stmt).all()


# --- requirements ------------------------------------------------------------------------


def list_requirements(
    session: Session, event: Event
) -> list[tuple[Requirement, list[RequirementTarget]]]:
    reqs = session.scalars(
        select(Requirement).where(Requirement.event_id == event.id).order_by(Requirement.id)
    ).all()
    targets: dict[int, list[RequirementTarget]] = {r.id or 0: [] for r in reqs}
    rows = session.scalars(
        select(RequirementTarget)
        .where(RequirementTarget.requirement_id.in_(list(targets)))
        .order_by(RequirementTarget.unit_id)
    )
    for target in rows:
        targets[target.requirement_id].append(target)
    return [(r, targets[r.id or 0]) for r in reqs]


def _target_units(session: Session, actor: Actor, data: RequirementCreate) -> list[int]:
    """Explicit units, or every unit of the given kinds under a unit (resolved now)."""
    for unit_id in data.unit_ids:
        require_unit(session, actor, unit_id, "unit_ids")
    if not data.unit_kinds or data.under_unit_id is None:
        return sorted(set(data.unit_ids))
    require_unit(session, actor, data.under_unit_id, "under_unit_id")
    found = session.scalars(
        select(Unit.id)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(
            UnitClosure.ancestor_id == data.under_unit_id,
            Unit.kind.in_([k.value for k in data.unit_kinds]),
        )
    ).all()
    return sorted(set(data.unit_ids) | set(found))


def add_requirement(
    session: Session, actor: Actor, event: Event, data: RequirementCreate
) -> tuple[Requirement, list[RequirementTarget]]:
    authorize_organizer(session, actor, event)
    require_status(event, EventStatus.draft)
    if data.staff_id is not None:
        get_staff(session, actor, data.staff_id)  # 404 unless visible
        units: list[int] = []
    else:
        units = _target_units(session, actor, data)
        if not units:  # a valid request that meets no stored unit: a conflict, not bad input
            raise Conflict("requirement_without_targets", rule="R-NOM-1")
    fields = data.model_dump(exclude={"unit_ids", "under_unit_id", "unit_kinds"})
    assert event.id is not None
    req = Requirement(event_id=event.id, **fields)
    session.add(req)
    session.flush()
    if units:
        rows = [{"requirement_id": req.id, "unit_id": u, "quota": data.quota} for u in units]
        session.execute(insert(RequirementTarget), rows)
    session.flush()
    return req, list(
        session.scalars(select(RequirementTarget).where(RequirementTarget.requirement_id == req.id))
    )


def get_requirement(session: Session, event: Event, requirement_id: int) -> Requirement:
    req = session.scalar(
        select(Requirement).where(
            Requirement.id == requirement_id, Requirement.event_id == event.id
        )
    )
    if req is None:
        raise NotFound("requirement", requirement_id)
    return req


def delete_requirement(session: Session, actor: Actor, event: Event, req: Requirement) -> None:
    authorize_organizer(session, actor, event)
    require_status(event, EventStatus.draft)
    session.execute(delete(RequirementTarget).where(RequirementTarget.requirement_id == req.id))
    session.delete(req)
    session.flush()


def to_fill(
    session: Session, actor: Actor, event: Event, unit_id: int | None
) -> list[dict[str, Any]]:
    """What each summoned unit (in the caller's scope) still has to nominate."""
    stmt = (
        select(RequirementTarget, Requirement.quota_mode)
        .join(Requirement, Requirement.id == RequirementTarget.requirement_id)
        .where(Requirement.event_id == event.id)
        .order_by(RequirementTarget.unit_id, Requirement.id)
    )
    scope = None if event.id in bound_events(actor) else units_in_scope(actor)
    if scope is not None:
        # the caller's units, and offices above them whose quota they help fill (R-NOM-1)
        above = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id.in_(scope))
        stmt = stmt.where(RequirementTarget.unit_id.in_(above))
    if unit_id is not None:
        stmt = stmt.where(RequirementTarget.unit_id == unit_id)
    return [
        {
            "requirement_id": t.requirement_id,
            "unit_id": t.unit_id,
            "quota": t.quota,
            "quota_mode": mode,
            "nominated": t.used,
            "remaining": t.quota - t.used,
        }
        for t, mode in session.execute(stmt).all()
    ]
