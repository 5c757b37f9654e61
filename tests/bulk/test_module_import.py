"""BDTX catalogue modules bulk upsert by code."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.bdtx.models import BdtxModule
from tests.bulk.helpers import XLSX, by_row, xlsx_bytes
from tests.conftest import ClientFor
from tests.factories import make_tree

URL = "/api/v1/bdtx/modules/bulk"
HEADERS = ["Mã mô-đun", "Tên mô-đun", "Khối", "Số tiết", "Đối tượng", "Cấp học", "Ghi chú"]


def module(session: Session, code: str) -> BdtxModule:
    found = session.scalar(select(BdtxModule).where(BdtxModule.code == code))
    assert found is not None
    return found


def test_modules_from_a_sheet_then_unchanged_then_updated(
    client: TestClient, session: Session
) -> None:
    rows = [
        ["BM-01", "Mô-đun GVPT 01", "ministry", 10, "Giáo viên", "THCS; THPT", "x"],
        ["BM-02", "Mô-đun CBQL 02", "ministry", "15", "CBQL", "", None],
    ]
    r = client.post(URL, content=xlsx_bytes(HEADERS, rows), headers={"Content-Type": XLSX})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["created"] == 2
    assert r.json()["ignored_columns"] == ["Ghi chú"]
    one = module(session, "BM-01")
    assert one.categories == ["teacher"]
    assert one.education_levels == ["lower_secondary", "upper_secondary"]
    assert module(session, "BM-02").periods == 15

    again = client.post(URL, content=xlsx_bytes(HEADERS, rows), headers={"Content-Type": XLSX})
    assert {x["status"] for x in again.json()["rows"]} == {"unchanged"}

    # only the provided fields change; a new code lacking fields is refused by state (409)
    patch = [{"code": "BM-01", "periods": 20}, {"code": "BM-03", "periods": 5}]
    out = by_row(client.post(URL, json=patch, params={"mode": "partial"}).json())
    assert out[1]["status"] == "updated"
    assert out[2]["problem"]["code"] == "bulk_missing_value"
    assert client.post(URL, json=patch).status_code == 409
    # a value the module rules refuse (periods > 0) is refused in any mode
    bad = client.post(URL, json=[{"code": "BM-02", "periods": 0}], params={"mode": "partial"})
    assert bad.status_code == 422
    assert bad.json()["rows"][0]["problem"]["field"] == "periods"
    session.expire_all()
    fresh = module(session, "BM-01")
    assert fresh.periods == 20
    assert fresh.title == "Mô-đun GVPT 01"
    assert fresh.version == 2


def test_only_catalogue_managers_import(client_for: ClientFor, session: Session) -> None:
    tree = make_tree(session)
    row = [{"code": "BM-9", "title": "T", "block": "elective", "periods": 5}]
    assert client_for(Role.unit_head, tree["s1"]).post(URL, json=row).status_code == 403
    assert client_for(Role.department_officer, tree["so"]).post(URL, json=row).status_code == 200
