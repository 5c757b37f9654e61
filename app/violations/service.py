"""Violations: recorded on close (R-ATT-3), by detection (R-EXT-4) or by hand, then
reviewed: ``open → cited`` (by a criticism letter) ``→ closed``, or ``dismissed``."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

import app.violations.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.deciders import refuse_own_case
from app.auth.policies import staff_filter
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound, UnknownReference
from app.core.model_base import to_local_date, utcnow
from app.core.pagination import PageParams, paginate
from app.core.school_year import school_year_of
from app.events.models import Event, EventSession
from app.events.policies import event_filter
from app.external.models import ExternalEvent
from app.external.policies import event_filter as external_event_filter
from app.staff.models import Staff
from app.units.service import require_unit
from app.violations.models import Violation, ViolationKind, ViolationStatus
from app.violations.policies import (
    authorize_record,
    authorize_review,
    violation_filter,
    violation_filter_in_subtree,
)
from app.violations.schemas import ViolationCreate


@dataclass(frozen=True)
class ViolationFilters:
    unit_id: int | None = None
    include_descendants: bool = False
    kind: ViolationKind | None = None
    school_year: str | None = None
    status: ViolationStatus | None = None
    event_id: int | None = None
    external_event_id: int | None = None
    staff_id: int | None = None


def get_violation(session: Session, actor: Actor, violation_id: int) -> Violation:
    found = session.scalar(
        select(Violation).where(Violation.id == violation_id, violation_filter(actor))
    )
    if found is None:
        raise NotFound("violation", violation_id)
    return found


def list_violations(
    session: Session, actor: Actor, page: PageParams, filters: ViolationFilters
) -> tuple[Sequence[Violation], str | None]:
    unit = filters.unit_id
    if unit is not None and filters.include_descendants:
        where = violation_filter_in_subtree(actor, unit)
    else:
        where = violation_filter(actor)
        if unit is not None:
            where = where & (Violation.unit_id == unit)
    stmt = select(Violation).where(where)
    for column, value in (
        (Violation.kind, filters.kind),
        (Violation.school_year, filters.school_year),
        (Violation.status, filters.status),
        (Violation.event_id, filters.event_id),
        (Violation.external_event_id, filters.external_event_id),
        (Violation.staff_id, filters.staff_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, Violation.id, page)


# --- recording by hand ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Refs:
    """What a hand-recorded violation points at, each one visible to the caller."""

    event: Event | None
    session_id: int | None
    external_event: ExternalEvent | None


def _staff_ref(session: Session, actor: Actor, staff_id: int) -> Staff:
    staff = session.scalar(
        select(Staff).where(Staff.id == staff_id, staff_filter(actor, Staff.unit_id, Staff.id))
    )
    if staff is None:
        raise UnknownReference("staff_id", staff_id)
    return staff


def _refs(session: Session, actor: Actor, data: ViolationCreate) -> _Refs:
    event = external = None
    if data.event_id is not None:
        event = session.scalar(select(Event).where(Event.id == data.event_id, event_filter(actor)))
        if event is None:
            raise UnknownReference("event_id", data.event_id)
    if data.session_id is not None:
        owner = session.scalar(
            select(EventSession.event_id).where(EventSession.id == data.session_id)
        )
        if event is None or owner != event.id:
            raise UnknownReference("session_id", data.session_id)
    if data.external_event_id is not None:
        external = session.scalar(
            select(ExternalEvent).where(
                ExternalEvent.id == data.external_event_id, external_event_filter(actor)
            )
        )
        if external is None:
            raise UnknownReference("external_event_id", data.external_event_id)
    return _Refs(event, data.session_id, external)


def _ensure_not_recorded(session: Session, data: ViolationCreate) -> None:
    """The same absence or the same unpermitted attendance is recorded once (the unique
    indexes uq_violation_absence and uq_violation_external stop a concurrent twin)."""
    stmt = select(Violation.id).where(Violation.kind == data.kind)
    if data.event_id is not None and data.session_id is not None:
        stmt = stmt.where(
            Violation.event_id == data.event_id,
            Violation.session_id == data.session_id,
            Violation.staff_id == data.staff_id
            if data.staff_id is not None
            else Violation.staff_id.is_(None),
        )
    elif data.external_event_id is not None and data.staff_id is not None:
        stmt = stmt.where(
            Violation.external_event_id == data.external_event_id,
            Violation.staff_id == data.staff_id,
        )
    else:
        return
    found = session.scalar(stmt)
    if found is not None:
        raise Conflict("violation_duplicate", violation_id=found)


def _school_year(refs: _Refs, occurred_on: date | None) -> str:
    if refs.event is not None:
        return refs.event.school_year
    if refs.external_event is not None:
        return refs.external_event.school_year
    return school_year_of(occurred_on or to_local_date(utcnow()))


def record_violation(session: Session, actor: Actor, data: ViolationCreate) -> Violation:
    """A department officer or unit head records a breach in their hierarchy, with evidence."""
    unit = require_unit(session, actor, data.unit_id, "unit_id")
    staff = _staff_ref(session, actor, data.staff_id) if data.staff_id is not None else None
    refs = _refs(session, actor, data)
    assert unit.id is not None
    authorize_record(session, actor, unit.id)
    _ensure_not_recorded(session, data)
    violation = Violation(
        kind=data.kind,
        school_year=_school_year(refs, data.occurred_on),
        unit_id=unit.id,
        staff_id=staff.id if staff else None,
        event_id=refs.event.id if refs.event else None,
        session_id=refs.session_id,
        external_event_id=refs.external_event.id if refs.external_event else None,
        evidence=data.evidence,
        note=data.note,
        recorded_by_user_id=actor.user_id,
    )
    session.add(violation)
    session.flush()
    return violation


# --- review ---------------------------------------------------------------------------------


def require_status(violation: Violation, expected: ViolationStatus) -> None:
    if violation.status != expected:
        raise Conflict(
            "violation_wrong_status",
            rule="R-VIO-1",
            status=violation.status.value,
            expected=expected.value,
        )


def dismiss_violation(
    session: Session, actor: Actor, violation: Violation, reason: str, expected: int
) -> Violation:
    """An open violation turns out not to be one; the reason stays on record. Nobody
    dismisses one recorded against themself (R-GOV-1): an officer above does."""
    authorize_review(session, actor, violation.unit_id)
    if violation.staff_id is not None:
        refuse_own_case(actor, violation.staff_id)
    check_version(violation.version, expected)
    require_status(violation, ViolationStatus.open)
    violation.status = ViolationStatus.dismissed
    violation.dismissed_reason = reason
    session.flush()
    return violation


def close_violation(
    session: Session, actor: Actor, violation: Violation, expected: int
) -> Violation:
    """A violation cited in an issued letter is dealt with (R-VIO-1)."""
    authorize_review(session, actor, violation.unit_id)
    check_version(violation.version, expected)
    require_status(violation, ViolationStatus.cited)
    violation.status = ViolationStatus.closed
    session.flush()
    return violation
