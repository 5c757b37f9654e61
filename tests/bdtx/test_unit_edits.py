"""Unit plans and unit reports are corrected while `draft` or `returned` (PATCH with
If-Match), so a returned plan or report, or a Sở report drafted before its Ministry package,
is never a dead end (R-BDTX-1, R-BDTX-5)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.bdtx.models import UnitPlan, UnitReport
from app.units.models import Unit
from tests.bdtx.helpers import YEAR, B, act, catalogue, set_policy
from tests.conftest import ClientFor
from tests.factories import make_tree

PLAN_URL = "https://so.example.vn/ke-hoach-bdtx-2026-2027.pdf"
ND2 = ["https://so.example.vn/nd2/tai-lieu-1.pdf", "https://so.example.vn/nd2/tai-lieu-2.pdf"]


def _patch(client: TestClient, url: str, body: Any, etag: str | None = None) -> Any:
    return client.patch(
        url, json=body, headers={"If-Match": etag or client.get(url).headers["etag"]}
    )


def _stale(r: Any) -> None:
    assert r.status_code == 412, r.text
    assert r.json()["code"] == "precondition_failed"


def _wrong_status(r: Any, status: str) -> None:
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "bdtx_wrong_status"
    assert status in r.json()["detail"]


def _report(client: TestClient, unit: Unit, **extra: object) -> str:
    r = client.post(f"{B}/unit-reports", json={"unit_id": unit.id, "school_year": YEAR, **extra})
    assert r.status_code == 201, r.text
    return f"{B}/unit-reports/{r.json()['id']}"


def test_r_bdtx_1_a_returned_unit_plan_is_corrected_and_submitted_again(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)
    mods = catalogue(session)
    head = client_for(Role.unit_head, units["s1"])
    r = head.post(
        f"{B}/unit-plans",
        json={"unit_id": units["s1"].id, "school_year": YEAR, "module_codes": [mods["M1"].code]},
    )
    assert r.status_code == 201, r.text
    url, first_etag = f"{B}/unit-plans/{r.json()['id']}", r.headers["etag"]
    # a draft is corrected before it is sent
    r = _patch(head, url, {"module_codes": [mods["M1"].code, mods["L1"].code]})
    assert r.status_code == 200, r.text
    assert r.json()["module_codes"] == [mods["M1"].code, mods["L1"].code]
    _stale(_patch(head, url, {"module_codes": [mods["E1"].code]}, first_etag))
    assert act(head, url, "submit").status_code == 200
    _wrong_status(_patch(head, url, {"module_codes": [mods["E1"].code]}), "submitted")
    office = client_for(Role.department_officer, units["d1"])
    r = act(office, url, "return", {"note": "Bổ sung mô-đun tự chọn"})
    assert r.json()["status"] == "returned"
    # returned: corrected in place (a second plan for the year stays 409), then resubmitted
    r = head.post(
        f"{B}/unit-plans",
        json={"unit_id": units["s1"].id, "school_year": YEAR, "module_codes": [mods["E1"].code]},
    )
    assert (r.status_code, r.json()["code"]) == (409, "bdtx_plan_exists")
    schedule = [
        {"module_code": mods["E1"].code, "starts_on": "2026-10-01", "ends_on": "2026-10-31"}
    ]
    body = {
        "module_codes": [mods["M1"].code, mods["L1"].code, mods["E1"].code],
        "schedule": schedule,
    }
    r = _patch(head, url, body)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], len(r.json()["schedule"])) == ("returned", 1)
    assert act(head, url, "submit").json()["status"] == "submitted"
    assert act(office, url, "approve").json()["status"] == "approved"
    _wrong_status(_patch(head, url, {"schedule": []}), "approved")
    assert session.get(UnitPlan, r.json()["id"]).module_codes == body["module_codes"]  # type: ignore[union-attr]


def test_r_bdtx_1_a_unit_plan_edit_is_checked_like_a_new_plan(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)
    mods = catalogue(session)
    r = client.post(
        f"{B}/unit-plans",
        json={"unit_id": units["s1"].id, "school_year": YEAR, "module_codes": [mods["M1"].code]},
    )
    url = f"{B}/unit-plans/{r.json()['id']}"
    r = _patch(client, url, {"module_codes": ["KHONG-CO"]})
    assert (r.status_code, r.json()["code"]) == (404, "bdtx_unknown_module"), r.text
    assert r.json()["errors"][0]["msg"] == "không có mô-đun KHONG-CO"
    assert client.get(url).json()["module_codes"] == [mods["M1"].code]  # nothing written
    # inspectors read plans but do not write them
    inspector = client_for(Role.inspector, units["s1"])
    assert _patch(inspector, url, {"module_codes": [mods["L1"].code]}).status_code == 403
    # a list given is never null
    assert _patch(client, url, {"module_codes": None}).status_code == 422


def test_r_bdtx_5_a_returned_report_is_corrected_and_submitted_again(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)
    head = client_for(Role.unit_head, units["s1"])
    url = _report(head, units["s1"])
    stale = head.get(url).headers["etag"]
    r = _patch(head, url, {"note": "Số liệu đến 31/5"})
    assert (r.status_code, r.json()["note"]) == (200, "Số liệu đến 31/5")
    _stale(_patch(head, url, {"note": "Sửa lại"}, stale))
    assert act(head, url, "submit").status_code == 200
    _wrong_status(_patch(head, url, {"note": "Sửa khi đã gửi"}), "submitted")
    office = client_for(Role.department_officer, units["d1"])
    assert act(office, url, "return", {"note": "Bổ sung số liệu"}).json()["status"] == "returned"
    r = _patch(head, url, {"note": "Đã bổ sung số liệu"})
    assert (r.status_code, r.json()["status"]) == (200, "returned")
    assert act(head, url, "submit").json()["status"] == "submitted"
    assert act(office, url, "accept").json()["status"] == "accepted"
    _wrong_status(_patch(head, url, {"note": "Sửa khi đã nhận"}), "accepted")
    assert client.get(url).json()["note"] == "Đã bổ sung số liệu"


def test_r_bdtx_5_the_so_attaches_its_package_to_a_report_drafted_before_it(
    client: TestClient, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)
    children = {k: _report(client, units[k]) for k in ("s1", "s2", "d1", "d2", "thpt")}
    for key in ("s1", "s2", "d1", "d2", "thpt"):  # schools before their offices
        assert act(client, children[key], "submit").status_code == 200, key
        assert act(client, children[key], "accept").status_code == 200, key
    so = _report(client, units["so"])  # drafted before the annual plan and materials exist
    r = act(client, so, "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_ministry_package_incomplete",
        "R-BDTX-5",
    )
    r = _patch(client, so, {"nd2_materials": ND2})
    assert r.status_code == 200, r.text
    assert act(client, so, "submit").json()["code"] == "bdtx_ministry_package_incomplete"
    r = _patch(client, so, {"annual_plan_url": PLAN_URL})
    assert (r.json()["annual_plan_url"], r.json()["nd2_materials"]) == (PLAN_URL, ND2)
    r = act(client, so, "submit")
    assert r.status_code == 200, r.text
    assert r.json()["sent_to_ministry_at"] is not None
    _wrong_status(_patch(client, so, {"nd2_materials": []}), "submitted")
    report = session.get(UnitReport, r.json()["id"])
    assert report is not None
    assert report.nd2_materials == ND2


def test_r_bdtx_5_materials_are_a_list_not_null(client: TestClient, session: Session) -> None:
    units = make_tree(session)
    set_policy(client)
    url = _report(client, units["so"], nd2_materials=ND2)
    assert _patch(client, url, {"nd2_materials": None}).status_code == 422
    assert client.get(url).json()["nd2_materials"] == ND2
