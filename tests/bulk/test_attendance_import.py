"""A session's attendance marks from the organisers' sheet (R-ATT-1)."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import LOCAL_TZ, utcnow
from app.events.models import AttendanceMark, EventStatus
from tests.bulk.helpers import XLSX, by_row, xlsx_bytes
from tests.conftest import ClientFor
from tests.events.builders import Built, build_event, nominate
from tests.factories import make_staff, make_tree

HEADERS = ["STT", "Mã định danh", "Họ và tên", "Điểm danh", "Giờ đến", "Ghi chú"]


PAST = utcnow() - timedelta(days=1)


def url(built: Built, n: int = 0) -> str:
    return f"/api/v1/events/{built.event.id}/sessions/{built.sessions[n].id}/attendance/bulk"


def marks(session: Session, built: Built) -> dict[int, AttendanceMark]:
    found = session.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id == built.sessions[0].id)
    )
    return {m.staff_id: m for m in found}


def test_organiser_marks_a_session_from_a_sheet(client_for: ClientFor, session: Session) -> None:
    tree = make_tree(session)
    built = build_event(session, tree["d1"], [tree["s1"]], quota=5)
    people = [make_staff(session, tree["s1"]) for _ in range(3)]
    for p in people:
        nominate(session, built, p.id or 0)
    stranger = make_staff(session, tree["s1"])
    organiser = client_for(Role.department_officer, tree["d1"])
    rows = [
        [1, people[0].external_code, people[0].full_name, "Có mặt", "15/03/2025 07:45", None],
        [2, people[1].external_code, people[1].full_name, "Đi muộn", None, "Tắc đường"],
        [3, people[2].external_code, people[2].full_name, "Vắng", None, None],
    ]
    r = organiser.post(
        url(built), content=xlsx_bytes(HEADERS, rows), headers={"Content-Type": XLSX}
    )
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["created"] == 3
    got = marks(session, built)
    assert got[people[0].id or 0].status == "present"
    assert got[people[0].id or 0].check_in_at == datetime(2025, 3, 15, 7, 45, tzinfo=LOCAL_TZ)
    assert got[people[1].id or 0].note == "Tắc đường"
    session.refresh(built.event)
    assert built.event.status == EventStatus.in_progress

    # re-marking: one changed, one the same; a person not on the roster is a row error
    rows[2][3] = "Có mặt"
    rows.append([4, stranger.external_code, stranger.full_name, "Có mặt", None, None])
    r = organiser.post(
        url(built),
        params={"mode": "partial"},
        content=xlsx_bytes(HEADERS, rows),
        headers={"Content-Type": XLSX},
    )
    out = by_row(r.json())
    assert [out[n]["status"] for n in (2, 3, 4)] == ["unchanged", "unchanged", "updated"]
    assert out[5]["problem"]["code"] == "not_on_roster"
    session.expire_all()
    assert marks(session, built)[people[2].id or 0].status == "present"
    assert stranger.id not in marks(session, built)


def test_same_rules_as_marking(client_for: ClientFor, client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    # one session, already over: once marked, the event may close (R-ATT-3)
    built = build_event(session, tree["d1"], [tree["s1"]], n_sessions=1, start=PAST)
    person = make_staff(session, tree["s1"])
    nominate(session, built, person.id or 0)
    row = [{"staff_external_code": person.external_code, "status": "present"}]
    # the summoned school's head sees the event but does not organise it: 403
    head = client_for(Role.unit_head, tree["s1"]).post(url(built), json=row)
    assert head.status_code == 403
    assert head.json()["code"] == "not_organizer"
    # the sibling office does not see the event at all: 404
    assert (
        client_for(Role.department_officer, tree["d2"]).post(url(built), json=row).status_code
        == 404
    )
    # not after close
    assert client.post(url(built), json=row).status_code == 200
    etag = client.get(f"/api/v1/events/{built.event.id}").headers["etag"]
    closed = client.post(f"/api/v1/events/{built.event.id}/close", headers={"If-Match": etag})
    assert closed.status_code == 200, closed.text
    late = client.post(url(built), json=row)
    assert late.status_code == 409
    assert late.json()["code"] == "event_wrong_status"
