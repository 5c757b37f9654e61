"""Keyset pagination: no duplicates or gaps while rows are inserted between pages."""

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session

from app.core.model_base import utcnow
from app.staff.models import Staff
from tests.factories import make_tree


def _bulk_staff(session: Session, unit_ids: list[int], n: int, prefix: str) -> None:
    now = utcnow()
    rows = [
        {
            "external_code": f"{prefix}{i:06d}",
            "full_name": f"Giáo viên {i}",
            "name_search": f"giao vien {i}",
            "unit_id": unit_ids[i % len(unit_ids)],
            "category": "teacher",
            "subjects": [],
            "status": "active",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    session.execute(insert(Staff), rows)
    session.flush()


def test_paging_10000_staff_of_a_subtree_while_inserting(
    client: TestClient, session: Session
) -> None:
    t = make_tree(session)
    inside = [t["s1"].id or 0, t["s2"].id or 0, t["thpt"].id or 0]
    _bulk_staff(session, inside, 10_000, "P")
    expected = {s for (s,) in session.execute(Staff.__table__.select().with_only_columns(Staff.id))}

    seen: list[int] = []
    params: dict[str, object] = {"unit_id": t["so"].id, "include_descendants": True, "limit": 500}
    page_no = 0
    while True:
        body = client.get("/api/v1/staff", params=params).json()
        seen.extend(item["id"] for item in body["items"])
        page_no += 1
        # other clients keep adding people inside the subtree while we page
        _bulk_staff(session, inside, 7, f"N{page_no:03d}-")
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)), "a row was returned twice"
    assert expected <= set(seen), "a row that existed before paging was skipped"
    assert seen == sorted(seen)


def test_limit_is_bounded_as_the_contract_says(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    _bulk_staff(session, [t["s1"].id or 0], 520, "L")
    body = client.get("/api/v1/staff", params={"limit": 500}).json()
    assert len(body["items"]) == 500
    assert body["next_cursor"]
    assert len(client.get("/api/v1/staff").json()["items"]) == 50
    for limit in (0, 501, 10_000):  # the contract's maximum is 500: beyond it is refused
        r = client.get("/api/v1/staff", params={"limit": limit})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "limit"]


def test_bad_cursor_is_422_problem(client: TestClient) -> None:
    for bad in ("not-a-cursor", "eyJpZCI6ICJ4In0", "W10"):
        r = client.get("/api/v1/staff", params={"cursor": bad})
        assert r.status_code == 422, bad
        assert r.json()["code"] == "invalid_cursor"
