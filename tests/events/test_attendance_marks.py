"""R-ATT-1 marks written in bulk: every mark still reaches the audit log and the change feed.

Sixty participants: on PostgreSQL the new marks go through COPY (``app.bulk.engine``), the
path the 2,000-participant bench figure takes.
"""

from sqlalchemy import select
from sqlmodel import Session

from app.audit.models import AuditLog
from app.auth.models import Role
from app.changes.models import Change
from app.core.driver import MANY
from app.events.models import AttendanceMark, Event
from tests.conftest import ClientFor
from tests.events.builders import build_event, nominate
from tests.factories import make_staff, make_tree

E = "/api/v1/events"
N = 60


def _audit(session: Session, request_id: str) -> list[AuditLog]:
    stmt = select(AuditLog).where(
        AuditLog.request_id == request_id, AuditLog.target_type == "attendance_mark"
    )
    return list(session.scalars(stmt.order_by(AuditLog.target_id)))


def test_bulk_marks_are_stored_audited_and_fed(session: Session, client_for: ClientFor) -> None:
    assert N >= MANY
    t = make_tree(session)
    built = build_event(session, t["so"], [t["s1"]], quota=N)
    people = [make_staff(session, t["s1"]) for _ in range(N)]
    for person in people:
        nominate(session, built, person.id or 0)
    organiser = client_for(Role.department_officer, t["so"])
    session_id = built.sessions[0].id
    url = f"{E}/{built.event.id}/sessions/{session_id}/attendance"

    marks = [{"staff_id": p.id, "status": "present"} for p in people]
    r = organiser.put(url, json={"marks": marks}, headers={"X-Request-ID": "marks-1"})
    assert r.status_code == 200, r.text
    assert [(m["staff_id"], m["status"]) for m in r.json()["items"]] == [
        (p.id, "present") for p in people
    ]
    session.expire_all()
    stored = {
        m.staff_id: m
        for m in session.scalars(
            select(AttendanceMark).where(AttendanceMark.session_id == session_id)
        )
    }
    assert set(stored) == {p.id for p in people}
    assert {m.unit_id for m in stored.values()} == {t["s1"].id}
    assert session.get(Event, built.event.id).status == "in_progress"  # type: ignore[union-attr]
    created = _audit(session, "marks-1")
    assert [(a.change, a.target_id) for a in created] == [
        ("create", m.id) for m in sorted(stored.values(), key=lambda m: m.id or 0)
    ]
    assert all(a.after and a.after["status"] == "present" for a in created)
    assert {a.target_unit_id for a in created} == {t["s1"].id}
    fed = session.scalars(select(Change.resource_id).where(Change.resource == "attendance_mark"))
    assert set(fed) == {m.id for m in stored.values()}

    # re-marking updates in place; the same person twice in one request: the last mark wins
    first = people[0].id
    again = [{"staff_id": first, "status": "absent"}, {"staff_id": first, "status": "late"}]
    r = organiser.put(url, json={"marks": again}, headers={"X-Request-ID": "marks-2"})
    assert r.status_code == 200, r.text
    assert [m["status"] for m in r.json()["items"]] == ["late", "late"]
    session.expire_all()
    rows = session.scalars(
        select(AttendanceMark).where(
            AttendanceMark.session_id == session_id, AttendanceMark.staff_id == first
        )
    ).all()
    assert [(m.id, m.status) for m in rows] == [(stored[first].id, "late")]
    [updated] = _audit(session, "marks-2")
    assert updated.change == "update"
    assert updated.target_id == stored[first].id
    assert (updated.before or {})["status"] == "present"
    assert (updated.after or {})["status"] == "late"


def test_a_refused_marking_writes_no_mark(session: Session, client_for: ClientFor) -> None:
    t = make_tree(session)
    built = build_event(session, t["so"], [t["s1"]], quota=N)
    people = [make_staff(session, t["s1"]) for _ in range(N)]
    for person in people[:-1]:
        nominate(session, built, person.id or 0)
    organiser = client_for(Role.department_officer, t["so"])
    url = f"{E}/{built.event.id}/sessions/{built.sessions[0].id}/attendance"
    marks = [{"staff_id": p.id, "status": "present"} for p in people]  # the last is no member
    assert organiser.put(url, json={"marks": marks}).status_code == 409
    session.expire_all()
    assert not session.scalars(
        select(AttendanceMark).where(AttendanceMark.event_id == built.event.id)
    ).all()
