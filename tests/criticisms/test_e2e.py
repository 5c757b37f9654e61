"""Issue 6 end to end, over HTTP only: a Sở training where two schools have unexcused
absences, closed; a criticism letter to each school; the emulation report counts them."""

import io
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import utcnow
from app.units.models import UnitKind
from tests.conftest import ClientFor
from tests.factories import make_staff, make_unit

YEAR = "2024-2025"
NAMES = {
    "a": ["Nguyễn Thị Ánh", "Trần Văn Bảo", "Lê Thị Cúc"],
    "b": ["Phạm Minh Đức", "Hoàng Thị Én", "Võ Văn Giàu"],
    "c": ["Đặng Thu Hà", "Bùi Quốc Khánh", "Đỗ Thị Lan"],
}


def if_match(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def setup_training(org: TestClient, so_id: int, school_ids: list[int]) -> tuple[str, Any, Any]:
    """Draft → summoned: a training of two sessions summoning three teachers per school."""
    r = org.post(
        "/api/v1/events",
        json={
            "kind": "training",
            "organizer_unit_id": so_id,
            "school_year": YEAR,
            "title": "Tập huấn dạy học phát triển phẩm chất, năng lực học sinh",
            "nomination_deadline": (utcnow() + timedelta(days=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    url = r.headers["location"]
    start = utcnow() - timedelta(days=2)  # over by the time the Sở closes it (R-ATT-3)
    sessions = []
    for k in range(2):
        begin = start + timedelta(hours=4 * k)
        body = {
            "title": f"Buổi {k + 1}",
            "starts_at": begin.isoformat(),
            "ends_at": (begin + timedelta(hours=3)).isoformat(),
        }
        sessions.append(org.post(f"{url}/sessions", json=body).json()["id"])
    r = org.post(f"{url}/requirements", json={"unit_ids": school_ids, "quota": 4})
    assert r.status_code == 201, r.text
    requirement = r.json()["id"]
    r = org.post(
        f"{url}/summon", json={"summons_number": "88/GTT-SGDĐT"}, headers=if_match(org, url)
    )
    assert r.json()["status"] == "summoned"
    return url, sessions, requirement


def test_training_absences_to_letters_to_emulation_report(
    session: Session, client_for: ClientFor
) -> None:
    so = make_unit(session, kind=UnitKind.department, name="Sở Giáo dục và Đào tạo Bình Phước")
    office = make_unit(session, so, UnitKind.district_office, name="Phòng GD&ĐT Đồng Xoài")
    schools = {
        "a": make_unit(session, office, name="Trường THCS Tân Phú"),
        "b": make_unit(session, so, name="Trường THPT Đồng Xoài"),
        "c": make_unit(session, office, name="Trường THCS Tân Bình"),
    }
    people = {
        k: [make_staff(session, s, full_name=n).id for n in NAMES[k]] for k, s in schools.items()
    }
    heads = {
        k: client_for(Role.unit_head, s, staff=make_staff(session, s, category="manager"))
        for k, s in schools.items()
    }
    org = client_for(Role.department_officer, so)
    url, sessions, requirement = setup_training(org, so.id or 0, [s.id for s in schools.values()])

    # the principals nominate their three teachers; the Sở accepts
    for k, ids in people.items():
        for staff_id in ids:
            n = heads[k].post(
                f"{url}/nominations", json={"staff_id": staff_id, "requirement_id": requirement}
            )
            assert n.status_code == 201, n.text
            a = org.post(
                f"/api/v1/nominations/{n.json()['id']}/accept",
                json={},
                headers={"If-Match": n.headers["etag"]},
            )
            assert a.status_code == 200, a.text

    # school a: Ánh misses session 1, Bảo both; school b: Đức misses session 2 and Én
    # misses session 1 with a letter her principal confirms; school c attends everything
    absent = {
        sessions[0]: {people["a"][0], people["a"][1], people["b"][1]},
        sessions[1]: {people["a"][1], people["b"][0]},
    }
    everyone = [i for ids in people.values() for i in ids]
    for sid in sessions:
        marks = [
            {"staff_id": i, "status": "absent" if i in absent[sid] else "present"} for i in everyone
        ]
        r = org.put(f"{url}/sessions/{sid}/attendance", json={"marks": marks})
        assert r.status_code == 200, r.text
    excuse = heads["b"].post(
        "/api/v1/absence-excuses",
        json={"session_id": sessions[0], "staff_id": people["b"][1], "reason": "Ốm, nằm viện"},
    )
    assert excuse.status_code == 201, excuse.text
    confirmed = heads["b"].post(
        f"{excuse.headers['location']}/confirm",
        json={},
        headers={"If-Match": excuse.headers["etag"]},
    )
    assert confirmed.status_code == 200, confirmed.text

    # close: the unexcused absences become violations (R-ATT-3): 3 at school a, 1 at b
    r = org.post(f"{url}/close", headers=if_match(org, url))
    assert r.status_code == 200, r.text
    assert r.json()["violations_created"] == 4
    event_id = r.json()["event"]["id"]

    def open_violations(key: str) -> list[int]:
        r = org.get(
            "/api/v1/violations",
            params={"unit_id": schools[key].id, "event_id": event_id, "status": "open"},
        )
        return [v["id"] for v in r.json()["items"]]

    found = {k: open_violations(k) for k in schools}
    assert [len(found[k]) for k in "abc"] == [3, 1, 0]

    # a letter to each school (R-VIO-1); school a is proposed for the emulation review
    letters = {}
    for k, propose in (("a", True), ("b", False)):
        r = org.post(
            "/api/v1/criticisms",
            json={
                "issuing_unit_id": so.id,
                "recipient_unit_id": schools[k].id,
                "school_year": YEAR,
                "violation_ids": found[k],
                "subject": "phê bình đơn vị có giáo viên vắng tập huấn không phép",
                "body": "Đơn vị có giáo viên vắng tập huấn không có đơn xin phép được xác nhận.",
                "propose_emulation": propose,
                "place": "Bình Phước",
                "signer_name": "Lê Văn Đức",
            },
        )
        assert r.status_code == 201, r.text
        issued = org.post(f"{r.headers['location']}/issue", headers={"If-Match": r.headers["etag"]})
        assert issued.status_code == 200, issued.text
        letters[k] = issued.json()
    assert [letters[k]["document_number"] for k in "ab"] == ["01/SGDĐT", "02/SGDĐT"]
    assert open_violations("a") == open_violations("b") == []

    # the emulation report of the Sở: its own row, the office (a + c rolled up), school b
    report = org.get(
        "/api/v1/reports/emulation", params={"school_year": YEAR, "unit_id": so.id}
    ).json()
    assert report["school_year"] == YEAR
    rows = {r["unit_id"]: r for r in report["units"]}
    assert [r["unit_id"] for r in report["units"]] == [so.id, office.id, schools["b"].id]
    expected = {  # unexcused, cited, letters, proposing
        so.id: (0, 0, 0, 0),
        office.id: (3, 3, 1, 1),
        schools["b"].id: (1, 1, 1, 0),
    }
    for unit_id, counts in expected.items():
        row = rows[unit_id]
        got = (
            row["unexcused_absence"],
            row["violations_cited"],
            row["letters_received"],
            row["letters_proposing_emulation"],
        )
        assert got == counts, (unit_id, row)
    assert rows[office.id]["proposed_for_emulation_review"] is True
    assert rows[schools["b"].id]["proposed_for_emulation_review"] is False
    totals = report["totals"]
    assert (totals["violations"], totals["letters_received"]) == (4, 2)
    assert totals["letters_proposing_emulation"] == 1

    # drilling into the office: school a carries its letter, school c has nothing
    office_report = org.get(
        "/api/v1/reports/emulation", params={"school_year": YEAR, "unit_id": office.id}
    ).json()
    by_unit = {r["unit_id"]: r for r in office_report["units"]}
    assert by_unit[schools["a"].id]["letters_received"] == 1
    assert by_unit[schools["a"].id]["unexcused_absence"] == 3
    assert by_unit[schools["c"].id]["violations"] == 0

    # the same report as CSV and XLSX, with Vietnamese headers and totals
    csv = org.get(
        "/api/v1/reports/emulation",
        params={"school_year": YEAR, "unit_id": so.id},
        headers={"Accept": "text/csv"},
    )
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Đơn vị,Phạm vi,Năm học,Vắng không phép")
    assert lines[-1].startswith("Tổng cộng,,,4,0,0,0,4,4,2,1")
    xlsx = org.get(
        "/api/v1/reports/emulation",
        params={"school_year": YEAR, "unit_id": so.id, "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert "2024-2025" in str(sheet["A1"].value)
    assert (sheet["A3"].value, sheet["B3"].value) == ("STT", "Đơn vị")

    # compliance: 9 of 12 places filled; 13 of 18 marks attended; 4 unexcused absences
    compliance = org.get(
        "/api/v1/reports/compliance", params={"school_year": YEAR, "unit_id": so.id}
    ).json()
    t = compliance["totals"]
    assert (t["quota"], t["nominated"], t["nomination_fill_rate"]) == (12, 9, 0.75)
    assert (t["attendance_marks"], t["attended"]) == (18, 13)
    assert t["attendance_rate"] == round(13 / 18, 4)
    assert (t["unexcused_absences"], t["violations"]) == (4, 4)

    # the principal of school a reads the letter, and the printed copy names the teachers
    head_a = heads["a"]
    mine = head_a.get("/api/v1/criticisms").json()["items"]
    assert [m["id"] for m in mine] == [letters["a"]["id"]]
    pdf = head_a.get(f"/api/v1/criticisms/{letters['a']['id']}/document")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    for name in ("Nguyễn Thị Ánh", "Trần Văn Bảo", "Kính gửi: Trường THCS Tân Phú"):
        assert name in text
    # and the school's own emulation row agrees
    own = head_a.get("/api/v1/reports/emulation", params={"school_year": YEAR}).json()
    assert [(r["unit_id"], r["letters_received"]) for r in own["units"]] == [(schools["a"].id, 1)]
