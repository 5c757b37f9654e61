"""Issue 8, "done when": a 5,000-row XLSX of staff in the sector database's layout imports in
dry-run, atomic and partial modes, and the same file again reports every row unchanged."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.audit.models import AuditLog
from app.staff.models import Staff
from tests.bulk.helpers import SECTOR_HEADERS, XLSX, by_row, sector_row, xlsx_bytes
from tests.factories import make_tree, make_unit

N = 5000
BAD = 2500  # the data row with an impossible date; spreadsheet row BAD + 1


def _staff_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Staff)) or 0


def _post(client: TestClient, content: bytes, **params: str) -> dict:  # type: ignore[type-arg]
    r = client.post(
        "/api/v1/staff/bulk",
        params=params,
        files={"file": ("danh_sach_can_bo.xlsx", content, XLSX)},
    )
    assert r.status_code in (200, 422), r.text[:500]
    return {"status": r.status_code, **r.json()}


def test_5000_row_sector_xlsx_in_every_mode(client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    schools = [make_unit(session, tree["d1"]) for _ in range(20)]
    rows = [sector_row(n, schools[n % 20].external_code) for n in range(1, N + 1)]
    clean = xlsx_bytes(SECTOR_HEADERS, rows)
    rows[BAD - 1] = sector_row(BAD, schools[0].external_code, **{"Ngày sinh": "30/02/1980"})
    broken = xlsx_bytes(SECTOR_HEADERS, rows)
    before = _staff_count(session)

    dry = _post(client, clean, dry_run="true")
    assert dry["status"] == 200
    assert dry["committed"] is False
    assert dry["summary"] == {"total": N, "created": N, "updated": 0, "unchanged": 0, "error": 0}
    assert _staff_count(session) == before

    atomic = _post(client, broken)
    assert atomic["status"] == 422
    assert atomic["summary"]["error"] == 1
    bad = by_row(atomic)[BAD + 1]
    assert bad["external_code"] == f"CB{BAD:07d}"
    assert bad["problem"]["code"] == "bulk_invalid_date"
    assert bad["problem"]["detail"] == (
        "Ngày '30/02/1980' ở cột Ngày sinh không hợp lệ; ghi dd/mm/yyyy."
    )
    assert _staff_count(session) == before

    partial = _post(client, broken, mode="partial")
    assert partial["status"] == 200
    assert partial["committed"] is True
    assert partial["summary"] == {
        "total": N,
        "created": N - 1,
        "updated": 0,
        "unchanged": 0,
        "error": 1,
    }
    assert _staff_count(session) == before + N - 1
    assert by_row(partial)[BAD + 1]["status"] == "error"
    audited = session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.target_type == "staff")
    )
    assert audited is not None
    assert audited >= N - 1

    fixed = _post(client, clean)
    assert fixed["status"] == 200
    assert fixed["summary"]["created"] == 1
    assert fixed["summary"]["unchanged"] == N - 1
    assert _staff_count(session) == before + N

    again = _post(client, clean)
    assert again["status"] == 200
    assert again["committed"] is False
    assert {r["status"] for r in again["rows"]} == {"unchanged"}
    assert again["summary"]["unchanged"] == N
    # unchanged rows were not written: every version is still 1
    versions = session.scalars(select(Staff.version).where(Staff.external_code.like("CB%")))
    assert set(versions) == {1}
