"""Reminders computed from deadlines: each is a Draft whose ``step`` names the threshold
(``d3``, ``d1``, ``tomorrow``, ``pending``, ``escalated``), so a scan that runs every minute
still sends each reminder once per subject and step (the notification's unique key).
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from app.bdtx.models import PersonalPlan
from app.bdtx.policy import PolicyRules
from app.bdtx.service import current_policy, year_rules
from app.core.config import get_settings
from app.core.model_base import utcnow
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    Event,
    EventSession,
    EventStatus,
    Nomination,
    Requirement,
    RequirementTarget,
)
from app.external.models import ExternalEvent, ParticipationRequest
from app.notify.feed import _when
from app.notify.kinds import KINDS
from app.notify.recipients import parent_of, unit_heads, users_of_staff
from app.notify.service import Draft

ACTIVE = ("proposed", "accepted")


def _step(left: timedelta, days: list[int]) -> str | None:
    """The tightest threshold already reached: 2.5 days left of [3, 1] is ``d3``."""
    reached = [d for d in sorted(days) if left <= timedelta(days=d)]
    return f"d{reached[0]}" if reached else None


def nomination_deadlines(session: Session, now: datetime) -> Iterator[Draft]:
    """A summoned unit whose quota is not filled, N days before the nomination deadline."""
    days = get_settings().reminder_nomination_days
    horizon = now + timedelta(days=max(days, default=0))
    rows = session.execute(
        select(Event.id, Event.title, Event.nomination_deadline, RequirementTarget.unit_id)
        .join(Requirement, Requirement.event_id == Event.id)
        .join(RequirementTarget, RequirementTarget.requirement_id == Requirement.id)
        .where(
            Event.status == EventStatus.summoned,
            Event.nomination_deadline > now,
            Event.nomination_deadline <= horizon,
            RequirementTarget.used < RequirementTarget.quota,
        )
        .distinct()
    ).all()
    heads = unit_heads(session, [r.unit_id for r in rows])
    for event_id, title, deadline, unit_id in rows:
        step = _step(deadline - now, days)
        if step is None:
            continue
        body = (
            f"Đơn vị chưa cử đủ người tham dự «{title}». "
            f"Hạn cử người: {_when(deadline.isoformat())}."
        )
        yield Draft(
            "reminder_nomination_deadline",
            f"event:{event_id}:unit:{unit_id}",
            KINDS["reminder_nomination_deadline"],
            body,
            heads.get(unit_id, set()),
            step=step,
            data={"event_id": event_id, "unit_id": unit_id},
        )


def sessions_tomorrow(session: Session, now: datetime) -> Iterator[Draft]:
    """Participants (live nominations, people summoned by name) a day before a session."""
    rows = session.execute(
        select(EventSession.id, EventSession.starts_at, Event.id, Event.title, Event.location)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            Event.status.in_((EventStatus.summoned, EventStatus.in_progress)),
            EventSession.starts_at > now,
            EventSession.starts_at <= now + timedelta(days=1),
        )
    ).all()
    for session_id, starts_at, event_id, title, location in rows:
        nominated = select(Nomination.staff_id).where(
            Nomination.event_id == event_id, Nomination.status.in_(ACTIVE)
        )
        named = select(Requirement.staff_id).where(
            Requirement.event_id == event_id, Requirement.staff_id.is_not(None)
        )
        staff = set(session.scalars(nominated)) | set(session.scalars(named))
        where = f" tại {location}" if location else ""
        body = f"Buổi học của «{title}» bắt đầu lúc {_when(starts_at.isoformat())}{where}."
        yield Draft(
            "reminder_session_tomorrow",
            f"session:{session_id}",
            KINDS["reminder_session_tomorrow"],
            body,
            set(users_of_staff(session, staff).values()),
            step="tomorrow",
            data={"event_id": event_id, "session_id": session_id},
        )


MAX_GRACE_DAYS = 60  # the policy's upper bound (app.bdtx.policy)


def excuse_windows(session: Session, now: datetime) -> Iterator[Draft]:
    """Marked absent with no excuse, the last day of the excuse window (R-ATT-2): the grace
    days are each event's school-year policy, so candidates are read over the widest window
    a policy allows and kept where their own year's window closes within a day."""
    widest = timedelta(days=MAX_GRACE_DAYS)
    excused = select(AbsenceExcuse.id).where(
        AbsenceExcuse.session_id == AttendanceMark.session_id,
        AbsenceExcuse.staff_id == AttendanceMark.staff_id,
    )
    found = session.execute(
        select(
            AttendanceMark.staff_id,
            EventSession.id,
            EventSession.ends_at,
            Event.title,
            Event.school_year,
        )
        .join(EventSession, EventSession.id == AttendanceMark.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            AttendanceMark.status == "absent",
            ~excused.exists(),
            EventSession.ends_at > now - widest,
            EventSession.ends_at <= now + timedelta(days=1),
        )
    ).all()
    grace = {
        year: timedelta(days=year_rules(session, year).excuse_grace_days)
        for year in {r.school_year for r in found}
    }
    rows = [r for r in found if now < r.ends_at + grace[r.school_year] <= now + timedelta(days=1)]
    users = users_of_staff(session, [r.staff_id for r in rows])
    for staff_id, session_id, ends_at, title, year in rows:
        closes = ends_at + grace[year]
        body = (
            f"Thầy/cô vắng buổi học của «{title}» chưa có đơn xin vắng. "
            f"Hạn nộp đơn: {_when(closes.isoformat())}."
        )
        yield Draft(
            "reminder_excuse_window",
            f"session:{session_id}:staff:{staff_id}",
            KINDS["reminder_excuse_window"],
            body,
            {users[staff_id]} if staff_id in users else set(),
            step="closing",
        )


