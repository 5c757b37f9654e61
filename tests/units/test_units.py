"""Units: tree, filters, move with history, delete rules."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.units.models import Unit
from tests.factories import SYSTEM, make_staff, make_tree, make_unit


def ids(resp_json: dict[str, list[dict[str, int]]]) -> set[int]:
    return {item["id"] for item in resp_json["items"]}


def if_match(client: TestClient, url: str) -> dict[str, str]:
    return {"If-Match": client.get(url).headers["etag"]}


def test_create_read_and_location(client: TestClient, session: Session) -> None:
    parent = make_unit(session)
    body = {
        "external_code": "THCS-01",
        "name": "Trường THCS Lê Quý Đôn",
        "kind": "school",
        "education_levels": ["lower_secondary"],
        "parent_id": parent.id,
    }
    r = client.post("/api/v1/units", json=body)
    assert r.status_code == 201
    created = r.json()
    assert created["version"] == 1
    assert r.headers["etag"] == '"1"'
    fetched = client.get(r.headers["location"]).json()
    assert fetched == created


def test_duplicate_external_code_is_409(client: TestClient, session: Session) -> None:
    make_unit(session, external_code="DUP-1")
    r = client.post("/api/v1/units", json={"external_code": "DUP-1", "name": "X", "kind": "other"})
    assert r.status_code == 409
    assert r.json()["code"] == "external_code_taken"


def test_unknown_parent_is_404_naming_the_field(client: TestClient) -> None:
    body = {"external_code": "P-1", "name": "X", "kind": "school", "parent_id": 999999}
    r = client.post("/api/v1/units", json=body)
    assert r.status_code == 404
    assert r.json()["errors"][0]["loc"] == ["body", "parent_id"]


def test_list_filters_parent_kind_and_subtree(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    so = t["so"].id
    children = client.get("/api/v1/units", params={"parent_id": so}).json()
    assert ids(children) == {t["d1"].id, t["d2"].id, t["thpt"].id}
    subtree = client.get(
        "/api/v1/units", params={"unit_id": t["d1"].id, "include_descendants": True}
    ).json()
    assert ids(subtree) == {t["d1"].id, t["s1"].id}
    only = client.get("/api/v1/units", params={"unit_id": t["d1"].id}).json()
    assert ids(only) == {t["d1"].id}
    offices = client.get(
        "/api/v1/units",
        params={"unit_id": so, "include_descendants": True, "kind": "district_office"},
    ).json()
    assert ids(offices) == {t["d1"].id, t["d2"].id}


def test_move_reparents_the_whole_subtree_and_keeps_history(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    # 2025: district office A is abolished; its school goes under office B
    url = f"/api/v1/units/{t['d1'].id}/move"
    body = {"new_parent_id": t["d2"].id, "reason": "Sắp xếp đơn vị hành chính 2025"}
    r = client.post(url, json=body, headers=if_match(client, f"/api/v1/units/{t['d1'].id}"))
    assert r.status_code == 200
    assert r.json()["parent_id"] == t["d2"].id
    under_d2 = client.get(
        "/api/v1/units", params={"unit_id": t["d2"].id, "include_descendants": True}
    ).json()
    assert ids(under_d2) == {t["d2"].id, t["s2"].id, t["d1"].id, t["s1"].id}
    history = client.get(f"/api/v1/units/{t['d1'].id}/moves").json()["items"]
    assert len(history) == 1
    assert history[0]["from_parent_id"] == t["so"].id
    assert history[0]["to_parent_id"] == t["d2"].id
    assert history[0]["reason"] == "Sắp xếp đơn vị hành chính 2025"


def test_move_into_own_subtree_is_refused(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    url = f"/api/v1/units/{t['d1'].id}"
    for target in (t["s1"].id, t["d1"].id):
        r = client.post(
            f"{url}/move",
            json={"new_parent_id": target, "reason": "thử"},
            headers=if_match(client, url),
        )
        assert r.status_code == 409
        assert r.json()["code"] == "unit_move_cycle"
    assert client.get(url).json()["parent_id"] == t["so"].id


def test_delete_refused_with_children_or_staff(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    url = f"/api/v1/units/{t['d1'].id}"
    r = client.delete(url, headers=if_match(client, url))
    assert r.status_code == 409
    assert r.json()["code"] == "unit_has_children"
    make_staff(session, t["s1"])
    url = f"/api/v1/units/{t['s1'].id}"
    r = client.delete(url, headers=if_match(client, url))
    assert r.status_code == 409
    assert r.json()["code"] == "unit_has_staff"


def test_delete_leaf_unit(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    url = f"/api/v1/units/{t['s2'].id}"
    assert client.delete(url, headers=if_match(client, url)).status_code == 204
    assert client.get(url).status_code == 404
    subtree = client.get(
        "/api/v1/units", params={"unit_id": t["so"].id, "include_descendants": True}
    ).json()
    assert t["s2"].id not in ids(subtree)


def test_patch_cannot_reparent_or_touch_server_fields(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    url = f"/api/v1/units/{t['s1'].id}"
    for field, value in (("parent_id", t["d2"].id), ("version", 9), ("created_at", "2020-01-01")):
        r = client.patch(url, json={field: value}, headers=if_match(client, url))
        assert r.status_code == 422, field
        assert ["body", field] in [e["loc"] for e in r.json()["errors"]]
    assert client.get(url).json()["parent_id"] == t["d1"].id


def test_patch_refuses_null_for_required_fields(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    url = f"/api/v1/units/{unit.id}"
    r = client.patch(url, json={"name": None}, headers=if_match(client, url))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "name"]


def test_head_must_be_staff_of_the_unit(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    outsider = make_staff(session, t["s2"])
    member = make_staff(session, t["s1"])
    url = f"/api/v1/units/{t['s1'].id}"
    r = client.patch(url, json={"head_staff_id": outsider.id}, headers=if_match(client, url))
    assert r.status_code == 409
    assert r.json()["code"] == "unit_head_not_member"
    r = client.patch(url, json={"head_staff_id": member.id}, headers=if_match(client, url))
    assert r.status_code == 200
    assert r.json()["head_staff_id"] == member.id


def test_closure_table_depths_after_move(session: Session) -> None:
    from sqlalchemy import select

    from app.units.models import UnitClosure
    from app.units.schemas import UnitMoveRequest
    from app.units.service import move_unit

    t = make_tree(session)
    new_root = make_unit(session, name="Sở sau sáp nhập")
    d1: Unit = t["d1"]
    move_unit(
        session, SYSTEM, t["so"], UnitMoveRequest(new_parent_id=new_root.id, reason="Sáp nhập"), 1
    )
    rows = session.exec(
        select(UnitClosure.ancestor_id, UnitClosure.depth).where(
            UnitClosure.descendant_id == t["s1"].id
        )
    ).all()
    assert dict(rows) == {t["s1"].id: 0, d1.id: 1, t["so"].id: 2, new_root.id: 3}
