"""Build Sở events through the services (as the system) for tests."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.core.model_base import utcnow
from app.events import nominations as nom
from app.events import service
from app.events.models import Event, EventSession, Nomination, Requirement
from app.events.schemas import (
    EventCreate,
    NominationCreate,
    RequirementCreate,
    SessionCreate,
    SummonRequest,
)
from app.units.models import Unit
from tests.factories import SYSTEM


@dataclass
class Built:
    event: Event
    requirement: Requirement
    sessions: list[EventSession]


def build_event(
    session: Session,
    organizer: Unit,
    targets: list[Unit],
    *,
    n_sessions: int = 2,
    quota: int = 3,
    start: datetime | None = None,
    deadline: datetime | None = None,
    periods: int | None = 8,
    summon: bool = True,
    **criteria: Any,
) -> Built:
    event = service.create_event(
        session,
        SYSTEM,
        EventCreate(
            kind="training",
            organizer_unit_id=organizer.id or 0,
            title="Tập huấn chương trình GDPT 2018 môn Toán",
            school_year="2024-2025",
            nomination_deadline=deadline or utcnow() + timedelta(days=5),
            bdtx_module_code="GVPT-01",
            bdtx_periods=periods,
            location="Hội trường Sở GD&ĐT",
        ),
    )
    first = start or utcnow() + timedelta(days=7)
    sessions = [
        service.add_session(
            session,
            SYSTEM,
            event,
            SessionCreate(
                title=f"Buổi {i + 1}",
                starts_at=first + timedelta(hours=4 * i),
                ends_at=first + timedelta(hours=4 * i + 3),
            ),
        )
        for i in range(n_sessions)
    ]
    req, _ = service.add_requirement(
        session,
        SYSTEM,
        event,
        RequirementCreate(unit_ids=[u.id or 0 for u in targets], quota=quota, **criteria),
    )
    if summon:
        service.summon(
            session, SYSTEM, event, SummonRequest(summons_number="123/GTT-SGDĐT"), event.version
        )
    return Built(event, req, sessions)


def nominate(session: Session, built: Built, staff_id: int, accept: bool = True) -> Nomination:
    n = nom.nominate(
        session,
        SYSTEM,
        built.event,
        NominationCreate(staff_id=staff_id, requirement_id=built.requirement.id or 0),
    )
    if accept:
        nom.decide(session, SYSTEM, n, built.event, True, None, n.version)
    return n
