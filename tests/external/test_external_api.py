"""External events and participation requests over HTTP: edits, decisions, filters, audit."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from tests.conftest import ClientFor
from tests.external.factories import event_body, make_event, make_request
from tests.factories import make_staff, make_tree

EVENTS = "/api/v1/external-events"
REQUESTS = "/api/v1/participation-requests"


def if_match(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def ids(response: object) -> set[int]:
    return {i["id"] for i in response.json()["items"]}  # type: ignore[attr-defined]


def test_submission_changes_until_decided_and_authority_follows_the_host(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    url = f"{EVENTS}/{make_event(session, t['s1']).id}"
    assert client.patch(url, json={"title": "Hội thảo mới"}).status_code == 428
    r = client.patch(url, json={"host_unit_id": t["thpt"].id}, headers=if_match(client, url))
    assert r.status_code == 200, r.text
    assert r.json()["authority_unit_id"] == t["so"].id
    r = client.patch(url, json={"province_wide": True}, headers=if_match(client, url))
    assert r.json()["authority_unit_id"] == t["so"].id
    r = client.patch(
        url,
        json={"starts_on": "2025-09-10", "ends_on": "2025-09-11"},
        headers=if_match(client, url),
    )
    assert r.json()["school_year"] == "2025-2026"
    r = client.patch(url, json={"ends_on": "2025-09-01"}, headers=if_match(client, url))
    assert (r.status_code, r.json()["code"]) == (409, "external_event_dates_invalid")
    r = client.post(
        f"{url}/reject", json={"reason": "Thiếu giấy phép"}, headers=if_match(client, url)
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["rejection_reason"]) == ("rejected", "Thiếu giấy phép")
    r = client.patch(url, json={"title": "Sửa sau khi từ chối"}, headers=if_match(client, url))
    assert (r.status_code, r.json()["code"]) == (409, "external_event_status_conflict")
    r = client.post(f"{url}/revoke", json={"reason": "x"}, headers=if_match(client, url))
    assert r.status_code == 409
    stale = client.post(f"{url}/reject", json={"reason": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412


def test_requests_for_rejected_events_are_refused(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    event = make_event(session, t["s1"])
    url = f"{EVENTS}/{event.id}"
    client.post(f"{url}/reject", json={"reason": "Không phù hợp"}, headers=if_match(client, url))
    body = {
        "external_event_id": event.id,
        "staff_id": make_staff(session, t["s1"]).id,
        "commitment_text": "Cam kết",
        "commitment_acknowledged": True,
    }
    r = client.post(REQUESTS, json=body, headers={"Accept-Language": "en"})
    assert r.status_code == 409
    assert r.json()["code"] == "event_not_approved"
    assert r.json()["detail"].startswith(f"Event {event.id} is rejected")


def test_list_filters_and_counts(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    at_s1 = make_event(session, t["s1"], approved=True)
    at_s2 = make_event(session, t["s2"])
    at_thpt = make_event(session, t["thpt"])
    assert ids(client.get(EVENTS, params={"status": "approved"})) == {at_s1.id}
    office = {"unit_id": t["d1"].id, "include_descendants": True}
    assert ids(client.get(EVENTS, params=office)) == {at_s1.id}
    assert ids(client.get(EVENTS, params={"authority_unit_id": t["so"].id})) == {at_thpt.id}
    assert ids(client.get(f"{EVENTS}/queue")) == {at_s2.id, at_thpt.id}
    first = make_request(session, at_s1, make_staff(session, t["s1"]), consented=True)
    make_request(session, at_s2, make_staff(session, t["s2"]))
    assert ids(client.get(REQUESTS, params=office)) == {first.id}
    assert ids(client.get(REQUESTS, params={"status": "consented"})) == {first.id}
    counts = client.get(f"{REQUESTS}/counts").json()
    assert (counts["submitted"], counts["consented"], counts["total"]) == (1, 1, 2)
    assert client.get(REQUESTS, params={"mine": True}).json()["items"] == []


def test_school_head_sees_events_aimed_at_the_school_from_above(
    client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    district_wide = make_event(session, t["d1"])
    province_wide = make_event(session, t["thpt"], province_wide=True)
    elsewhere = make_event(session, t["s2"])
    head = client_for(Role.unit_head, t["s1"])
    seen = ids(head.get(EVENTS))
    assert {district_wide.id, province_wide.id} <= seen
    assert elsewhere.id not in seen


def test_submissions_are_audited_under_the_host_unit(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    t = make_tree(session)
    r = client.post(EVENTS, json=event_body(t["s1"]))
    inspector = client_for(Role.inspector, t["d1"])
    log = inspector.get(
        "/api/v1/audit-log", params={"target_type": "external_event", "target_id": r.json()["id"]}
    ).json()["items"]
    assert [(e["change"], e["target_unit_id"]) for e in log] == [("create", t["s1"].id)]


def test_the_authority_queue_comes_with_counts(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    begun = (date.today() - timedelta(days=3)).isoformat()
    waiting = make_event(session, t["s1"])
    started = make_event(session, t["s1"], starts_on=begun, ends_on=begun)
    make_event(session, t["s1"], approved=True)
    make_event(session, t["s2"])  # another office's authority: neither listed nor counted
    office = client_for(Role.unit_head, t["d1"])
    r = office.get(f"{EVENTS}/queue")
    assert r.status_code == 200, r.text
    assert {e["id"] for e in r.json()["items"]} == {waiting.id, started.id}
    counts = r.json()["counts"]
    assert (counts["submitted"], counts["approved"], counts["rejected"]) == (2, 1, 0)
    assert (counts["started"], counts["total"]) == (1, 3)
