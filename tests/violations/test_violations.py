"""Violations by hand, listing with filters, and review: dismiss (with a reason) and close."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.violations.models import ViolationKind, ViolationStatus
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree
from tests.violations.factories import make_violation

V = "/api/v1/violations"


def etag(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def test_officer_and_unit_head_record_violations_with_evidence_in_their_scope(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    teacher = make_staff(session, t["s1"], full_name="Phạm Thị Hoa")
    officer = client_for(Role.department_officer, t["so"])
    r = officer.post(
        V,
        json={
            "kind": "unapproved_participation",
            "unit_id": t["s1"].id,
            "staff_id": teacher.id,
            "evidence": "Ảnh chụp danh sách tham dự hội thảo ngày 12/10/2024.",
            "occurred_on": "2024-10-12",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["school_year"], body["staff_id"]) == (
        "open",
        "2024-2025",
        teacher.id,
    )
    assert r.headers["location"] == f"{V}/{body['id']}"
    assert r.headers["etag"] == '"1"'

    head = client_for(Role.unit_head, t["s1"], staff=make_staff(session, t["s1"]))
    own = {"kind": "nomination_mismatch", "unit_id": t["s1"].id, "evidence": "Cử sai môn."}
    assert head.post(V, json=own).status_code == 201
    # another school is outside the head's units: not found, like a unit that does not exist
    other = head.post(V, json={**own, "unit_id": t["s2"].id})
    assert (other.status_code, other.json()["code"]) == (404, "unknown_reference")
    # evidence is required
    assert officer.post(V, json={**own, "evidence": ""}).status_code == 422
    inspector = client_for(Role.inspector, t["so"])
    assert inspector.post(V, json=own).status_code == 403


def test_the_same_absence_is_recorded_once(client: TestClient, session: Session) -> None:
    from tests.events.builders import build_event

    t = make_tree(session)
    built = build_event(session, t["so"], [t["s1"]])
    teacher = make_staff(session, t["s1"])
    body = {
        "kind": "unexcused_absence",
        "unit_id": t["s1"].id,
        "staff_id": teacher.id,
        "event_id": built.event.id,
        "session_id": built.sessions[0].id,
        "evidence": "Biên bản điểm danh buổi 1.",
    }
    first = client.post(V, json=body)
    assert first.status_code == 201, first.text
    assert first.json()["school_year"] == built.event.school_year
    again = client.post(V, json=body)
    assert (again.status_code, again.json()["code"]) == (409, "violation_duplicate")
    # a session of another event is not a session of this one
    other = build_event(session, t["so"], [t["s1"]])
    bad = client.post(V, json={**body, "session_id": other.sessions[0].id})
    assert bad.status_code == 404
    assert bad.json()["errors"][0]["loc"] == ["body", "session_id"]


def test_r_gov_2_a_scoped_subtree_list_holds_only_the_callers_violations(
    client_for: ClientFor, session: Session
) -> None:
    """R-GOV-2: a subtree listed by an officer of part of it is narrowed to the officer's
    units (one subquery since issue 21); their own violation stays visible within it."""
    t = make_tree(session)
    me = make_staff(session, t["s2"])
    mine = make_violation(session, t["s2"], staff=me)
    a, b = make_violation(session, t["s1"]), make_violation(session, t["s2"])
    officer = client_for(Role.department_officer, t["d1"])
    own = client_for(Role.department_officer, t["d1"], staff=me)

    def ids(who: TestClient, unit: str) -> set[int | None]:
        params = {"unit_id": t[unit].id, "include_descendants": True, "limit": 500}
        r = who.get(V, params=params)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert ids(officer, "so") == {a.id}
    assert ids(officer, "d1") == {a.id}
    assert ids(officer, "d2") == set()
    assert ids(own, "so") == {a.id, mine.id}
    assert ids(own, "d2") == {mine.id}
    assert b.id not in ids(own, "so")


def test_list_filters_by_unit_subtree_kind_status_and_year(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    a = make_violation(session, t["s1"])
    b = make_violation(session, t["d1"], kind=ViolationKind.unapproved_organising)
    c = make_violation(session, t["s2"], status=ViolationStatus.cited)
    d = make_violation(session, t["s1"], school_year="2023-2024")

    def ids(**params: object) -> set[int | None]:
        r = client.get(V, params={"limit": 500, **params})
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert ids(unit_id=t["d1"].id) == {b.id}
    assert ids(unit_id=t["d1"].id, include_descendants=True) == {a.id, b.id, d.id}
    assert ids(unit_id=t["so"].id, include_descendants=True, status="cited") == {c.id}
    assert ids(unit_id=t["so"].id, include_descendants=True, school_year="2023-2024") == {d.id}
    assert ids(unit_id=t["so"].id, include_descendants=True, kind="unapproved_organising") == {b.id}


def test_scope_hides_other_units_violations(session: Session, client_for: ClientFor) -> None:
    t = make_tree(session)
    mine = make_violation(session, t["s1"])
    theirs = make_violation(session, t["s2"])
    head = client_for(Role.unit_head, t["s1"], staff=make_staff(session, t["s1"]))
    listed = {i["id"] for i in head.get(V).json()["items"]}
    assert mine.id in listed
    assert theirs.id not in listed
    assert head.get(f"{V}/{theirs.id}").status_code == 404


def test_dismiss_needs_a_reason(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    violation = make_violation(session, t["s1"])
    url = f"{V}/{violation.id}"
    for body in (None, {}, {"reason": ""}, {"reason": "   "}):
        r = client.post(f"{url}/dismiss", json=body, headers=etag(client, url))
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert client.get(url).json()["status"] == "open"

    r = client.post(
        f"{url}/dismiss",
        json={"reason": "Đã có đơn xin phép được xác nhận"},
        headers=etag(client, url),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["dismissed_reason"]) == (
        "dismissed",
        "Đã có đơn xin phép được xác nhận",
    )
    again = client.post(f"{url}/dismiss", json={"reason": "Lần nữa"}, headers=etag(client, url))
    assert (again.status_code, again.json()["code"], again.json()["rule"]) == (
        409,
        "violation_wrong_status",
        "R-VIO-1",
    )


def test_dismiss_and_close_need_if_match_and_a_reviewer(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    violation = make_violation(session, t["s1"])
    url = f"{V}/{violation.id}"
    officer = client_for(Role.department_officer, t["d1"])
    missing = officer.post(f"{url}/dismiss", json={"reason": "Nhầm"})
    assert missing.status_code == 428
    stale = officer.post(f"{url}/dismiss", json={"reason": "Nhầm"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    # the criticised unit never reviews its own violations
    head = client_for(Role.unit_head, t["s1"], staff=make_staff(session, t["s1"]))
    r = head.post(f"{url}/dismiss", json={"reason": "Nhầm"}, headers=etag(officer, url))
    assert r.status_code == 403


def test_close_only_a_cited_violation(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    open_one = make_violation(session, t["s1"])
    cited = make_violation(session, t["s1"], status=ViolationStatus.cited)
    url = f"{V}/{open_one.id}"
    r = client.post(f"{url}/close", headers=etag(client, url))
    assert (r.status_code, r.json()["code"]) == (409, "violation_wrong_status")
    url = f"{V}/{cited.id}"
    r = client.post(f"{url}/close", headers=etag(client, url))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
