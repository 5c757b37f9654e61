"""The whole flow over HTTP: submit → the authority decides → a teacher asks with a
commitment → the own unit head consents → attendance is checked. Once for a school under a
district office (the office decides), once for a school directly under the Sở (the Sở
decides); a user of another district sees neither."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.staff.models import Staff
from app.units.models import Unit
from tests.conftest import ClientFor
from tests.external.factories import COMMITMENT, event_body
from tests.factories import make_staff, make_tree

EVENTS = "/api/v1/external-events"
REQUESTS = "/api/v1/participation-requests"


def etag(response: object) -> dict[str, str]:
    return {"If-Match": response.headers["etag"]}  # type: ignore[attr-defined]


@dataclass
class Setting:
    school: Unit
    authority: Unit
    teacher: Staff
    absentee: Staff  # attends without asking
    other_district: Unit


@pytest.fixture(params=["school_under_office", "school_under_so"])
def setting(request: pytest.FixtureRequest, session: Session) -> Setting:
    t = make_tree(session)
    school, authority = (
        (t["s1"], t["d1"]) if request.param == "school_under_office" else (t["thpt"], t["so"])
    )
    return Setting(
        school, authority, make_staff(session, school), make_staff(session, school), t["d2"]
    )


def test_whole_flow_and_other_district_sees_nothing(
    setting: Setting, client_for: ClientFor, session: Session
) -> None:
    head = client_for(Role.unit_head, setting.school)
    teacher = client_for(Role.staff, setting.school, staff=setting.teacher)
    authority = client_for(Role.department_officer, setting.authority)
    outsiders = [
        client_for(Role.department_officer, setting.other_district),
        client_for(Role.unit_head, setting.other_district),
    ]

    # the school head registers an outside organiser's training held at the school
    r = head.post(EVENTS, json=event_body(setting.school), headers={"Idempotency-Key": "ev-1"})
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["authority_unit_id"] == setting.authority.id
    event_url = r.headers["location"]

    # it waits in the authority's queue, and in nobody else's
    assert event["id"] in _ids(authority.get(f"{EVENTS}/queue"))
    assert event["id"] not in _ids(head.get(f"{EVENTS}/queue"))

    # the teacher finds it and asks, with the written commitment
    assert teacher.get(event_url).status_code == 200
    r = teacher.post(
        REQUESTS,
        json={
            "external_event_id": event["id"],
            "commitment_text": COMMITMENT,
            "commitment_acknowledged": True,
        },
    )
    assert r.status_code == 201, r.text
    request_url = r.headers["location"]
    assert _ids(teacher.get(REQUESTS, params={"mine": True})) == {r.json()["id"]}

    # consent before approval is refused; the authority approves; then the head consents
    r = head.post(f"{request_url}/consent", headers=etag(head.get(request_url)))
    assert (r.status_code, r.json()["code"]) == (409, "event_not_approved")
    approval = {"document_number": "15/QĐ", "document_on": "2024-10-02", "signer_name": "B"}
    r = authority.post(
        f"{event_url}/approve", json=approval, headers=etag(authority.get(event_url))
    )
    assert r.status_code == 200, r.text
    assert event["id"] not in _ids(authority.get(f"{EVENTS}/queue"))
    r = head.post(f"{request_url}/consent", headers=etag(head.get(request_url)))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "consented"
    counts = head.get(f"{REQUESTS}/counts", params={"unit_id": setting.school.id}).json()
    assert (counts["consented"], counts["total"]) == (1, 1)

    # attendance: the teacher was allowed; a colleague who never asked was not
    r = authority.post(
        f"{event_url}/attendance-imports",
        json={
            "attendees": [
                {"staff_id": setting.teacher.id},
                {"external_code": setting.absentee.external_code},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert [row["result"] for row in r.json()["rows"]] == ["ok", "violation_created"]

    # another district sees neither the event nor the request: 404, like nothing there
    for caller in outsiders:
        assert caller.get(event_url).status_code == 404
        assert caller.get(request_url).status_code == 404
        assert event["id"] not in _ids(caller.get(EVENTS))
        assert _ids(caller.get(REQUESTS)) == set()
        r = caller.post(f"{event_url}/revoke", json={"reason": "x"}, headers={"If-Match": "*"})
        assert r.status_code == 404


def _ids(response: object) -> set[int]:
    body = response.json()  # type: ignore[attr-defined]
    return {item["id"] for item in body["items"]}


def test_teacher_withdraws_own_request(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    staff = make_staff(session, t["s1"])
    teacher = client_for(Role.staff, t["s1"], staff=staff)
    admin: TestClient = client_for(Role.admin, None)
    event = admin.post(EVENTS, json=event_body(t["s1"])).json()
    body = {
        "external_event_id": event["id"],
        "commitment_text": COMMITMENT,
        "commitment_acknowledged": True,
    }
    url = teacher.post(REQUESTS, json=body).headers["location"]
    # one live request per person and event
    r = teacher.post(REQUESTS, json=body)
    assert (r.status_code, r.json()["code"]) == (409, "participation_request_exists")
    r = teacher.post(f"{url}/withdraw", headers=etag(teacher.get(url)))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    r = teacher.post(f"{url}/withdraw", headers=etag(teacher.get(url)))
    assert r.json()["code"] == "participation_request_status_conflict"
    assert teacher.post(REQUESTS, json=body).status_code == 201  # may ask again
