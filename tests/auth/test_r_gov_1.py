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