def plan_deadlines(session: Session, now: datetime) -> Iterator[Draft]:
    """A personal plan not approved N days before the year's deadline: to its owner, and
    when it waits for a decision, to the unit head."""
    days = get_settings().reminder_plan_days
    years = session.scalars(
        select(PersonalPlan.school_year).where(PersonalPlan.status != "approved").distinct()
    )
    for year in list(years):
        policy = current_policy(session, year)
        if policy is None:
            continue
        deadline = PolicyRules.model_validate(policy.rules).plan_deadline(year)
        left = datetime.combine(deadline, datetime.min.time(), tzinfo=now.tzinfo) - now
        step = _step(left, days) if left > timedelta(0) else None
        if step is None:
            continue
        plans = session.execute(
            select(
                PersonalPlan.id, PersonalPlan.staff_id, PersonalPlan.unit_id, PersonalPlan.status
            ).where(PersonalPlan.school_year == year, PersonalPlan.status != "approved")
        ).all()
        owners = users_of_staff(session, [p.staff_id for p in plans])
        heads = unit_heads(session, [p.unit_id for p in plans if p.status == "submitted"])
        for plan_id, staff_id, unit_id, status in plans:
            users = {owners[staff_id]} if staff_id in owners else set()
            users |= heads.get(unit_id, set())
            body = (
                f"Kế hoạch BDTX cá nhân năm học {year} chưa được duyệt; "
                f"hạn {deadline.strftime('%d/%m/%Y')}."
            )
            yield Draft(
                "reminder_plan_deadline",
                f"plan:{plan_id}",
                KINDS["reminder_plan_deadline"],
                body,
                users,
                step=step,
                data={"plan_id": plan_id, "status": status},
            )


def _pending(
    session: Session, subject: str, unit_id: int, since: datetime, now: datetime, what: str
) -> Iterator[Draft]:
    """To the deciders after N days, to the unit above after 2N."""
    wait = timedelta(days=get_settings().reminder_decision_days)
    if now - since < wait:
        return
    body = f"{what} đang chờ quyết định từ {since.strftime('%d/%m/%Y')}."
    kind = "reminder_decision_pending"
    yield Draft(
        kind, subject, KINDS[kind], body, unit_heads(session, [unit_id])[unit_id], step="pending"
    )
    above = parent_of(session, unit_id)
    if now - since >= 2 * wait and above is not None:
        heads = unit_heads(session, [above])[above]
        yield Draft(kind, subject, KINDS[kind], body, heads, step="escalated")


def decisions_pending(session: Session, now: datetime) -> Iterator[Draft]:
    cutoff = now - timedelta(days=get_settings().reminder_decision_days)
    requests = session.execute(
        select(
            ParticipationRequest.id, ParticipationRequest.unit_id, ParticipationRequest.created_at
        ).where(
            ParticipationRequest.status == "submitted", ParticipationRequest.created_at <= cutoff
        )
    ).all()
    for request_id, unit_id, since in requests:
        yield from _pending(
            session,
            f"participation:{request_id}",
            unit_id,
            since,
            now,
            "Một đề nghị tham gia sự kiện",
        )
    events = session.execute(
        select(ExternalEvent.id, ExternalEvent.authority_unit_id, ExternalEvent.created_at).where(
            ExternalEvent.status == "submitted", ExternalEvent.created_at <= cutoff
        )
    ).all()
    for event_id, unit_id, since in events:
        yield from _pending(
            session, f"external_event:{event_id}", unit_id, since, now, "Một sự kiện bên ngoài"
        )
    plans = session.execute(
        select(PersonalPlan.id, PersonalPlan.unit_id, PersonalPlan.submitted_at).where(
            PersonalPlan.status == "submitted", PersonalPlan.submitted_at <= cutoff
        )
    ).all()
    for plan_id, unit_id, since in plans:
        what = "Một kế hoạch BDTX cá nhân"
        yield from _pending(session, f"plan:{plan_id}", unit_id, since, now, what)


SCANS = (nomination_deadlines, sessions_tomorrow, excuse_windows, plan_deadlines, decisions_pending)


def scan(session: Session, now: datetime | None = None) -> list[Draft]:
    moment = now or utcnow()
    return [draft for run in SCANS for draft in run(session, moment)]
