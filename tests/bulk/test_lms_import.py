"""LMS completions from a platform's export: credits and scores upserted per person,
school year and module."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.bdtx.models import ModuleScore
from app.events.models import CreditSource, TrainingCredit
from tests.bdtx.helpers import YEAR, B, catalogue, credit, set_policy
from tests.bulk.helpers import XLSX, by_row, xlsx_bytes
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree

URL = f"{B}/lms-completions/bulk"
HEADERS = ["Mã định danh", "Họ và tên", "Năm học", "Mã mô-đun", "Số tiết", "Điểm"]


def lms_credit(session: Session, staff_id: int, code: str) -> TrainingCredit | None:
    return session.scalar(
        select(TrainingCredit).where(
            TrainingCredit.staff_id == staff_id,
            TrainingCredit.module_code == code,
            TrainingCredit.source == CreditSource.lms,
        )
    )


def test_lms_export_credits_and_scores(client: TestClient, session: Session) -> None:
    tree = make_tree(session)
    mods = catalogue(session, tree["so"])
    a, b = make_staff(session, tree["s1"]), make_staff(session, tree["s2"])
    local, elective = mods["L1"].code, mods["E1"].code
    rows = [
        [a.external_code, a.full_name, YEAR, local, 40, "8,5"],
        [a.external_code, a.full_name, YEAR, elective, 40, 7],
        [b.external_code, b.full_name, YEAR, local, 40, 9],
        [b.external_code, b.full_name, YEAR, "KHONG-CO", 40, 9],
        [a.external_code, a.full_name, YEAR, local, 30, 6],  # the same completion again
    ]
    r = client.post(
        URL,
        params={"mode": "partial"},
        content=xlsx_bytes(HEADERS, rows),
        headers={"Content-Type": XLSX},
    )
    assert r.status_code == 200, r.text
    out = by_row(r.json())
    assert [out[n]["status"] for n in (2, 3, 4)] == ["created"] * 3
    assert out[5]["problem"]["code"] == "bdtx_unknown_module"
    assert out[6]["problem"]["code"] == "bulk_duplicate_row"
    got = lms_credit(session, a.id or 0, local)
    assert got is not None
    assert got.periods == 40
    assert got.unit_id == tree["s1"].id
    score = session.scalar(
        select(ModuleScore).where(ModuleScore.staff_id == a.id, ModuleScore.module_code == local)
    )
    assert score is not None
    assert score.score == 8.5

    again = client.post(URL, content=xlsx_bytes(HEADERS, rows[:3]), headers={"Content-Type": XLSX})
    assert {x["status"] for x in again.json()["rows"]} == {"unchanged"}
    rows[0][4] = 45
    changed = client.post(
        URL, content=xlsx_bytes(HEADERS, rows[:3]), headers={"Content-Type": XLSX}
    )
    assert [x["status"] for x in changed.json()["rows"]] == ["updated", "unchanged", "unchanged"]
    session.expire_all()
    assert lms_credit(session, a.id or 0, local).periods == 45  # type: ignore[union-attr]


def test_scope_and_finalised_years(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    tree = make_tree(session)
    set_policy(client)
    mods = catalogue(session, tree["so"])
    mine, theirs = make_staff(session, tree["s1"]), make_staff(session, tree["s2"])
    # a finalised result for `mine` (R-BDTX-1): credits, scores, result, finalise
    for key in ("M1", "L1", "E1"):
        credit(session, mine, mods[key].code)
    body = [
        {"staff_id": mine.id, "school_year": YEAR, "module_code": mods[k].code, "score": 8.0}
        for k in ("M1", "L1", "E1")
    ]
    assert client.post(f"{B}/module-scores", json=body).status_code == 200
    result = client.post(f"{B}/results", json={"staff_id": mine.id, "school_year": YEAR})
    url = f"{B}/results/{result.json()['id']}"
    etag = client.get(url).headers["etag"]
    assert client.post(f"{url}/finalise", headers={"If-Match": etag}).status_code == 200

    officer = client_for(Role.department_officer, tree["d1"])
    rows = [
        {
            "staff_external_code": s.external_code,
            "school_year": YEAR,
            "module_code": mods["E2"].code,
            "periods": 10,
            "score": 7,
        }
        for s in (mine, theirs)
    ]
    r = officer.post(URL, json=rows)
    assert r.status_code == 409  # refused by what is stored, not by the rows themselves
    assert r.json()["code"] == "bulk_rejected"
    out = by_row(r.json())
    assert out[1]["problem"]["code"] == "bdtx_result_finalised"
    assert out[2]["problem"]["code"] == "bulk_unknown_staff"  # outside d1: not found
    assert lms_credit(session, mine.id or 0, mods["E2"].code) is None
    assert client_for(Role.unit_head, tree["s1"]).post(URL, json=rows).status_code == 403
