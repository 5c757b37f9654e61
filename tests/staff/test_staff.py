"""Staff: filters, diacritics-insensitive search, transfer with history."""

import unicodedata
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.core.model_base import utcnow
from app.staff.service import unit_at
from tests.factories import auth_headers, make_staff, make_tree, make_unit, make_user


def names(resp_json: dict[str, list[dict[str, str]]]) -> set[str]:
    return {item["full_name"] for item in resp_json["items"]}


@pytest.mark.parametrize(
    "query", ["nguyen van an", "NGUYỄN VĂN AN", "an nguyen", "Nguyễn  văn", "van an"]
)
def test_name_search_ignores_case_and_diacritics(
    client: TestClient, session: Session, query: str
) -> None:
    unit = make_unit(session)
    make_staff(session, unit, full_name="Nguyễn Văn An")
    make_staff(session, unit, full_name=unicodedata.normalize("NFD", "Nguyễn Văn An"))
    make_staff(session, unit, full_name="Trần Thị Bình")
    found = client.get("/api/v1/staff", params={"q": query, "unit_id": unit.id}).json()
    assert names(found) == {"Nguyễn Văn An"}
    assert len(found["items"]) == 2


def test_search_handles_d_stroke_and_like_wildcards(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    make_staff(session, unit, full_name="Đặng Đức Độ")
    assert names(client.get("/api/v1/staff", params={"q": "dang duc do"}).json()) == {"Đặng Đức Độ"}
    assert client.get("/api/v1/staff", params={"q": "%", "unit_id": unit.id}).json()["items"] == []


def test_filters_by_subtree_category_level_and_status(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    a = make_staff(session, t["s1"], category="manager", education_level="lower_secondary")
    b = make_staff(session, t["s2"], status="retired")
    c = make_staff(session, t["thpt"], education_level="upper_secondary")

    def got(**params: object) -> set[int]:
        return {s["id"] for s in client.get("/api/v1/staff", params=params).json()["items"]}

    so = t["so"].id
    assert got(unit_id=so, include_descendants=True) == {a.id, b.id, c.id}
    assert got(unit_id=t["d1"].id, include_descendants=True) == {a.id}
    assert got(unit_id=t["d1"].id) == set()
    assert got(unit_id=so, include_descendants=True, category="manager") == {a.id}
    assert got(unit_id=so, include_descendants=True, status="retired") == {b.id}
    assert got(unit_id=so, include_descendants=True, education_level="upper_secondary") == {c.id}


@pytest.mark.parametrize("two_roots", [False, True])
def test_r_gov_2_a_scoped_subtree_list_holds_only_the_callers_people(
    client: TestClient, session: Session, two_roots: bool
) -> None:
    """R-GOV-2: a unit's subtree, listed by an officer of part of it, is narrowed to the
    officer's units (one subquery since issue 21): above the officer's root only their own
    people, beside it nobody."""
    t = make_tree(session)
    a, b = make_staff(session, t["s1"]), make_staff(session, t["s2"])
    c = make_staff(session, t["thpt"])
    roots = [t["d1"], t["thpt"]] if two_roots else [t["d1"]]
    officer = make_user(session, [(Role.department_officer, unit) for unit in roots])
    headers = auth_headers(officer)

    def got(unit: str) -> set[int]:
        params = {"unit_id": t[unit].id, "include_descendants": True}
        r = client.get("/api/v1/staff", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return {s["id"] for s in r.json()["items"]}

    assert got("so") == ({a.id, c.id} if two_roots else {a.id})
    assert got("d1") == {a.id}
    assert got("s1") == {a.id}
    assert got("d2") == set()
    assert b.id not in got("so")


def test_create_and_update_staff(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    body = {
        "external_code": "GV-9",
        "full_name": "Phạm Thu Hà",
        "unit_id": unit.id,
        "category": "teacher",
        "position": "Tổ trưởng chuyên môn",
        "subjects": ["Ngữ văn"],
        "education_level": "upper_secondary",
        "title_rank": "V.07.05.14",
        "date_of_birth": "1985-04-30",
        "gender": "female",
        "email": "ha.pt@example.edu.vn",
    }
    created = client.post("/api/v1/staff", json=body)
    assert created.status_code == 201
    url = created.headers["location"]
    r = client.patch(
        url,
        json={"full_name": "Phạm Thu Hằng", "subjects": ["Ngữ văn", "Lịch sử"]},
        headers={"If-Match": created.headers["etag"]},
    )
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert names(client.get("/api/v1/staff", params={"q": "thu hang"}).json()) == {"Phạm Thu Hằng"}
    r = client.patch(url, json={"unit_id": unit.id}, headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 422


def test_bad_title_rank_and_date_are_422(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    body = {
        "external_code": "GV-10",
        "full_name": "Lê Văn Tám",
        "unit_id": unit.id,
        "category": "teacher",
        "title_rank": "hạng 2",
        "date_of_birth": "30/04/1985",
    }
    r = client.post("/api/v1/staff", json=body)
    assert r.status_code == 422
    locs = {tuple(e["loc"]) for e in r.json()["errors"]}
    assert locs == {("body", "title_rank"), ("body", "date_of_birth")}


def test_transfer_keeps_history_and_old_attribution(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    person = make_staff(session, t["s1"])
    before = utcnow()
    url = f"/api/v1/staff/{person.id}"
    r = client.post(
        f"{url}/transfer",
        json={"unit_id": t["s2"].id, "reason": "Điều động", "decision_number": "123/QĐ-UBND"},
        headers={"If-Match": client.get(url).headers["etag"]},
    )
    assert r.status_code == 200
    assert r.json()["unit_id"] == t["s2"].id
    history = client.get(f"{url}/unit-history").json()["items"]
    assert [h["unit_id"] for h in history] == [t["s1"].id, t["s2"].id]
    assert history[0]["ended_at"] is not None
    assert history[1]["decision_number"] == "123/QĐ-UBND"
    # a record made before the transfer is still attributed to the old unit
    assert unit_at(session, person.id or 0, before) == t["s1"].id
    assert unit_at(session, person.id or 0, utcnow() + timedelta(seconds=1)) == t["s2"].id


def test_transfer_clears_head_of_old_unit(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    head = make_staff(session, t["s1"], category="manager")
    unit_url = f"/api/v1/units/{t['s1'].id}"
    client.patch(
        unit_url,
        json={"head_staff_id": head.id},
        headers={"If-Match": client.get(unit_url).headers["etag"]},
    )
    url = f"/api/v1/staff/{head.id}"
    r = client.post(
        f"{url}/transfer",
        json={"unit_id": t["s2"].id},
        headers={"If-Match": client.get(url).headers["etag"]},
    )
    assert r.status_code == 200
    assert client.get(unit_url).json()["head_staff_id"] is None


def test_transfer_to_same_or_unknown_unit_is_refused(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    person = make_staff(session, unit)
    url = f"/api/v1/staff/{person.id}"
    etag = {"If-Match": client.get(url).headers["etag"]}
    same = client.post(f"{url}/transfer", json={"unit_id": unit.id}, headers=etag)
    assert same.status_code == 409
    unknown = client.post(f"{url}/transfer", json={"unit_id": 999999}, headers=etag)
    assert unknown.status_code == 404
    assert client.get(f"{url}/unit-history").json()["items"][0]["ended_at"] is None
