"""One school year of BDTX for a small province, over HTTP only where people act."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from tests.bdtx.helpers import YEAR, B, act, catalogue, credit, evaluation, scores, set_policy
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree


def test_one_school_year_of_bdtx(
    client: TestClient, anon: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    so, d1, s1 = units["so"], units["d1"], units["s1"]
    teacher = make_staff(session, s1, education_level="lower_secondary")

    # 1. the Sở sets the year's policy from the TT 17/2019 preset, and the catalogue
    policy = set_policy(client)
    assert policy["rules"]["required_periods"] == 120
    assert [b["min_periods"] for b in policy["rules"]["blocks"]] == [40, 40, 40]
    r = client.post(
        f"{B}/modules",
        json={
            "code": "ND2-BP-02",
            "title": "Giáo dục địa phương tỉnh Bình Phước",
            "block": "local",
            "periods": 40,
            "issuer_unit_id": so.id,
            "materials": ["https://so.example.vn/nd2/tai-lieu.pdf"],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["issuing_authority"] == "unit"
    mods = catalogue(session, so)

    # 1b. unit plans: the school's approved by the office, the Sở's sent to the Ministry
    head = client_for(Role.unit_head, s1)
    office = client_for(Role.department_officer, d1)
    r = head.post(
        f"{B}/unit-plans",
        json={
            "unit_id": s1.id,
            "school_year": YEAR,
            "module_codes": [mods["M1"].code, mods["L1"].code, mods["E1"].code, mods["E2"].code],
            "schedule": [
                {
                    "module_code": mods["M1"].code,
                    "starts_on": "2026-12-01",
                    "ends_on": "2026-12-20",
                    "form": "tập trung",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    unit_plan = f"{B}/unit-plans/{r.json()['id']}"
    assert act(head, unit_plan, "submit").json()["status"] == "submitted"
    assert act(head, unit_plan, "approve").status_code == 403
    assert act(office, unit_plan, "approve").json()["status"] == "approved"
    r = client.post(
        f"{B}/unit-plans",
        json={
            "unit_id": so.id,
            "school_year": YEAR,
            "module_codes": [mods["L1"].code],
            "nd2_materials": ["https://so.example.vn/nd2/tai-lieu.pdf"],
        },
    )
    r = act(client, f"{B}/unit-plans/{r.json()['id']}", "submit")
    assert r.json()["sent_to_ministry_at"] is not None, r.text

    # 2. the teacher plans: modules, standards self-evaluation, suggestions, submit
    me = client_for(Role.staff, s1, staff=teacher)
    r = me.post(
        f"{B}/personal-plans",
        json={
            "staff_id": teacher.id,
            "school_year": YEAR,
            "module_codes": [mods["M1"].code, mods["L1"].code, mods["E1"].code],
            "self_evaluation": evaluation(("tc5",)),
        },
    )
    assert r.status_code == 201, r.text
    plan = f"{B}/personal-plans/{r.json()['id']}"
    assert r.json()["self_evaluation_overall"] == "kha"  # tc5 only Đạt
    hint = me.get(f"{plan}/suggestions").json()
    assert hint["weakest_criteria"] == ["tc5"]
    assert [m["code"] for m in hint["modules"]] == [mods["E2"].code]
    r = act(me, plan, "submit")
    assert r.status_code == 200, r.text
    r = act(head, plan, "approve", {"note": "Đồng ý"})
    assert r.json()["status"] == "approved", r.text

    # 3. learning: an event (credited on close), an LMS import, inspected self-study
    credit(session, teacher, mods["M1"].code)
    r = client.post(
        f"{B}/lms-completions",
        json=[
            {
                "staff_external_code": teacher.external_code,
                "school_year": YEAR,
                "module_code": mods["L1"].code,
                "periods": 40,
                "score": 8.0,
            }
        ],
    )
    assert r.status_code == 200, r.text
    r = me.post(
        f"{B}/self-study",
        json={
            "staff_id": teacher.id,
            "school_year": YEAR,
            "module_code": mods["E1"].code,
            "periods": 40,
            "description": "Tự học mô-đun 5 trên hệ thống",
            "evidence_url": "https://lms.example.vn/bai-thu-hoach/1",
        },
    )
    assert r.status_code == 201, r.text
    inspector = client_for(Role.inspector, d1)
    r = act(
        inspector, f"{B}/self-study/{r.json()['id']}", "inspect", {"approved": True, "note": "Đạt"}
    )
    assert r.json()["status"] == "approved", r.text
    scores(client, teacher, {mods["M1"].code: 9.0, mods["E1"].code: 8.5})

    # 4. results: computed by the school, finalised by the office above it
    r = head.post(f"{B}/results", json={"staff_id": teacher.id, "school_year": YEAR})
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["credited_periods"] == 120
    assert result["result_class"] == "Hoàn thành tốt"
    assert result["policy_revision"] == policy["revision"]
    assert act(head, f"{B}/results/{result['id']}", "finalise").status_code == 403
    r = act(office, f"{B}/results/{result['id']}", "finalise")
    assert r.json()["status"] == "finalised", r.text

    # 5. the certificate, verified by anyone with its code
    r = office.post(f"{B}/certificates", json={"result_id": result["id"]})
    assert r.status_code == 201, r.text
    cert = r.json()
    assert cert["serial"].startswith(f"BDTX-{YEAR}-")
    r = anon.get(f"/api/v1/public/certificates/{cert['verification_code']}")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "full_name": teacher.full_name,
        "school_year": YEAR,
        "result_class": "Hoàn thành tốt",
        "issuer": d1.name,
        "status": "issued",
    }
    assert anon.get("/api/v1/public/certificates/khong-co").status_code == 404

    # 6. unit reports roll up school → office → Sở; the Sở's goes to the Ministry
    def report(unit_key: str, **extra: object) -> str:
        r = client.post(
            f"{B}/unit-reports", json={"unit_id": units[unit_key].id, "school_year": YEAR, **extra}
        )
        assert r.status_code == 201, r.text
        return f"{B}/unit-reports/{r.json()['id']}"

    s1_report = report("s1")
    assert act(head, s1_report, "submit").json()["summary"]["by_result_class"] == {
        "Hoàn thành tốt": 1
    }
    assert act(office, s1_report, "accept").json()["status"] == "accepted"
    for key in ("s2", "d1", "d2", "thpt"):
        url = report(key)
        assert act(client, url, "submit").status_code == 200
        assert act(client, url, "accept").json()["status"] == "accepted"
    so_report = report(
        "so",
        annual_plan_url="https://so.example.vn/ke-hoach-bdtx.pdf",
        nd2_materials=["https://so.example.vn/nd2/tai-lieu.pdf"],
    )
    r = act(client, so_report, "submit")
    assert r.status_code == 200, r.text
    assert r.json()["sent_to_ministry_at"] is not None
    assert r.json()["summary"]["passed"] == 1
    assert r.json()["summary"]["by_category"] == {"teacher": 1}
    assert r.json()["summary"]["by_education_level"] == {"lower_secondary": 1}

    # 7. the province report names the offices with the best completion
    r = client.get(f"/api/v1/reports/bdtx?school_year={YEAR}&unit_id={so.id}")
    assert r.status_code == 200, r.text
    assert [u["unit_id"] for u in r.json()["good_examples"]] == [d1.id]
    csv = client.get(
        f"/api/v1/reports/bdtx?school_year={YEAR}&unit_id={so.id}", headers={"Accept": "text/csv"}
    )
    assert csv.status_code == 200
    assert d1.name in csv.content.decode("utf-8-sig")
