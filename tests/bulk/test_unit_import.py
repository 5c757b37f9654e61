"""Units bulk upsert: parents by code (also earlier rows of the same file), scope, closure."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.units.models import Unit, UnitClosure
from tests.bulk.helpers import XLSX, by_row, csv_bytes, xlsx_bytes
from tests.conftest import ClientFor
from tests.factories import make_tree, make_unit

URL = "/api/v1/units/bulk"
HEADERS = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học", "Mã đơn vị cấp trên"]


def ancestors(session: Session, unit_id: int) -> list[int]:
    rows = session.scalars(
        select(UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id == unit_id)
        .order_by(UnitClosure.depth.desc())
    )
    return list(rows)


def unit(session: Session, code: str) -> Unit:
    found = session.scalar(select(Unit).where(Unit.external_code == code))
    assert found is not None
    return found


def test_a_new_subtree_in_one_file(client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    so = tree["so"]
    rows = [
        ["PGD-X", "Phòng GD&ĐT X", "Phòng GD&ĐT", "", so.external_code],
        ["TH-X1", "Trường Tiểu học X1", "Trường", "Tiểu học", "PGD-X"],
        ["THCS-X2", "Trường THCS X2", "Trường", "THCS; Tiểu học", "PGD-X"],
        ["DIEM-X1", "Điểm trường X1 lẻ", "Trường", "Tiểu học", "TH-X1"],
    ]
    r = client.post(URL, content=xlsx_bytes(HEADERS, rows), headers={"Content-Type": XLSX})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["created"] == 4
    office, school, leaf = unit(session, "PGD-X"), unit(session, "TH-X1"), unit(session, "DIEM-X1")
    assert office.parent_id == so.id
    assert office.kind == "district_office"
    assert school.parent_id == office.id
    assert unit(session, "THCS-X2").education_levels == ["lower_secondary", "primary"]
    # the closure table holds every ancestor, so scope checks see the new subtree
    assert ancestors(session, leaf.id or 0) == [
        *ancestors(session, so.id or 0),
        office.id,
        school.id,
        leaf.id,
    ]
    listed = client.get("/api/v1/units", params={"unit_id": office.id, "include_descendants": True})
    assert len(listed.json()["items"]) == 4

    again = client.post(URL, content=xlsx_bytes(HEADERS, rows), headers={"Content-Type": XLSX})
    assert {x["status"] for x in again.json()["rows"]} == {"unchanged"}

    rows[1][1] = "Trường Tiểu học X1 (đổi tên)"
    changed = client.post(
        URL, content=csv_bytes(HEADERS, rows), headers={"Content-Type": "text/csv"}
    )
    assert [x["status"] for x in changed.json()["rows"]] == [
        "unchanged",
        "updated",
        "unchanged",
        "unchanged",
    ]
    session.expire_all()
    renamed = session.get(Unit, school.id)
    assert renamed is not None
    assert renamed.version == 2


def test_parent_must_come_earlier_and_be_in_scope(client_for: ClientFor, session: Session) -> None:
    tree = make_tree(session)
    officer = client_for(Role.department_officer, tree["d1"])
    rows = [
        {"external_code": "C-1", "name": "Con", "kind": "school", "parent_external_code": "P-1"},
        {
            "external_code": "P-1",
            "name": "Cha",
            "kind": "school",
            "parent_external_code": tree["d1"].external_code,
        },
        {
            "external_code": "S-2",
            "name": "Sai",
            "kind": "school",
            "parent_external_code": tree["d2"].external_code,
        },
        {"external_code": "R-1", "name": "Gốc", "kind": "department"},
    ]
    r = officer.post(URL, json=rows, params={"mode": "partial"})
    assert r.status_code == 200, r.text
    out = by_row(r.json())
    assert out[1]["problem"]["code"] == "bulk_unknown_unit"
    assert out[2]["status"] == "created"
    assert out[3]["problem"]["code"] == "bulk_unknown_unit"  # the sibling office: not found
    assert out[4]["problem"]["code"] == "forbidden"  # a new root: system-wide admins only
    assert session.scalar(select(Unit.id).where(Unit.external_code == "S-2")) is None


def test_reparenting_is_left_to_move(client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    school = make_unit(session, tree["d1"])
    rows = [
        {"external_code": school.external_code, "parent_external_code": tree["d2"].external_code}
    ]
    r = client.post(URL, json=rows)
    assert r.status_code == 409
    problem = r.json()["rows"][0]["problem"]
    assert problem["code"] == "bulk_parent_changed"
    assert tree["d1"].external_code in problem["detail"]


def test_dry_run_and_atomic_write_nothing(client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    good = {
        "external_code": "N-1",
        "name": "Mới",
        "kind": "school",
        "parent_external_code": tree["d1"].external_code,
    }
    bad = {**good, "external_code": "N-2", "kind": "lâu đài"}
    assert (
        client.post(URL, json=[good], params={"dry_run": "true"}).json()["summary"]["created"] == 1
    )
    r = client.post(URL, json=[good, bad])
    assert r.status_code == 422
    assert r.json()["code"] == "bulk_invalid_rows"
    assert by_row(r.json())[2]["problem"]["code"] == "bulk_invalid_value"
    assert by_row(r.json())[2]["problem"]["field"] == "kind"
    assert session.scalar(select(Unit.id).where(Unit.external_code == "N-1")) is None
