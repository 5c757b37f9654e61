"""One test per rule of Công văn 389 (R-BDTX-1..5), and the policy-as-data switch."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import Role
from app.bdtx.models import BdtxResult
from app.bdtx.policy import Preset, classify, preset_rules
from app.events.models import TrainingCredit
from app.staff.models import Staff
from app.units.models import Unit
from tests.bdtx.helpers import (
    POLICY,
    YEAR,
    B,
    act,
    catalogue,
    credit,
    evaluation,
    make_module,
    scores,
    set_policy,
)
from tests.conftest import ClientFor
from tests.factories import make_staff, make_tree


def _person(session: Session) -> tuple[dict[str, Unit], Staff]:
    units = make_tree(session)
    return units, make_staff(session, units["s1"], education_level="lower_secondary")


def _full_year(session: Session, client: TestClient, staff: Staff, marks: list[float]) -> None:
    mods = catalogue(session)
    for key in ("M1", "L1", "E1"):
        credit(session, staff, mods[key].code)
    scores(client, staff, dict(zip([mods[k].code for k in ("M1", "L1", "E1")], marks, strict=True)))


def _compute(client: TestClient, staff: Staff) -> dict[str, Any]:
    r = client.post(f"{B}/results", json={"staff_id": staff.id, "school_year": YEAR})
    assert r.status_code == 201, r.text
    return r.json()


def test_switching_the_preset_changes_the_classes_without_code(
    client: TestClient, session: Session
) -> None:
    _, staff = _person(session)
    set_policy(client, "tt17_2019")
    _full_year(session, client, staff, [9.0, 8.0, 8.5])
    first = _compute(client, staff)
    assert (first["result_class"], first["passed"]) == ("Hoàn thành tốt", True)

    set_policy(client, "tt26_2012")
    # nội dung 3 needs 60 periods under TT 26/2012: a second elective brings it there
    credit(session, staff, make_module(session, "GVPT-11", "elective", 20).code, 20)
    second = _compute(client, staff)
    assert (second["result_class"], second["passed"]) == ("Khá", True)
    assert second["policy_revision"] == first["policy_revision"] + 1
    assert second["details"]["legal_basis"].startswith("TT 26/2012/TT-BGDĐT")

    # thresholds are data too: a stricter custom class list, same code
    rules = client.get(POLICY).json()["rules"]
    rules["result_classes"][1]["min_average"] = 8.6
    assert client.put(POLICY, json={"rules": rules}).status_code == 200
    assert _compute(client, staff)["result_class"] == "Trung bình"


def test_r_bdtx_1_policy_frozen_and_plans_and_certificates_per_regulation(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    # a plan short of the elective block names what is missing
    r = client.post(
        f"{B}/personal-plans",
        json={
            "staff_id": staff.id,
            "school_year": YEAR,
            "module_codes": [mods["M1"].code, mods["L1"].code],
            "self_evaluation": evaluation(),
        },
    )
    r = act(client, f"{B}/personal-plans/{r.json()['id']}", "submit")
    assert r.status_code == 409, r.text
    assert r.json()["rule"] == "R-BDTX-1"
    assert {e["code"] for e in r.json()["errors"]} == {"required_periods", "block_minimum"}
    assert any("elective" in e["loc"] for e in r.json()["errors"])
    # inside a Vietnamese problem, the items speak Vietnamese too; English on request
    assert all("tiết" in e["msg"] for e in r.json()["errors"]), r.json()["errors"]
    en = client.post(
        f"{B}/personal-plans/{r.json()['instance'].split('/')[-2]}/submit",
        headers={"If-Match": "*", "Accept-Language": "en"},
    )
    assert all("periods" in e["msg"] for e in en.json()["errors"]), en.json()["errors"]

    # a year whose deadline has passed refuses submission
    set_policy(client, year="2024-2025")
    other = make_staff(session, units["s1"])
    r = client.post(
        f"{B}/personal-plans",
        json={
            "staff_id": other.id,
            "school_year": "2024-2025",
            "module_codes": [mods["M1"].code, mods["L1"].code, mods["E1"].code],
            "self_evaluation": evaluation(),
        },
    )
    r = act(client, f"{B}/personal-plans/{r.json()['id']}", "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_deadline_passed",
        "R-BDTX-1",
    )

    # a failing result gets no certificate; once a result is final the policy is frozen
    scores(client, staff, {mods["M1"].code: 9.0})
    result = _compute(client, staff)
    assert result["passed"] is False
    assert act(client, f"{B}/results/{result['id']}", "finalise").status_code == 200
    r = client.post(f"{B}/certificates", json={"result_id": result["id"]})
    assert (r.status_code, r.json()["rule"]) == (409, "R-BDTX-1")
    r = client.put(POLICY, json={"preset": "tt26_2012"})
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_policy_frozen",
        "R-BDTX-1",
    )
    assert client.get(POLICY).json()["frozen"] is True


def test_r_bdtx_2_self_evaluation_is_the_basis_of_the_plan(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    me = client_for(Role.staff, units["s1"], staff=staff)
    r = me.post(
        f"{B}/personal-plans",
        json={
            "staff_id": staff.id,
            "school_year": YEAR,
            "module_codes": [mods["M1"].code, mods["L1"].code, mods["E2"].code],
            "self_evaluation": {"tc1": "tot"},
        },
    )
    assert r.status_code == 201, r.text
    plan = f"{B}/personal-plans/{r.json()['id']}"
    r = act(me, plan, "submit")
    assert (r.status_code, r.json()["rule"]) == (409, "R-BDTX-2")
    assert len(r.json()["errors"]) == 14

    body = {
        "staff_id": staff.id,
        "school_year": YEAR,
        "module_codes": [mods["M1"].code, mods["L1"].code, mods["E2"].code],
        "self_evaluation": evaluation(("tc3",)),
    }
    etag = me.get(plan).headers["etag"]
    assert me.put(plan, json=body, headers={"If-Match": etag}).status_code == 200
    hint = me.get(f"{plan}/suggestions").json()
    assert hint["weakest_criteria"] == ["tc3"]
    assert [m["code"] for m in hint["modules"]] == [mods["E1"].code]
    assert act(me, plan, "submit").json()["status"] == "submitted"


def test_r_bdtx_3_modules_fit_the_persons_level(client: TestClient, session: Session) -> None:
    _units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    upper = make_module(session, "THPT-01", "elective", levels=["upper_secondary"])
    r = client.post(
        f"{B}/personal-plans",
        json={
            "staff_id": staff.id,
            "school_year": YEAR,
            "module_codes": [mods["M1"].code, mods["L1"].code, upper.code],
        },
    )
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_module_unfit",
        "R-BDTX-3",
    )
    assert "THPT-01" in r.json()["errors"][0]["msg"]
    listed = client.get(f"{B}/modules?education_level=lower_secondary").json()["items"]
    assert upper.code not in {m["code"] for m in listed}


def test_r_bdtx_4_self_study_credited_only_after_inspection_and_good_examples(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)

    def log() -> str:
        r = client.post(
            f"{B}/self-study",
            json={
                "staff_id": staff.id,
                "school_year": YEAR,
                "module_code": mods["E1"].code,
                "periods": 40,
                "description": "Tự bồi dưỡng",
                "evidence_url": "https://lms.example.vn/minh-chung/7",
            },
        )
        assert r.status_code == 201, r.text
        return f"{B}/self-study/{r.json()['id']}"

    inspector = client_for(Role.inspector, units["d1"])
    first, second = log(), log()
    assert _compute(client, staff)["credited_periods"] == 0
    r = act(inspector, first, "inspect", {"approved": False, "note": "Minh chứng không hợp lệ"})
    assert r.json()["inspection_note"] == "Minh chứng không hợp lệ"
    assert _compute(client, staff)["credited_periods"] == 0
    act(inspector, second, "inspect", {"approved": True, "note": "Đạt yêu cầu"})
    assert _compute(client, staff)["credited_periods"] == 40
    # inspectors only inspect: no plan decisions
    assert (
        client_for(Role.inspector, units["s1"])
        .post(f"{B}/unit-reports", json={"unit_id": units["s1"].id, "school_year": YEAR})
        .status_code
        == 403
    )

    # good examples: the office whose staff all completed is named, the other not
    credit(session, staff, mods["M1"].code)
    credit(session, staff, mods["L1"].code)
    scores(client, staff, {mods["M1"].code: 8.0, mods["L1"].code: 8.0, mods["E1"].code: 8.0})
    result = _compute(client, staff)
    act(client, f"{B}/results/{result['id']}", "finalise")
    make_staff(session, units["s2"])
    body = client.get(f"/api/v1/reports/bdtx?school_year={YEAR}&unit_id={units['so'].id}").json()
    assert [u["unit_id"] for u in body["good_examples"]] == [units["d1"].id]
    rates = {u["unit_id"]: u["completion_rate"] for u in body["units"]}
    assert rates[units["d1"].id] == 1.0
    assert rates[units["d2"].id] == 0.0
    assert session.get(BdtxResult, result["id"]) is not None


def test_r_bdtx_5_reports_go_up_and_the_so_sends_its_package_to_the_ministry(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)

    def report(key: str, **extra: object) -> str:
        r = client.post(
            f"{B}/unit-reports", json={"unit_id": units[key].id, "school_year": YEAR, **extra}
        )
        assert r.status_code == 201, r.text
        return f"{B}/unit-reports/{r.json()['id']}"

    d1 = report("d1")
    r = act(client, d1, "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_children_not_reported",
        "R-BDTX-5",
    )
    s1 = report("s1")
    act(client_for(Role.unit_head, units["s1"]), s1, "submit")
    # the school's head cannot accept its own report; the office above can
    assert act(client_for(Role.unit_head, units["s1"]), s1, "accept").status_code == 403
    assert act(client_for(Role.department_officer, units["d1"]), s1, "accept").status_code == 200
    assert act(client, d1, "submit").status_code == 200
    assert act(client, d1, "accept").status_code == 200

    for key in ("s2", "thpt"):
        url = report(key)
        act(client, url, "submit")
        act(client, url, "accept")
    d2 = report("d2")
    so = report("so")
    # d2 has not reported yet: the Sở cannot send its report up
    r = act(client, so, "submit")
    assert (r.json()["rule"], r.json().get("errors", None)) == (
        "R-BDTX-5",
        None,
    )
    assert str(units["d2"].id) in r.json()["detail"]
    assert act(client, d2, "submit").status_code == 200
    assert act(client, d2, "return", {"note": "Bổ sung số liệu"}).json()["status"] == "returned"
    assert act(client, d2, "submit").status_code == 200
    assert act(client, d2, "accept").json()["status"] == "accepted"
    # the Sở's report needs the annual plan and nội dung 2 materials for the Ministry
    r = act(client, so, "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_ministry_package_incomplete",
        "R-BDTX-5",
    )


def test_r_bdtx_5_the_so_plan_goes_to_the_ministry_with_nd2_materials(
    client: TestClient, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client)
    mods = catalogue(session, units["so"])
    r = client.post(
        f"{B}/unit-plans",
        json={"unit_id": units["so"].id, "school_year": YEAR, "module_codes": [mods["L1"].code]},
    )
    assert r.status_code == 201, r.text
    r = act(client, f"{B}/unit-plans/{r.json()['id']}", "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_ministry_package_incomplete",
        "R-BDTX-5",
    )


# --- results per block, once per module, closed years (R-BDTX-1, R-BDTX-4) ------------------


def test_r_bdtx_1_a_pass_needs_every_block_minimum_not_only_the_total(
    client: TestClient, session: Session
) -> None:
    _, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    credit(session, staff, mods["M1"].code, 80)  # 80 + 40 + 0 = 120 periods in total
    credit(session, staff, mods["E1"].code, 40)
    scores(client, staff, {mods["M1"].code: 9.0, mods["E1"].code: 9.0})
    result = _compute(client, staff)
    assert result["credited_periods"] == 120
    assert (result["result_class"], result["passed"]) == ("Không hoàn thành", False)
    assert result["details"]["short_blocks"] == ["local"]
    r = act(client, f"{B}/results/{result['id']}", "finalise")
    assert r.status_code == 200
    r = client.post(f"{B}/certificates", json={"result_id": result["id"]})
    assert (r.status_code, r.json()["rule"]) == (409, "R-BDTX-1")
    # the refusal names the short block
    assert [e["code"] for e in r.json()["errors"]] == ["block_minimum"]
    assert r.json()["errors"][0]["msg"].startswith(
        "Khối kiến thức bắt buộc (nội dung 2): 0 trên 40"
    )


def test_r_bdtx_1_a_module_counts_once_whatever_its_sources(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    code = mods["E1"].code
    row = {"staff_external_code": staff.external_code, "school_year": YEAR, "module_code": code}
    r = client.post(f"{B}/lms-completions", json=[{**row, "periods": 40, "score": 8.0}])
    assert r.status_code in (200, 201), r.text
    r = client.post(
        f"{B}/self-study",
        json={
            "staff_id": staff.id,
            "school_year": YEAR,
            "module_code": code,
            "periods": 40,
            "description": "Tự học lại mô-đun",
            "evidence_url": "https://lms.example.vn/minh-chung/8",
        },
    )
    inspector = client_for(Role.inspector, units["d1"])
    assert (
        act(
            inspector,
            f"{B}/self-study/{r.json()['id']}",
            "inspect",
            {"approved": True, "note": "Đạt"},
        ).status_code
        == 200
    )
    result = _compute(client, staff)
    assert result["credited_periods"] == 40
    assert result["details"]["modules"][code]["sources"] == ["lms", "self_study"]
    # the person's training record agrees with the result and shows the sources
    record = client.get(f"/api/v1/staff/{staff.id}/training-record").json()
    assert record["credited_periods_by_year"] == {YEAR: 40}
    assert record["modules_by_year"][YEAR] == [
        {"module_code": code, "block": "elective", "periods": 40, "sources": ["lms", "self_study"]}
    ]


def test_r_bdtx_4_nothing_is_credited_to_a_finalised_year(
    client: TestClient, client_for: ClientFor, session: Session
) -> None:
    units, staff = _person(session)
    set_policy(client)
    mods = catalogue(session)
    r = client.post(
        f"{B}/self-study",
        json={
            "staff_id": staff.id,
            "school_year": YEAR,
            "module_code": mods["E1"].code,
            "periods": 40,
            "description": "Tự bồi dưỡng cuối năm",
            "evidence_url": "https://lms.example.vn/minh-chung/10",
        },
    )
    url = f"{B}/self-study/{r.json()['id']}"
    result = _compute(client, staff)
    assert act(client, f"{B}/results/{result['id']}", "finalise").status_code == 200
    r = act(
        client_for(Role.inspector, units["d1"]), url, "inspect", {"approved": True, "note": "Đạt"}
    )
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_result_finalised",
        "R-BDTX-1",
    )
    assert client.get(url).json()["status"] == "submitted"  # nothing written
    assert session.scalar(select(func.count()).where(TrainingCredit.staff_id == staff.id)) == 0


# --- worked examples of the presets (scores in, class out) --------------------------------

FULL_TT26 = {"ministry": 30, "local": 30, "elective": 60}
FULL_TT17 = {"ministry": 40, "local": 40, "elective": 40}


@pytest.mark.parametrize(
    ("nd1", "nd2", "nd3", "average", "expected"),
    [
        # Điều 10: ĐTB = (ND1 + ND2 + 2 × ND3) / 4; a plain mean would give 8.8 (Khá)
        (8.0, 8.4, [10.0], 9.1, "Giỏi"),
        (7.0, 7.0, [9.0, 10.0], 8.25, "Khá"),
        # ĐTB 7.88 but a component of 5.5: Khá needs every component ≥ 6
        (5.5, 8.0, [9.0], 7.88, "Trung bình"),
        (4.0, 9.0, [9.0], 7.75, "Không hoàn thành"),  # a component below 5
    ],
)
def test_r_bdtx_1_tt26_2012_worked_example(
    nd1: float, nd2: float, nd3: list[float], average: float, expected: str
) -> None:
    rules = preset_rules(Preset.tt26_2012)
    assert "Điều 10" in rules.legal_basis
    blocks = {"ministry": [nd1], "local": [nd2], "elective": nd3}
    result_class, passed, got, _ = classify(
        rules, 120, [nd1, nd2, *nd3], by_block=FULL_TT26, block_scores=blocks
    )
    assert (result_class, got) == (expected, average)
    assert passed is (expected != "Không hoàn thành")


@pytest.mark.parametrize(
    ("marks", "by_block", "expected"),
    [
        ([9.0, 8.0, 8.5], FULL_TT17, "Hoàn thành tốt"),
        ([9.0, 6.0, 9.0], FULL_TT17, "Hoàn thành"),  # average 8 but a module below 6.5
        ([9.0, 9.0, 9.0], {"ministry": 80, "elective": 40}, "Không hoàn thành"),
    ],
)
def test_r_bdtx_1_tt17_2019_worked_example(
    marks: list[float], by_block: dict[str, int], expected: str
) -> None:
    rules = preset_rules(Preset.tt17_2019)
    blocks = dict(zip(("ministry", "local", "elective"), [[m] for m in marks], strict=True))
    result_class, _, _, _ = classify(
        rules, sum(by_block.values()), marks, by_block=by_block, block_scores=blocks
    )
    assert result_class == expected


def test_r_bdtx_1_the_unit_plan_deadline_speaks_of_the_unit_plan(
    client: TestClient, session: Session
) -> None:
    units = make_tree(session)
    set_policy(client, year="2024-2025")
    mods = catalogue(session)
    r = client.post(
        f"{B}/unit-plans",
        json={
            "unit_id": units["s1"].id,
            "school_year": "2024-2025",
            "module_codes": [mods["M1"].code],
        },
    )
    assert r.status_code == 201, r.text
    r = act(client, f"{B}/unit-plans/{r.json()['id']}", "submit")
    assert (r.status_code, r.json()["code"], r.json()["rule"]) == (
        409,
        "bdtx_unit_plan_deadline_passed",
        "R-BDTX-1",
    )
    assert "của đơn vị" in r.json()["detail"]
    assert "cá nhân" not in r.json()["detail"]
