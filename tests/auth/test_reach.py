"""R-GOV-2: a grant reaches exactly what it names, and credentials stop with their owner."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role, RoleAssignment
from tests.bdtx.helpers import POLICY, set_policy
from tests.conftest import ClientFor
from tests.events.builders import build_event, nominate
from tests.factories import PASSWORD, auth_headers, make_staff, make_tree, make_user

E = "/api/v1/events"
MODULES = "/api/v1/bdtx/modules"


def _module(code: str, issuer: int | None) -> dict[str, object]:
    return {"code": code, "title": "Mô-đun thử", "block": "local", "periods": 10,
            "issuer_unit_id": issuer}  # fmt: skip


def test_r_gov_2_an_event_bound_organizer_reads_only_that_event(
    session: Session, client: TestClient
) -> None:
    t = make_tree(session)
    mine = build_event(session, t["so"], [t["s1"]])
    other = build_event(session, t["so"], [t["s1"]])
    draft = build_event(session, t["so"], [t["s1"]], summon=False)
    member = make_staff(session, t["s1"])
    nominate(session, mine, member.id or 0)
    stranger = make_staff(session, t["s2"])
    user = make_user(session, [])
    session.add(
        RoleAssignment(
            user_id=user.id or 0, role=Role.organizer, unit_id=t["so"].id, event_id=mine.event.id
        )
    )
    session.flush()
    bound = TestClient(client.app, headers=auth_headers(user), raise_server_exceptions=False)

    listed = bound.get(E)
    assert listed.status_code == 200
    assert {e["id"] for e in listed.json()["items"]} == {mine.event.id}
    for event in (other, draft):
        assert bound.get(f"{E}/{event.event.id}").status_code == 404
    assert bound.get(f"/api/v1/staff/{stranger.id}").status_code == 404
    assert bound.get("/api/v1/staff").json()["items"] == []
    # what the event needs is still there: the event, its sessions and its roster
    assert bound.get(f"{E}/{mine.event.id}").status_code == 200
    roster = bound.get(f"{E}/{mine.event.id}/roster")
    assert roster.status_code == 200
    assert member.id in {p["staff_id"] for p in roster.json()["items"]}
    marks = {"marks": [{"staff_id": member.id, "status": "present"}]}
    url = f"{E}/{mine.event.id}/sessions/{mine.sessions[0].id}/attendance"
    assert bound.put(url, json=marks).status_code == 200


def test_r_gov_2_province_data_changes_only_through_grants_at_the_so(
    session: Session, client: TestClient, client_for: ClientFor
) -> None:
    t = make_tree(session)
    set_policy(client)
    before = client.get(POLICY).json()["revision"]
    for unit in ("d1", "s1"):
        low = client_for(Role.department_officer, t[unit])
        assert low.get(POLICY).status_code == 200  # reads it
        r = low.put(POLICY, json={"preset": "tt17_2019"})
        assert r.status_code == 403, r.text
        assert r.json()["rule"] == "R-GOV-2"
        for issuer in (None, t["so"].id):
            r = low.post(MODULES, json=_module(f"M-{unit}-{issuer}", issuer))
            assert r.status_code == 403, r.text
        assert low.get(MODULES).status_code == 200
    assert client.get(POLICY).json()["revision"] == before  # refused requests wrote nothing
    so = client_for(Role.department_officer, t["so"])
    assert so.put(POLICY, json={"preset": "tt17_2019"}).status_code == 200
    assert so.post(MODULES, json=_module("M-SO", t["so"].id)).status_code == 201


def test_r_gov_2_a_deactivated_users_tokens_and_keys_stop_at_once(
    session: Session, client: TestClient
) -> None:
    t = make_tree(session)
    user = make_user(session, [(Role.department_officer, t["so"])])
    caller = TestClient(client.app, headers=auth_headers(user), raise_server_exceptions=False)
    created = caller.post(
        "/api/v1/api-keys", json={"name": "Khoá thử", "role": "inspector", "unit_id": t["s1"].id}
    )
    assert created.status_code == 201, created.text
    key = {"X-API-Key": created.json()["key"]}
    assert caller.get("/api/v1/me").status_code == 200
    assert caller.get("/api/v1/units", headers=key).status_code == 200
    etag = client.get(f"/api/v1/users/{user.id}").headers["etag"]
    r = client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers={"If-Match": etag}
    )
    assert r.status_code == 200, r.text
    assert caller.get("/api/v1/me").status_code == 401
    assert caller.get("/api/v1/units", headers=key).status_code == 401


def test_r_gov_2_a_password_change_ends_the_tokens_issued_before_it(
    session: Session, client: TestClient
) -> None:
    user = make_user(session, [])
    old = TestClient(client.app, headers=auth_headers(user), raise_server_exceptions=False)
    etag = old.get(f"/api/v1/users/{user.id}").headers["etag"]
    r = old.patch(
        f"/api/v1/users/{user.id}",
        json={"password": "mat-khau-moi-1234"},
        headers={"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert old.get("/api/v1/me").status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
        ).status_code
        == 401
    )
    fresh = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": "mat-khau-moi-1234"}
    )
    assert fresh.status_code == 200, fresh.text
    new = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=new).json()["user"]["id"] == user.id
