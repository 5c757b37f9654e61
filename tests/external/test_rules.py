"""R-EXT-1..4, one test (or a few) per rule; each fails when the rule's enforcement goes."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.models import Role
from app.core.school_year import school_year_of
from app.external.models import ExternalEvent, ParticipationRequest
from app.violations.models import Violation, ViolationKind
from tests.conftest import ClientFor
from tests.external.factories import COMMITMENT, STARTS, event_body, make_event, make_request
from tests.factories import make_staff, make_tree, make_unit

EVENTS = "/api/v1/external-events"
REQUESTS = "/api/v1/participation-requests"
APPROVAL = {"document_number": "88/SGDĐT-GDTrH", "document_on": "2024-10-01", "signer_name": "A"}


def etag(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def approve(caller: TestClient, admin: TestClient, event_id: int) -> object:
    url = f"{EVENTS}/{event_id}"
    return caller.post(f"{url}/approve", json=APPROVAL, headers=etag(admin, url))


def violations(session: Session, event_id: int) -> int:
    stmt = select(func.count()).where(Violation.external_event_id == event_id)
    return session.scalar(stmt) or 0


# --- R-EXT-1 ------------------------------------------------------------------------------


def test_r_ext_1_only_the_competent_authority_approves(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"])
    assert event.authority_unit_id == t["d1"].id  # the school's managing unit
    # wider scope is not competence: the Sở above the office does not decide for it
    for role, unit in [
        (Role.department_officer, t["so"]),
        (Role.unit_head, t["so"]),
        (Role.unit_head, t["s1"]),
        (Role.inspector, t["d1"]),
    ]:
        r = approve(client_for(role, unit), client, event.id or 0)
        assert r.status_code == 403, (role, r.text)
        assert r.json()["code"] == "forbidden"
    r = approve(client_for(Role.department_officer, t["d1"]), client, event.id or 0)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "approved"
    assert body["approval_document_number"] == "88/SGDĐT-GDTrH"
    assert body["approval_document_on"] == "2024-10-01"


def test_r_ext_1_authority_is_the_so_for_units_under_it_and_province_wide_events(
    session: Session,
) -> None:
    t = make_tree(session)
    assert make_event(session, t["thpt"]).authority_unit_id == t["so"].id
    assert make_event(session, t["s1"], province_wide=True).authority_unit_id == t["so"].id
    assert make_event(session, t["so"]).authority_unit_id == t["so"].id


def test_r_ext_1_legal_basis_and_programme_are_required(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    body = event_body(t["s1"], organiser_registration_number=None, organiser_issuer=None)
    r = client.post(EVENTS, json=body)
    assert r.status_code == 409
    problem = r.json()
    assert problem["code"] == "organiser_legal_basis_required"
    assert problem["rule"] == "R-EXT-1"
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert locs == {("body", "organiser_registration_number"), ("body", "organiser_issuer")}
    no_agenda = {k: v for k, v in event_body(t["s1"]).items() if k != "agenda"}
    assert client.post(EVENTS, json=no_agenda).status_code == 422
    assert session.scalar(select(func.count()).select_from(ExternalEvent)) == 0


# --- R-EXT-2 ------------------------------------------------------------------------------


def test_r_ext_2_own_proposals_go_to_the_managing_unit(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    head = client_for(Role.unit_head, t["s1"])
    internal = event_body(
        t["s1"], organiser_type="internal", organiser_name=None, organiser_unit_id=t["s1"].id
    )
    r = head.post(EVENTS, json=internal)
    assert r.status_code == 201, r.text
    proposal = r.json()
    assert proposal["authority_unit_id"] == t["d1"].id
    assert proposal["organiser_name"] == t["s1"].name
    assert proposal["status"] == "submitted"
    # no self-organising: the proposing unit's head cannot approve its own proposal
    assert approve(head, client, proposal["id"]).status_code == 403
    office = client_for(Role.unit_head, t["d1"])
    assert approve(office, client, proposal["id"]).status_code == 200


def test_r_ext_2_internal_proposal_names_the_proposing_unit(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    r = client.post(EVENTS, json=event_body(t["s1"], organiser_type="internal"))
    assert r.status_code == 409
    assert r.json()["code"] == "organiser_unit_required"
    assert r.json()["rule"] == "R-EXT-2"


def test_r_ext_2_a_teacher_proposes_for_themselves(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"])
    me = client_for(Role.staff, t["s1"], staff=teacher)
    body = event_body(
        t["s1"],
        organiser_type="internal",
        organiser_unit_id=t["s1"].id,
        organiser_staff_id=teacher.id,
        title="Chuyên đề dạy học STEM do giáo viên đề xuất",
    )
    r = me.post(EVENTS, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["authority_unit_id"] == t["d1"].id
    other = make_staff(session, t["s1"])
    r = me.post(EVENTS, json={**body, "organiser_staff_id": other.id})
    assert r.status_code == 404  # a teacher sees only their own record


# --- R-EXT-3 ------------------------------------------------------------------------------


def test_r_ext_3_commitment_is_required(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"])
    event = make_event(session, t["s1"], approved=True)
    me = client_for(Role.staff, t["s1"], staff=teacher)
    base = {"external_event_id": event.id, "commitment_text": COMMITMENT}
    for body in (
        base,  # not acknowledged
        {**base, "commitment_acknowledged": False},
        {"external_event_id": event.id, "commitment_acknowledged": True},  # no text
        {**base, "commitment_text": "   ", "commitment_acknowledged": True},
    ):
        r = me.post(REQUESTS, json=body)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "commitment_required"
        assert r.json()["rule"] == "R-EXT-3"
    assert session.scalar(select(func.count()).select_from(ParticipationRequest)) == 0
    r = me.post(REQUESTS, json={**base, "commitment_acknowledged": True})
    assert r.status_code == 201, r.text
    assert r.json()["staff_id"] == teacher.id
    assert r.json()["unit_id"] == t["s1"].id


def test_r_ext_3_only_the_head_of_the_own_unit_consents(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"])
    request = make_request(session, make_event(session, t["s1"], approved=True), teacher)
    url = f"{REQUESTS}/{request.id}"
    for caller in (
        client,  # a system-wide admin is not the person's unit head
        client_for(Role.unit_head, t["d1"]),  # the head of the unit above
        client_for(Role.department_officer, t["s1"]),
        client_for(Role.unit_head, t["so"]),
    ):
        r = caller.post(f"{url}/consent", headers=etag(client, url))
        assert r.status_code == 403, r.text
    own_head = client_for(Role.unit_head, t["s1"])
    r = own_head.post(f"{url}/consent", headers=etag(client, url))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "consented"


def test_r_ext_3_consent_needs_an_approved_event(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"])
    event = make_event(session, t["s1"])
    request = make_request(session, event, teacher)
    url = f"{REQUESTS}/{request.id}"
    head = client_for(Role.unit_head, t["s1"])
    r = head.post(f"{url}/consent", headers={**etag(client, url), "Accept-Language": "vi"})
    assert r.status_code == 409
    problem = r.json()
    assert problem["code"] == "event_not_approved"
    assert problem["rule"] == "R-EXT-1"
    assert "chưa được phê duyệt" in problem["title"]
    assert approve(client_for(Role.department_officer, t["d1"]), client, event.id or 0).is_success
    assert head.post(f"{url}/consent", headers=etag(client, url)).status_code == 200


def test_r_ext_3_revoking_the_approval_lapses_consents(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"], approved=True)
    consented = make_request(session, event, make_staff(session, t["s1"]), consented=True)
    pending = make_request(session, event, make_staff(session, t["s1"]))
    url = f"{EVENTS}/{event.id}"
    office = client_for(Role.department_officer, t["d1"])
    r = office.post(f"{url}/revoke", json={"reason": "Sai phạm"}, headers=etag(client, url))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked"
    assert client.get(f"{REQUESTS}/{consented.id}").json()["lapsed_at"] is not None
    assert client.get(f"{REQUESTS}/{pending.id}").json()["lapsed_at"] is None
    counts = client.get(f"{REQUESTS}/counts", params={"external_event_id": event.id}).json()
    assert counts == {
        "submitted": 1,
        "consented": 1,
        "refused": 0,
        "withdrawn": 0,
        "lapsed": 1,
        "total": 2,
    }


# --- R-EXT-4 ------------------------------------------------------------------------------


def test_r_ext_4_attendance_import_records_attendees_without_permission(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"], approved=True)
    permitted = make_staff(session, t["s1"])
    make_request(session, event, permitted, consented=True)
    asked_only = make_staff(session, t["s1"])
    make_request(session, event, asked_only)  # asked, never consented
    walked_in = make_staff(session, make_unit(session, t["d1"]))  # another school of d1
    outsider = make_staff(session, t["s2"])  # not visible to office d1
    attendees = [
        {"staff_id": permitted.id},
        {"external_code": asked_only.external_code},
        {"staff_id": walked_in.id},
        {"staff_id": outsider.id},
        {"external_code": "KHONG-CO"},
    ]
    office = client_for(Role.department_officer, t["d1"])
    url = f"{EVENTS}/{event.id}/attendance-imports"
    r = office.post(url, json={"attendees": attendees})
    assert r.status_code == 200, r.text
    result = r.json()
    assert [row["result"] for row in result["rows"]] == [
        "ok",
        "violation_created",
        "violation_created",
        "unknown_staff",
        "unknown_staff",
    ]
    assert (result["ok"], result["violation_created"], result["unknown_staff"]) == (1, 2, 2)
    recorded = session.scalars(
        select(Violation).where(Violation.external_event_id == event.id)
    ).all()
    assert {v.staff_id for v in recorded} == {asked_only.id, walked_in.id}
    assert {v.kind for v in recorded} == {ViolationKind.unapproved_participation}
    assert {v.school_year for v in recorded} == {school_year_of(STARTS)}
    # the same list again records nobody twice
    again = office.post(url, json={"attendees": attendees}).json()
    assert again["violation_created"] == 0
    assert again["violation_exists"] == 2
    assert violations(session, event.id or 0) == 2
    # once the approval is revoked, the consent no longer covers attending
    event_url = f"{EVENTS}/{event.id}"
    office.post(f"{event_url}/revoke", json={"reason": "Thu hồi"}, headers=etag(client, event_url))
    third = office.post(url, json={"attendees": attendees[:1]}).json()
    assert third["rows"][0]["result"] == "violation_created"


def test_r_ext_4_the_database_refuses_a_duplicate_violation(session: Session) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"])
    staff = make_staff(session, t["s1"])
    row = {
        "kind": ViolationKind.unapproved_participation,
        "school_year": "2024-2025",
        "unit_id": t["s1"].id,
        "staff_id": staff.id,
        "external_event_id": event.id,
    }
    session.add(Violation(**row))
    session.flush()
    nested = session.begin_nested()
    session.add(Violation(**row))
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


def test_r_ext_4_unit_heads_record_cases_in_their_hierarchy(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    head = client_for(Role.unit_head, t["d1"])
    teacher = make_staff(session, t["s1"])
    body = {
        "kind": "unapproved_organising",
        "staff_id": teacher.id,
        "evidence": "Giáo viên tự tổ chức lớp bồi dưỡng tại nhà văn hoá khu phố.",
        "occurred_on": "2025-03-02",
    }
    r = head.post("/api/v1/violations/external", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["unit_id"], created["staff_id"]) == (t["s1"].id, teacher.id)
    assert created["school_year"] == "2024-2025"
    assert created["status"] == "open"
    # outside the hierarchy: 404 like a person who does not exist
    other = make_staff(session, t["s2"])
    assert (
        head.post("/api/v1/violations/external", json={**body, "staff_id": other.id}).status_code
        == 404
    )
    assert (
        client_for(Role.inspector, t["d1"])
        .post("/api/v1/violations/external", json=body)
        .status_code
        == 403
    )
    # attending with a standing consent is not a violation
    event = make_event(session, t["s1"], approved=True)
    make_request(session, event, teacher, consented=True)
    permitted = {
        "kind": "unapproved_participation",
        "staff_id": teacher.id,
        "external_event_id": event.id,
        "evidence": "Có mặt tại hội thảo.",
    }
    r = head.post("/api/v1/violations/external", json=permitted)
    assert r.status_code == 409
    assert r.json()["code"] == "activity_was_permitted"
    assert r.json()["rule"] == "R-EXT-4"
    r = head.post(
        "/api/v1/violations/external", json={"kind": "unapproved_participation", "evidence": "x"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "violation_subject_required"


def test_r_ext_2_an_approval_never_permits_an_activity_already_begun(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    office = client_for(Role.unit_head, t["d1"])
    begun = (date.today() - timedelta(days=30)).isoformat()
    internal = event_body(
        t["s1"],
        organiser_type="internal",
        organiser_name=None,
        organiser_unit_id=t["s1"].id,
        starts_on=begun,
        ends_on=begun,
    )
    r = client_for(Role.unit_head, t["s1"]).post(EVENTS, json=internal)
    assert r.status_code == 201, r.text
    url = f"{EVENTS}/{r.json()['id']}"
    r = approve(office, client, r.json()["id"])
    assert r.status_code == 409, r.text
    assert (r.json()["code"], r.json()["rule"]) == ("activity_already_started", "R-EXT-2")
    assert client.get(url).json()["status"] == "submitted"  # nothing written
    # recorded after the fact: on file, yet the self-organising case stays open
    r = office.post(
        f"{url}/approve", json={**APPROVAL, "after_the_fact": True}, headers=etag(client, url)
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["approved_after_start"]) == ("approved", True)
    case = {
        "kind": "unapproved_organising",
        "unit_id": t["s1"].id,
        "external_event_id": r.json()["id"],
        "evidence": "Tổ chức trước khi có văn bản đồng ý.",
    }
    r = office.post("/api/v1/violations/external", json=case)
    assert r.status_code == 201, r.text


def test_r_ext_2_approval_documents_are_not_dated_ahead(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"])
    url = f"{EVENTS}/{event.id}"
    office = client_for(Role.unit_head, t["d1"])
    ahead = {**APPROVAL, "document_on": "2099-01-01"}
    r = office.post(f"{url}/approve", json=ahead, headers=etag(client, url))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "document_on"]
    assert client.get(url).json()["status"] == "submitted"
    assert approve(office, client, event.id or 0).status_code == 200


def test_r_ext_2_text_of_invisible_characters_is_empty(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    head = client_for(Role.unit_head, t["s1"])
    for blank in ("\u200b", "\ufeff \u200d", "\u2060\u00a0"):
        r = head.post(EVENTS, json=event_body(t["s1"], title=blank))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "title"]


def test_r_ext_3_a_commitment_of_invisible_characters_is_no_commitment(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"])
    event = make_event(session, t["s1"], approved=True)
    me = client_for(Role.staff, t["s1"], staff=teacher)
    body = {
        "external_event_id": event.id,
        "commitment_text": "\u200b",
        "commitment_acknowledged": True,
    }
    r = me.post(REQUESTS, json=body)
    assert r.status_code == 409, r.text
    assert (r.json()["code"], r.json()["rule"]) == ("commitment_required", "R-EXT-3")
    assert client.get(f"{REQUESTS}?staff_id={teacher.id}").json()["items"] == []
