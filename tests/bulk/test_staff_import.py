"""Staff bulk upsert by external_code: formats, modes, validation, scope, audit."""

import unicodedata
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.audit.models import AuditLog
from app.auth.models import Role
from app.staff.models import Staff, StaffAssignment
from tests.bulk.helpers import SECTOR_HEADERS, XLSX, by_row, csv_bytes, sector_row, xlsx_bytes
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree, make_unit

URL = "/api/v1/staff/bulk"


def count_staff(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Staff)) or 0


def test_json_rows_create_then_update_then_unchanged(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    rows = [
        {
            "external_code": "GV-1",
            "full_name": "Lê Văn Một",
            "unit_external_code": unit.external_code,
            "category": "teacher",
            "date_of_birth": "1985-09-02",
            "subjects": ["Toán"],
        },
        {
            "external_code": "GV-2",
            "full_name": "Phạm Thị Hai",
            "unit_external_code": unit.external_code,
            "category": "manager",
            "gender": "female",
        },
    ]
    first = client.post(URL, json=rows)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["summary"] == {"total": 2, "created": 2, "updated": 0, "unchanged": 0, "error": 0}
    assert body["committed"] is True
    one = session.scalar(select(Staff).where(Staff.external_code == "GV-1"))
    assert one is not None
    assert one.date_of_birth == date(1985, 9, 2)
    assert one.version == 1
    two = session.scalar(select(Staff).where(Staff.external_code == "GV-2"))
    assert two is not None
    assert two.category == "manager"
    assert two.gender == "female"
    assert by_row(body)[1]["id"] == one.id
    # a person created by import has the unit history a created one has
    links = session.scalars(select(StaffAssignment).where(StaffAssignment.staff_id == one.id))
    assert [a.unit_id for a in links] == [unit.id]

    again = client.post(URL, json=rows).json()
    assert [r["status"] for r in again["rows"]] == ["unchanged", "unchanged"]
    assert again["committed"] is False

    rows[0]["full_name"] = "Lê Văn Một Mới"
    changed = client.post(URL, json=rows).json()
    assert [r["status"] for r in changed["rows"]] == ["updated", "unchanged"]
    session.expire_all()
    one = session.get(Staff, one.id)
    assert one is not None
    assert one.full_name == "Lê Văn Một Mới"
    assert one.version == 2
    assert one.name_search == "le van mot moi"


def test_atomic_refuses_whole_file_with_row_problems(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    rows = [
        sector_row(1, unit.external_code),
        sector_row(2, unit.external_code, **{"Ngày sinh": "31/02/1990"}),
        sector_row(3, unit.external_code, **{"Email": "không-phải-email"}),
        sector_row(4, "KHONG-CO"),
        sector_row(5, unit.external_code, **{"Mã định danh": "CB0000001"}),
    ]
    before = count_staff(session)
    r = client.post(URL, content=xlsx_bytes(SECTOR_HEADERS, rows), headers={"Content-Type": XLSX})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "bulk_invalid_rows"
    assert body["committed"] is False
    rows_out = by_row(body)
    assert rows_out[2]["status"] == "created"  # what it would have been
    assert rows_out[3]["problem"]["code"] == "bulk_invalid_date"
    assert rows_out[3]["problem"]["field"] == "date_of_birth"
    assert "dd/mm/yyyy" in rows_out[3]["problem"]["detail"]
    assert rows_out[4]["problem"] == {
        "code": "bulk_invalid_value",
        "field": "email",
        "detail": "Giá trị của Email không hợp lệ: sai định dạng.",
    }
    assert rows_out[5]["problem"]["code"] == "bulk_unknown_unit"
    assert rows_out[5]["problem"]["detail"] == "Không tìm thấy đơn vị có mã 'KHONG-CO'."
    assert rows_out[6]["problem"]["code"] == "bulk_duplicate_row"
    assert body["summary"]["error"] == 4
    assert {e["loc"][1] for e in body["errors"]} == {3, 4, 5, 6}
    assert count_staff(session) == before


def test_partial_writes_good_rows_and_reports_the_rest(
    client: TestClient, session: Session
) -> None:
    unit = make_unit(session)
    rows = [
        sector_row(1, unit.external_code),
        sector_row(2, unit.external_code, **{"Giới tính": "X"}),
    ]
    r = client.post(
        URL,
        params={"mode": "partial"},
        content=csv_bytes(SECTOR_HEADERS, rows, sep=";"),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    out = by_row(r.json())
    assert out[2]["status"] == "created"
    assert out[3]["status"] == "error"
    assert out[3]["problem"]["code"] == "bulk_invalid_choice"
    assert out[3]["problem"]["field"] == "gender"
    assert r.json()["ignored_columns"] == ["STT", "Dân tộc"]
    assert session.scalar(select(Staff.id).where(Staff.external_code == "CB0000001"))
    assert not session.scalar(select(Staff.id).where(Staff.external_code == "CB0000002"))


def test_dry_run_reports_and_writes_nothing(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    before = count_staff(session)
    content = xlsx_bytes(SECTOR_HEADERS, [sector_row(n, unit.external_code) for n in (1, 2)])
    r = client.post(URL, params={"dry_run": "true"}, files={"file": ("ds.xlsx", content, XLSX)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] is True
    assert body["committed"] is False
    assert body["summary"]["created"] == 2
    assert count_staff(session) == before


def test_headers_match_ignoring_case_diacritics_and_text_is_nfc(
    client: TestClient, session: Session
) -> None:
    unit = make_unit(session)
    nfd = unicodedata.normalize("NFD", "Đỗ Thị Ánh")
    headers = ["MA DINH DANH", "ho va ten", "mã  đơn  vị", "VI TRI VIEC LAM", "Ngay sinh"]
    content = csv_bytes(headers, [["X-1", nfd, unit.external_code, "GV", "1990-05-04"]])
    r = client.post(URL, content=content, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    staff = session.scalar(select(Staff).where(Staff.external_code == "X-1"))
    assert staff is not None
    assert staff.full_name == unicodedata.normalize("NFC", "Đỗ Thị Ánh")
    assert staff.date_of_birth == date(1990, 5, 4)


def test_validation_matches_single_create(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    base = {"unit_external_code": unit.external_code, "category": "teacher"}
    rows = [
        {**base, "external_code": "bad code!", "full_name": "A"},  # ExternalCode pattern
        {**base, "external_code": "R-1", "full_name": "B", "title_rank": "hạng 2"},
        {**base, "external_code": "R-2"},  # no full_name
        {**base, "external_code": "R-3", "full_name": "C", "nickname": "x"},
    ]
    # JSON rows are held to the contract even in partial mode: a malformed body is refused
    r = client.post(URL, json=rows, params={"mode": "partial"})
    assert r.status_code == 422
    assert r.json()["code"] == "bulk_invalid_rows"
    out = by_row(r.json())
    assert out[1]["problem"]["field"] == "external_code"
    assert out[2]["problem"]["field"] == "title_rank"
    assert out[3]["problem"] == {
        "code": "bulk_missing_value",
        "field": "full_name",
        "detail": "Thiếu giá trị bắt buộc: full_name.",
    }
    assert out[4]["problem"]["code"] == "bulk_unknown_field"
    single = client.post(
        "/api/v1/staff",
        json={
            "external_code": "R-1",
            "full_name": "B",
            "unit_id": unit.id,
            "category": "teacher",
            "title_rank": "hạng 2",
        },
    )
    assert single.status_code == 422


def test_scope_is_checked_per_row(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    theirs = make_staff(session, t["s2"], external_code="THEIRS-1")
    head = client_for(Role.department_officer, t["d1"])
    rows = [
        {
            "external_code": "MINE-1",
            "full_name": "Một",
            "unit_external_code": t["s1"].external_code,
            "category": "teacher",
        },
        {
            "external_code": "MINE-2",
            "full_name": "Hai",
            "unit_external_code": t["s2"].external_code,
            "category": "teacher",
        },
        {"external_code": "THEIRS-1", "full_name": "Ba"},
    ]
    r = head.post(URL, json=rows, params={"mode": "partial"}, headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    out = by_row(r.json())
    assert out[1]["status"] == "created"
    # a unit outside the caller's subtree reads exactly like one that does not exist
    assert out[2]["problem"]["code"] == "bulk_unknown_unit"
    assert out[2]["problem"]["detail"] == f"No unit with code '{t['s2'].external_code}' was found."
    assert out[3]["problem"]["code"] == "external_code_taken"
    session.expire_all()
    assert session.get(Staff, theirs.id).full_name != "Ba"  # type: ignore[union-attr]


def test_read_only_role_is_refused_outright(client_for: ClientFor, session: Session) -> None:
    t = make_tree(session)
    r = client_for(Role.inspector, t["d1"]).post(URL, json=[])
    assert r.status_code == 403


def test_moving_unit_is_left_to_transfer(client: TestClient, session: Session) -> None:
    t = make_tree(session)
    person = make_staff(session, t["s1"])
    rows = [{"external_code": person.external_code, "unit_external_code": t["s2"].external_code}]
    r = client.post(URL, json=rows)
    assert r.status_code == 409  # refused by the stored state, as a single write would be
    problem = r.json()["rows"][0]["problem"]
    assert problem["code"] == "bulk_unit_changed"
    assert t["s1"].external_code in problem["detail"]


def test_writes_are_audited_and_in_the_change_feed(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    person = make_staff(session, unit, position=None)
    rows = [
        {
            "external_code": "AUD-1",
            "full_name": "Mới",
            "unit_external_code": unit.external_code,
            "category": "other",
        },
        {"external_code": person.external_code, "position": "Hiệu phó"},
    ]
    r = client.post(URL, json=rows)
    assert r.status_code == 200, r.text
    request_id = r.headers["x-request-id"]
    logged = session.scalars(select(AuditLog).where(AuditLog.request_id == request_id)).all()
    kinds = sorted((a.change, a.target_type) for a in logged)
    assert kinds == [("create", "staff"), ("create", "staff_assignment"), ("update", "staff")]
    update = next(a for a in logged if a.change == "update")
    assert update.before["position"] is None
    assert update.after["position"] == "Hiệu phó"
    assert update.after["version"] == 2
    feed = client.get("/api/v1/changes").json()["items"]
    assert {(c["resource"], c["resource_id"]) for c in feed} >= {("staff", person.id)}


def test_limits_answer_413(client: TestClient, session: Session, monkeypatch: object) -> None:
    from app.core import config

    settings = config.get_settings()
    monkeypatch.setattr(settings, "import_max_rows", 2)  # type: ignore[attr-defined]
    rows = [{"external_code": f"L-{i}"} for i in range(3)]
    r = client.post(URL, json=rows)
    assert r.status_code == 413
    assert r.json()["code"] == "too_many_rows"
    monkeypatch.setattr(settings, "import_max_bytes", 2000)  # type: ignore[attr-defined]
    r = client.post(URL, content=b"x" * 3000, headers={"Content-Type": "text/csv"})
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"


def test_bad_uploads_are_problems(client: TestClient) -> None:
    r = client.post(URL, content=b"PK\x03\x04garbage", headers={"Content-Type": XLSX})
    assert r.status_code == 400
    assert r.json()["code"] == "bulk_unreadable_file"
    r = client.post(URL, json={"not": "an array"})
    assert r.status_code == 400
    assert r.json()["code"] == "bulk_not_an_array"
    r = client.post(URL, content=b"<x/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415
    r = client.post(URL, files={"other": ("a.csv", b"a,b", "text/csv")})
    assert r.status_code == 400
    assert r.json()["code"] == "bulk_missing_file"
    r = client.post(
        URL, content=csv_bytes(["Họ và tên"], [["A"]]), headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "bulk_missing_column"


def test_many_updates_bump_each_version_once(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    people = [make_staff(session, unit) for _ in range(3)]
    rows = [
        {"external_code": p.external_code, "position": f"Tổ phó {i}", "gender": "male"}
        for i, p in enumerate(people)
    ]
    rows[2].pop("gender")  # another set of fields: another statement
    r = client.post(URL, json=rows)
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["updated"] == 3
    session.expire_all()
    for i, p in enumerate(people):
        fresh = session.get(Staff, p.id)
        assert fresh is not None
        assert fresh.version == 2
        assert fresh.position == f"Tổ phó {i}"
    etag = client.get(f"/api/v1/staff/{people[0].id}").headers["etag"]
    assert "2" in etag


def test_idempotency_key_replays_the_report(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    rows = [
        {
            "external_code": "IDEM-1",
            "full_name": "Một",
            "unit_external_code": unit.external_code,
            "category": "teacher",
        }
    ]
    headers = {"Idempotency-Key": "nhap-lan-1"}
    first = client.post(URL, json=rows, headers=headers)
    second = client.post(URL, json=rows, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.json() == first.json()
    assert second.json()["rows"][0]["status"] == "created"


def test_json_rows_are_held_to_the_contract(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    good = {
        "external_code": "J-0",
        "full_name": "Tốt",
        "unit_external_code": unit.external_code,
        "category": "teacher",
    }
    rows = [
        good,
        {"external_code": "A\u0000B"},
        {"external_code": "X-1", "full_name": {"nested": 1}},
        {"external_code": ["X-2"]},
        {"external_code": "X-3", "date_of_birth": "02/09/1985"},  # JSON dates are ISO
        {"Mã định danh": "X-4"},  # JSON uses field names; headers are for spreadsheets
        {"external_code": "X-5", "category": "Giáo viên"},
    ]
    r = client.post(URL, json=rows, params={"mode": "partial"})
    assert r.status_code == 422, r.text
    codes = [row["problem"] and row["problem"]["code"] for row in r.json()["rows"]]
    assert codes == [
        None,
        "bulk_invalid_value",
        "bulk_invalid_value",
        "bulk_invalid_value",
        "bulk_invalid_value",
        "bulk_unknown_field",
        "bulk_invalid_value",
    ]
    assert session.scalar(select(Staff.id).where(Staff.external_code == "J-0")) is None


def test_spreadsheet_cells_with_nul_are_row_errors(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    rows = [sector_row(1, unit.external_code), sector_row(2, unit.external_code)]
    rows[1][2] = "Tên\x00lỗi"  # PostgreSQL text cannot hold NUL
    r = client.post(
        URL,
        params={"mode": "partial"},
        content=csv_bytes(SECTOR_HEADERS, rows),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    out = by_row(r.json())
    assert out[2]["status"] == "created"
    assert out[3]["problem"]["code"] == "bulk_nul_character"
    assert out[3]["problem"]["field"] == "full_name"


def test_a_form_carries_the_file_and_nothing_else(client: TestClient) -> None:
    r = client.post(
        URL, files={"file": ("a.csv", b"external_code\r\n", "text/csv")}, data={"x": "1"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "bulk_unknown_field"


def test_json_text_with_nul_cannot_be_stored(client: TestClient, session: Session) -> None:
    unit = make_unit(session)
    row = {
        "external_code": "NUL-1",
        "full_name": "Tên\u0000lỗi",
        "unit_external_code": unit.external_code,
        "category": "teacher",
    }
    r = client.post(URL, json=[row])
    assert r.status_code == 409  # the contract allows it; the database cannot hold it
    assert r.json()["rows"][0]["problem"]["code"] == "bulk_nul_character"
    assert client.post(URL, json=[row], params={"mode": "partial"}).status_code == 200


def test_staff_rows_carry_the_single_create_rules() -> None:
    """Rows are validated once, by StaffRow; a new person is then built without a second
    validation, which is sound only while each field has StaffCreate's own rules."""
    from app.bulk.staff import StaffRow
    from app.staff.schemas import StaffCreate

    def rules(schema: dict, name: str) -> dict:  # type: ignore[type-arg]
        prop = dict(schema["properties"][name])
        options = [o for o in prop.pop("anyOf", [prop]) if o.get("type") != "null"]
        return {k: v for k, v in options[0].items() if k not in ("title", "description", "default")}

    row, create = StaffRow.model_json_schema(), StaffCreate.model_json_schema()
    shared = set(create["properties"]) - {"unit_id"}
    assert shared <= set(row["properties"])
    for name in shared:
        assert rules(row, name) == rules(create, name), name
