"""Reminders: each once per subject and step, however often the scan runs (issue 20)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import utcnow
from app.events.models import Nomination
from app.notify.models import Notification
from app.notify.worker import scan_reminders
from tests.events.builders import build_event, nominate
from tests.factories import make_staff, make_tree, make_user


def _kinds(session: Session, user: Any) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(n.kind, n.step) for n in rows]


def test_nomination_deadline_reminds_head_of_unfilled_unit_once_per_step(
    session: Session,
) -> None:
    tree = make_tree(session)
    head = make_user(session, [(Role.unit_head, tree["s1"])])
    now = utcnow()
    build_event(session, tree["so"], [tree["s1"]], deadline=now + timedelta(days=2, hours=12))
    scan_reminders(session, now, force=True)
    scan_reminders(session, now + timedelta(minutes=5), force=True)
    assert _kinds(session, head) == [("reminder_nomination_deadline", "d3")]
    scan_reminders(session, now + timedelta(days=2), force=True)  # a day left: the next step
    assert _kinds(session, head) == [
        ("reminder_nomination_deadline", "d3"),
        ("reminder_nomination_deadline", "d1"),
    ]


def test_full_quota_gets_no_deadline_reminder(session: Session) -> None:
    tree = make_tree(session)
    head = make_user(session, [(Role.unit_head, tree["s1"])])
    staff = make_staff(session, tree["s1"])

    built = build_event(session, tree["so"], [tree["s1"]], quota=1)
    nominate(session, built, staff.id or 0)
    scan_reminders(session, utcnow() + timedelta(days=4), force=True)
    assert _kinds(session, head) == []


def test_session_tomorrow_reminds_participants_once(session: Session) -> None:
    tree = make_tree(session)
    staff = make_staff(session, tree["s1"])
    person = make_user(session, [], staff=staff)

    start = utcnow() + timedelta(days=3)
    built = build_event(session, tree["so"], [tree["s1"]], start=start, n_sessions=1)
    nominate(session, built, staff.id or 0)
    assert session.scalar(select(Nomination).where(Nomination.staff_id == staff.id))
    scan_reminders(session, start - timedelta(days=2), force=True)
    assert _kinds(session, person) == []
    scan_reminders(session, start - timedelta(hours=20), force=True)
    scan_reminders(session, start - timedelta(hours=2), force=True)
    assert _kinds(session, person) == [("reminder_session_tomorrow", "tomorrow")]


def test_scan_runs_at_most_once_a_minute_across_workers(session: Session) -> None:
    tree = make_tree(session)
    head = make_user(session, [(Role.unit_head, tree["s1"])])
    now = utcnow()
    scan_reminders(session, now, force=True)
    build_event(session, tree["so"], [tree["s1"]], deadline=now + timedelta(days=1))
    assert scan_reminders(session, now + timedelta(seconds=10)) == 0  # too soon
    assert scan_reminders(session, now + timedelta(minutes=2)) == 1
    assert _kinds(session, head) == [("reminder_nomination_deadline", "d1")]
