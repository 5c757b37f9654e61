"""A Sở training of 500 participants and 6 sessions, draft to closed, over HTTP only."""

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import utcnow
from app.units.models import UnitKind
from app.violations.models import Violation
from tests.conftest import ClientFor
from tests.factories import make_staff, make_unit

SCHOOLS, PER_SCHOOL, SESSIONS = 10, 50, 6


def test_event_of_500_participants_and_6_sessions_from_draft_to_closed(
    session: Session, client_for: ClientFor
) -> None:
    so = make_unit(session, kind=UnitKind.department, name="Sở GD&ĐT Bình Phước")
    offices = [make_unit(session, so, UnitKind.district_office) for _ in range(2)]
    schools = [make_unit(session, offices[i % 2]) for i in range(SCHOOLS)]
    teachers = {
        s.id: [make_staff(session, s, subjects=["Toán"]).id for _ in range(PER_SCHOOL)]
        for s in schools
    }
    heads = {
        s.id: client_for(Role.unit_head, s, staff=make_staff(session, s, category="manager"))
        for s in schools
    }
    org = client_for(Role.department_officer, so)

    # draft: event, six sessions, one requirement for every school under the Sở
    r = org.post(
        "/api/v1/events",
        json={
            "kind": "training",
            "organizer_unit_id": so.id,
            "school_year": "2024-2025",
            "title": "Bồi dưỡng giáo viên dạy môn Toán theo chương trình GDPT 2018",
            "nomination_deadline": (utcnow() + timedelta(days=3)).isoformat(),
            "bdtx_module_code": "GVPT-TOAN-01",
            "bdtx_periods": 24,
        },
    )
    assert r.status_code == 201
    event_url = r.headers["location"]
    start = utcnow() - timedelta(days=2)  # over, so the event may close (R-ATT-3)
    session_ids = []
    for k in range(SESSIONS):
        s_start = start + timedelta(hours=4 * k)
        r = org.post(
            f"{event_url}/sessions",
            json={
                "title": f"Buổi {k + 1}",
                "starts_at": s_start.isoformat(),
                "ends_at": (s_start + timedelta(hours=3)).isoformat(),
            },
        )
        session_ids.append(r.json()["id"])
    r = org.post(
        f"{event_url}/requirements",
        json={
            "under_unit_id": so.id,
            "unit_kinds": ["school"],
            "categories": ["teacher"],
            "subjects": ["Toán"],
            "quota": PER_SCHOOL,
            "quota_mode": "exactly",
        },
    )
    assert r.status_code == 201
    requirement_id = r.json()["id"]
    assert len(r.json()["targets"]) == SCHOOLS
    r = org.post(
        f"{event_url}/summon",
        json={"summons_number": "45/GTT-SGDĐT"},
        headers={"If-Match": org.get(event_url).headers["etag"]},
    )
    assert r.json()["status"] == "summoned"

    # each principal nominates their fifty; the organisers accept
    for school_id, ids in teachers.items():
        head = heads[school_id]
        assert head.get(f"{event_url}/to-fill").json()["items"][0]["remaining"] == PER_SCHOOL
        for staff_id in ids:
            n = head.post(
                f"{event_url}/nominations",
                json={"staff_id": staff_id, "requirement_id": requirement_id},
            )
            assert n.status_code == 201, n.text
            a = org.post(
                f"/api/v1/nominations/{n.json()['id']}/accept",
                json={},
                headers={"If-Match": n.headers["etag"]},
            )
            assert a.status_code == 200
    everyone = [i for ids in teachers.values() for i in ids]
    assert len(org.get(f"{event_url}/roster").json()["items"]) == 500

    # attendance: 20 absent from session 3, 10 leave session 5 early, some arrive late
    absent = set(everyone[::25])
    left = set(everyone[1::50])
    for k, sid in enumerate(session_ids):
        marks = []
        for i, staff_id in enumerate(everyone):
            state = "late" if i % 7 == 0 else "present"
            if k == 2 and staff_id in absent:
                state = "absent"
            if k == 4 and staff_id in left:
                state = "left_early"
            marks.append({"staff_id": staff_id, "status": state})
        r = org.put(f"{event_url}/sessions/{sid}/attendance", json={"marks": marks})
        assert r.status_code == 200

    # half of the absentees bring a letter their principal confirms
    excused = set(everyone[::50])
    unit_of = {staff_id: sch for sch, ids in teachers.items() for staff_id in ids}
    for staff_id in excused:
        head = heads[unit_of[staff_id]]
        r = head.post(
            "/api/v1/absence-excuses",
            json={
                "session_id": session_ids[2],
                "staff_id": staff_id,
                "reason": "Ốm có giấy của bệnh viện",
            },
        )
        assert r.status_code == 201
        c = head.post(
            f"{r.headers['location']}/confirm", json={}, headers={"If-Match": r.headers["etag"]}
        )
        assert c.status_code == 200

    # close: only the unexcused absences become violations; completers get 24 periods
    r = org.post(f"{event_url}/close", headers={"If-Match": org.get(event_url).headers["etag"]})
    assert r.status_code == 200
    assert r.json()["violations_created"] == len(absent - excused) == 10
    assert r.json()["credits_created"] == 500 - len(absent) - len(left) == 470
    event_id = r.json()["event"]["id"]
    rows = session.scalars(select(Violation).where(Violation.event_id == event_id)).all()
    assert {v.staff_id for v in rows} == absent - excused
    assert all(v.unit_id == unit_of[v.staff_id] for v in rows)

    report = org.get(f"/api/v1/reports/events/{event_id}/attendance").json()
    assert report["totals"]["participants"] == 500
    assert report["totals"]["unexcused"] == 10
    assert report["totals"]["excused"] == 10
    assert len(report["units"]) == SCHOOLS
    xlsx = org.get(f"/api/v1/reports/events/{event_id}/attendance", params={"format": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    assert (sheet["A3"].value, sheet["B3"].value) == ("STT", "Đơn vị")
    assert sheet.freeze_panes == "C4"
    csv = org.get(
        f"/api/v1/reports/events/{event_id}/attendance", headers={"Accept": "text/csv"}
    ).content.decode("utf-8-sig")
    assert csv.splitlines()[-1].startswith("Tổng cộng,500,3000")

    # a principal sees their own school only
    own = heads[schools[0].id].get(f"/api/v1/reports/events/{event_id}/attendance").json()
    assert [u["unit_id"] for u in own["units"]] == [schools[0].id]
