"""R-GOV-1: nobody decides their own case. One shared policy (app.auth.deciders) for every
decision about a person; a head's own case goes to the head of the managing unit, who finds
it in their lists."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.staff.models import Staff
from app.units.models import Unit
from tests.bdtx.helpers import YEAR, B, act, catalogue, credit, evaluation, set_policy
from tests.bulk.helpers import XLSX, xlsx_bytes
from tests.conftest import ClientFor
from tests.events.builders import build_event, nominate
from tests.external.factories import make_event, make_request
from tests.factories import make_staff, make_tree

REQUESTS = "/api/v1/participation-requests"


def _heads(
    session: Session, client_for: ClientFor
) -> tuple[dict[str, Unit], Staff, TestClient, TestClient]:
    """A school whose head is on record, that head's client and the office head's."""
    t = make_tree(session)
    head = make_staff(session, t["s1"], category="manager", education_level="lower_secondary")
    t["s1"].head_staff_id = head.id
    office_head = make_staff(session, t["d1"], category="manager")
    t["d1"].head_staff_id = office_head.id
    session.flush()
    me = client_for(Role.unit_head, t["s1"], staff=head)
    above = client_for(Role.unit_head, t["d1"], staff=office_head)
    return t, head, me, above


def _ids(client: TestClient, url: str) -> set[int]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return {row["id"] for row in r.json()["items"]}


def _own_case(r: Any) -> None:
    assert r.status_code == 403, r.text
    assert (r.json()["code"], r.json()["rule"]) == ("own_case", "R-GOV-1")


def test_r_gov_1_participation_consent_goes_to_the_managing_unit(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t, head, me, above = _heads(session, client_for)
    request = make_request(session, make_event(session, t["s1"], approved=True), head)
    url = f"{REQUESTS}/{request.id}"
    _own_case(me.post(f"{url}/consent", headers={"If-Match": me.get(url).headers["etag"]}))
    assert request.id in _ids(above, f"{REQUESTS}?status=submitted")  # in the office's queue
    r = above.post(f"{url}/consent", headers={"If-Match": above.get(url).headers["etag"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "consented"


def test_r_gov_1_personal_plan_approval_goes_to_the_managing_unit(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    _, head, me, above = _heads(session, client_for)
    set_policy(client)
    mods = catalogue(session)
    r = me.post(
        f"{B}/personal-plans",
        json={
            "staff_id": head.id,
            "school_year": YEAR,
            "module_codes": [mods[k].code for k in ("M1", "L1", "E1")],
            "self_evaluation": evaluation(),
        },
    )
    assert r.status_code == 201, r.text
    url = f"{B}/personal-plans/{r.json()['id']}"
    assert act(me, url, "submit").status_code == 200
    _own_case(act(me, url, "approve", {}))
    assert r.json()["id"] in _ids(above, f"{B}/personal-plans?status=submitted")
    r = act(above, url, "approve", {})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"


def test_r_gov_1_self_study_inspection_is_not_by_the_learner(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    _, head, me, above = _heads(session, client_for)
    set_policy(client)
    mods = catalogue(session)
    r = me.post(
        f"{B}/self-study",
        json={
            "staff_id": head.id,
            "school_year": YEAR,
            "module_code": mods["E1"].code,
            "periods": 40,
            "description": "Tự bồi dưỡng",
            "evidence_url": "https://lms.example.vn/minh-chung/9",
        },
    )
    assert r.status_code == 201, r.text
    url = f"{B}/self-study/{r.json()['id']}"
    _own_case(act(me, url, "inspect", {"approved": True, "note": "Đạt"}))
    assert r.json()["id"] in _ids(above, f"{B}/self-study?status=submitted")
    r = act(above, url, "inspect", {"approved": True, "note": "Đạt yêu cầu"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"


def test_r_gov_1_a_heads_self_study_is_not_inspected_by_their_own_school(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t, head, me, _ = _heads(session, client_for)
    set_policy(client)
    mods = catalogue(session)
    r = me.post(
        f"{B}/self-study",
        json={
            "staff_id": head.id,
            "school_year": YEAR,
            "module_code": mods["E1"].code,
            "periods": 40,
            "description": "Tự bồi dưỡng",
            "evidence_url": "https://lms.example.vn/minh-chung/11",
        },
    )
    assert r.status_code == 201, r.text
    url = f"{B}/self-study/{r.json()['id']}"
    # an inspector of the head's own school is someone the head manages
    school = client_for(Role.inspector, t["s1"])
    assert act(school, url, "inspect", {"approved": True, "note": "Đạt"}).status_code == 403
    assert client.get(url).json()["status"] == "submitted"  # nothing written
    office = client_for(Role.inspector, t["d1"])
    r = act(office, url, "inspect", {"approved": True, "note": "Đạt yêu cầu"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"


def test_r_gov_1_result_finalisation_is_not_by_the_person(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    officer = make_staff(session, t["s1"], education_level="lower_secondary")
    admin = client_for(Role.admin, None, staff=officer)  # a system-wide admin who also teaches
    set_policy(client)
    mods = catalogue(session)
    credit(session, officer, mods["M1"].code)
    r = client.post(f"{B}/results", json={"staff_id": officer.id, "school_year": YEAR})
    assert r.status_code == 201, r.text
    url = f"{B}/results/{r.json()['id']}"
    _own_case(act(admin, url, "finalise"))
    office = client_for(Role.unit_head, t["d1"])
    r = act(office, url, "finalise")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "finalised"


def test_r_gov_1_a_heads_own_absence_letter_goes_up(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t, head, me, above = _heads(session, client_for)
    built = build_event(session, t["so"], [t["s1"]])
    nominate(session, built, head.id or 0)
    r = me.post(
        "/api/v1/absence-excuses",
        json={
            "session_id": built.sessions[0].id,
            "staff_id": head.id,
            "reason": "Dự họp Hội đồng nhân dân xã",
            "attachment_ref": "giay-moi.pdf",
        },
    )
    assert r.status_code == 201, r.text
    url = r.headers["location"]
    _own_case(me.post(f"{url}/confirm", json={}, headers={"If-Match": r.headers["etag"]}))
    assert r.json()["id"] in _ids(above, "/api/v1/absence-excuses?status=submitted")
    ok = above.post(f"{url}/confirm", json={}, headers={"If-Match": r.headers["etag"]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "confirmed"


def test_r_gov_1_an_organiser_on_the_roster_does_not_mark_themself(
    client_for: ClientFor, session: Session
) -> None:
    """A mark decides whether an absence becomes a violation: an organiser who is also a
    participant is marked by another organiser (or checks in), by PUT and by sheet alike."""
    t = make_tree(session)
    built = build_event(session, t["d1"], [t["d1"], t["s1"]], quota=5)
    officer = make_staff(session, t["d1"])
    other = make_staff(session, t["s1"])
    for person in (officer, other):
        nominate(session, built, person.id or 0)
    me = client_for(Role.department_officer, t["d1"], staff=officer)
    colleague = client_for(Role.department_officer, t["d1"])
    url = f"/api/v1/events/{built.event.id}/sessions/{built.sessions[0].id}/attendance"
    both = {"marks": [{"staff_id": other.id, "status": "present"}]}
    both["marks"].append({"staff_id": officer.id, "status": "present"})
    r = me.put(url, json=both)
    _own_case(r)
    assert r.json()["errors"][0]["loc"] == ["body", "marks", 1, "staff_id"]
    matrix = colleague.get(f"/api/v1/events/{built.event.id}/attendance").json()
    for row in matrix["participants"]:  # nothing written, not even the other person's row
        assert set(row["marks"].values()) == {None}
    sheet = xlsx_bytes(
        ["STT", "Mã định danh", "Họ và tên", "Điểm danh"],
        [[1, officer.external_code, officer.full_name, "Có mặt"]],
    )
    r = me.post(f"{url}/bulk", content=sheet, headers={"Content-Type": XLSX})
    assert r.status_code == 409, r.text  # refused by a rule, as the sheet's other refusals
    assert r.json()["errors"][0]["code"] == "own_case"
    assert colleague.put(url, json=both).status_code == 200


def test_r_gov_1_nobody_dismisses_a_violation_recorded_against_themself(
    client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    officer = make_staff(session, t["so"])
    me = client_for(Role.department_officer, t["so"], staff=officer)
    colleague = client_for(Role.department_officer, t["so"])
    r = colleague.post(
        "/api/v1/violations",
        json={
            "kind": "unexcused_absence",
            "unit_id": t["so"].id,
            "staff_id": officer.id,
            "evidence": "Vắng buổi tập huấn không có giấy phép",
        },
    )
    assert r.status_code == 201, r.text
    url = r.headers["location"]
    body = {"reason": "Đã có giấy mời họp cấp trên"}
    _own_case(me.post(f"{url}/dismiss", json=body, headers={"If-Match": r.headers["etag"]}))
    ok = colleague.post(f"{url}/dismiss", json=body, headers={"If-Match": r.headers["etag"]})
    assert ok.status_code == 200, ok.text


def test_r_gov_1_an_organiser_does_not_accept_their_own_nomination(
    client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    built = build_event(session, t["so"], [t["so"]], quota=2)
    officer = make_staff(session, t["so"])
    nomination = nominate(session, built, officer.id or 0, accept=False)
    me = client_for(Role.department_officer, t["so"], staff=officer)
    colleague = client_for(Role.department_officer, t["so"])
    url = f"/api/v1/nominations/{nomination.id}"
    etag = {"If-Match": me.get(url).headers["etag"]}
    _own_case(me.post(f"{url}/accept", json={}, headers=etag))
    assert colleague.post(f"{url}/accept", json={}, headers=etag).status_code == 200
