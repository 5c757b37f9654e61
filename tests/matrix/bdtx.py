"""Route matrix cases for the BDTX cycle (R-BDTX-1..5).

The world's staff member (a teacher of school s1, under office d1) has a plan, self-study,
a result and a certificate; s1 reports to d1. Department officers of d1 are the managing
authority of s1; inspectors read and inspect; unit heads of d1 manage s1's records.
"""

from typing import Any

from app.auth.models import Role
from tests.bdtx.helpers import YEAR, B, catalogue, credit, evaluation
from tests.matrix.base import Case, Request, World, ids_in, u

P = f"/api/v1/school-years/{YEAR}/policy"
DO, INSP, HEAD = Role.department_officer, Role.inspector, Role.unit_head


def _once(w: World, key: str, make: Any) -> Any:
    if key not in w.__dict__:
        w.__dict__[key] = make()
    return w.__dict__[key]


def mods(w: World) -> dict[str, str]:
    def make() -> dict[str, str]:
        assert w.admin.put(P, json={"preset": "tt17_2019"}).status_code == 200
        return {k: m.code for k, m in catalogue(w.session, w.units["so"]).items()}

    return _once(w, "mods", make)


def _post(w: World, url: str, body: Any) -> int:
    r = w.admin.post(url, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _verb(w: World, url: str, verb: str) -> None:
    r = w.admin.post(f"{url}/{verb}", headers=w.etag(url))
    assert r.status_code == 200, r.text


def plan_body(w: World) -> dict[str, Any]:
    m = mods(w)
    return {
        "staff_id": w.staff.id,
        "school_year": YEAR,
        "module_codes": [m["M1"], m["L1"], m["E1"]],
        "self_evaluation": evaluation(),
    }


def plan(w: World, submitted: bool = False) -> int:
    pid = _once(w, "plan", lambda: _post(w, f"{B}/personal-plans", plan_body(w)))
    if submitted and "plan_submitted" not in w.__dict__:
        _verb(w, f"{B}/personal-plans/{pid}", "submit")
        w.__dict__["plan_submitted"] = True
    return pid


def study_body(w: World) -> dict[str, Any]:
    return {
        "staff_id": w.staff.id,
        "school_year": YEAR,
        "module_code": mods(w)["E1"],
        "periods": 10,
        "description": "Tự học",
        "evidence_url": "https://lms.example.vn/1",
    }


def study(w: World) -> int:
    return _once(w, "study", lambda: _post(w, f"{B}/self-study", study_body(w)))


def result(w: World, final: bool = False) -> int:
    def make() -> int:
        m = mods(w)
        for key in ("M1", "L1", "E1"):
            credit(w.session, w.staff, m[key])
        body = [
            {"staff_id": w.staff.id, "school_year": YEAR, "module_code": m[k], "score": 8.0}
            for k in ("M1", "L1", "E1")
        ]
        assert w.admin.post(f"{B}/module-scores", json=body).status_code == 200
        return _post(w, f"{B}/results", {"staff_id": w.staff.id, "school_year": YEAR})

    rid = _once(w, "result", make)
    if final and "final" not in w.__dict__:
        _verb(w, f"{B}/results/{rid}", "finalise")
        w.__dict__["final"] = True
    return rid


def cert(w: World) -> int:
    return _once(w, "cert", lambda: _post(w, f"{B}/certificates", {"result_id": result(w, True)}))


def report(w: World, submitted: bool = False) -> int:
    rid = _once(
        w,
        "report",
        lambda: _post(w, f"{B}/unit-reports", {"unit_id": u(w), "school_year": YEAR}),
    )
    if submitted and "report_submitted" not in w.__dict__:
        _verb(w, f"{B}/unit-reports/{rid}", "submit")
        w.__dict__["report_submitted"] = True
    return rid


def unit_plan(w: World, submitted: bool = False) -> int:
    body = {"unit_id": u(w), "school_year": YEAR, "module_codes": [mods(w)["M1"]]}
    pid = _once(w, "unit_plan", lambda: _post(w, f"{B}/unit-plans", body))
    if submitted and "unit_plan_submitted" not in w.__dict__:
        _verb(w, f"{B}/unit-plans/{pid}", "submit")
        w.__dict__["unit_plan_submitted"] = True
    return pid


def _action(w: World, url: str, verb: str, body: dict[str, Any] | None = None) -> Request:
    return f"{url}/{verb}", body, w.etag(url)


def _sees(target: Any) -> Any:
    return lambda w, b: target(w) in ids_in(b)


CASES = [
    # the year's policy (R-BDTX-1): province-wide, so no sibling cases
    Case(
        "GET",
        "/api/v1/school-years/{school_year}/policy/presets",
        INSP,
        lambda w: (f"{P}/presets", None, {}),
        siblings=False,
    ),
    Case(
        "GET",
        "/api/v1/school-years/{school_year}/policy",
        INSP,
        lambda w: (mods(w) and P, None, {}),
        siblings=False,
    ),
    Case(
        "PUT",
        "/api/v1/school-years/{school_year}/policy",
        DO,
        lambda w: (P, {"preset": "tt26_2012"}, {}),
        wrong=HEAD,
        siblings=False,
        unit="so",  # R-GOV-2: province data changes only from the Sở up
    ),
    # the catalogue
    Case("GET", B + "/modules", INSP, lambda w: (f"{B}/modules", None, {}), siblings=False),
    Case(
        "POST",
        B + "/modules",
        DO,
        lambda w: (
            f"{B}/modules",
            {"code": "MD-NEW", "title": "Mô-đun mới", "block": "elective", "periods": 10},
            {},
        ),
        expect=201,
        wrong=HEAD,
        siblings=False,
        unit="so",
    ),
    Case(
        "POST",
        B + "/modules/import",
        DO,
        lambda w: (f"{B}/modules/import", b"code,title,block,periods\r\n", {}),
        wrong=HEAD,
        siblings=False,
        unit="so",
    ),
    Case(
        "GET",
        B + "/modules/{module_id}",
        INSP,
        lambda w: (
            f"{B}/modules/{w.admin.get(f'{B}/modules').json()['items'][0]['id'] if mods(w) else 0}",
            None,
            {},
        ),
        siblings=False,
    ),
    # personal plans (R-BDTX-1, R-BDTX-2)
    Case(
        "GET",
        B + "/personal-plans",
        INSP,
        lambda w: (plan(w) and f"{B}/personal-plans", None, {}),
        sees_target=_sees(plan),
    ),
    Case(
        "POST",
        B + "/personal-plans",
        HEAD,
        lambda w: (f"{B}/personal-plans", plan_body(w), {}),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/personal-plans/{plan_id}",
        INSP,
        lambda w: (f"{B}/personal-plans/{plan(w)}", None, {}),
    ),
    Case(
        "PUT",
        B + "/personal-plans/{plan_id}",
        HEAD,
        lambda w: (
            f"{B}/personal-plans/{plan(w)}",
            plan_body(w),
            w.etag(f"{B}/personal-plans/{plan(w)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/personal-plans/{plan_id}/suggestions",
        INSP,
        lambda w: (f"{B}/personal-plans/{plan(w)}/suggestions", None, {}),
    ),
    Case(
        "POST",
        B + "/personal-plans/{plan_id}/submit",
        HEAD,
        lambda w: _action(w, f"{B}/personal-plans/{plan(w)}", "submit"),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/personal-plans/{plan_id}/approve",
        HEAD,
        lambda w: _action(w, f"{B}/personal-plans/{plan(w, True)}", "approve"),
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "POST",
        B + "/personal-plans/{plan_id}/return",
        HEAD,
        lambda w: _action(w, f"{B}/personal-plans/{plan(w, True)}", "return", {"note": "Sửa"}),
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    # learning records (R-BDTX-4)
    Case(
        "GET",
        B + "/self-study",
        INSP,
        lambda w: (study(w) and f"{B}/self-study", None, {}),
        sees_target=_sees(study),
    ),
    Case(
        "POST",
        B + "/self-study",
        HEAD,
        lambda w: (f"{B}/self-study", study_body(w), {}),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/self-study/{record_id}",
        INSP,
        lambda w: (f"{B}/self-study/{study(w)}", None, {}),
    ),
    Case(
        "POST",
        B + "/self-study/{record_id}/inspect",
        INSP,
        lambda w: _action(
            w, f"{B}/self-study/{study(w)}", "inspect", {"approved": True, "note": "Đạt"}
        ),
        wrong=Role.organizer,
    ),
    Case(
        "POST",
        B + "/module-scores",
        HEAD,
        lambda w: (
            f"{B}/module-scores",
            [
                {
                    "staff_id": w.staff.id,
                    "school_year": YEAR,
                    "module_code": mods(w)["M1"],
                    "score": 7,
                }
            ],
            {},
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/lms-completions",
        DO,
        lambda w: (
            f"{B}/lms-completions",
            [
                {
                    "staff_external_code": w.staff.external_code,
                    "school_year": YEAR,
                    "module_code": mods(w)["L1"],
                    "periods": 40,
                    "score": 8,
                }
            ],
            {},
        ),
        wrong=HEAD,
    ),
    # results and certificates (R-BDTX-1)
    Case(
        "GET",
        B + "/results",
        INSP,
        lambda w: (result(w) and f"{B}/results", None, {}),
        sees_target=_sees(result),
    ),
    Case(
        "POST",
        B + "/results",
        HEAD,
        lambda w: (mods(w) and f"{B}/results", {"staff_id": w.staff.id, "school_year": YEAR}, {}),
        expect=201,
        wrong=INSP,
    ),
    Case("GET", B + "/results/{result_id}", INSP, lambda w: (f"{B}/results/{result(w)}", None, {})),
    Case(
        "POST",
        B + "/results/{result_id}/finalise",
        DO,
        lambda w: _action(w, f"{B}/results/{result(w)}", "finalise"),
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/certificates",
        INSP,
        lambda w: (cert(w) and f"{B}/certificates", None, {}),
        sees_target=_sees(cert),
    ),
    Case(
        "POST",
        B + "/certificates",
        DO,
        lambda w: (f"{B}/certificates", {"result_id": result(w, True)}, {}),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/certificates/{certificate_id}",
        INSP,
        lambda w: (f"{B}/certificates/{cert(w)}", None, {}),
    ),
    Case(
        "GET",
        B + "/certificates/{certificate_id}/document",
        INSP,
        lambda w: (f"{B}/certificates/{cert(w)}/document", None, {}),
    ),
    Case(
        "GET",
        B + "/units/{unit_id}/certificates/document",
        INSP,
        lambda w: (cert(w) and f"{B}/units/{u(w)}/certificates/document", None, {}),
    ),
    Case(
        "POST",
        B + "/certificates/{certificate_id}/revoke",
        DO,
        lambda w: _action(w, f"{B}/certificates/{cert(w)}", "revoke", {"reason": "Cấp nhầm"}),
        wrong=INSP,
    ),
    # unit plans (R-BDTX-1, R-BDTX-5)
    Case(
        "GET",
        B + "/unit-plans",
        INSP,
        lambda w: (unit_plan(w) and f"{B}/unit-plans", None, {}),
        sees_target=_sees(unit_plan),
    ),
    Case(
        "POST",
        B + "/unit-plans",
        HEAD,
        lambda w: (
            f"{B}/unit-plans",
            {"unit_id": u(w), "school_year": YEAR, "module_codes": [mods(w)["M1"]]},
            {},
        ),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/unit-plans/{plan_id}",
        INSP,
        lambda w: (f"{B}/unit-plans/{unit_plan(w)}", None, {}),
    ),
    Case(
        "PATCH",
        B + "/unit-plans/{plan_id}",
        HEAD,
        lambda w: (
            f"{B}/unit-plans/{unit_plan(w)}",
            {"module_codes": [mods(w)["M1"], mods(w)["E1"]]},
            w.etag(f"{B}/unit-plans/{unit_plan(w)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-plans/{plan_id}/submit",
        HEAD,
        lambda w: _action(w, f"{B}/unit-plans/{unit_plan(w)}", "submit"),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-plans/{plan_id}/approve",
        DO,
        lambda w: _action(w, f"{B}/unit-plans/{unit_plan(w, True)}", "approve"),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-plans/{plan_id}/return",
        DO,
        lambda w: _action(w, f"{B}/unit-plans/{unit_plan(w, True)}", "return", {"note": "Sửa"}),
        wrong=INSP,
    ),
    # unit reports (R-BDTX-5) and the province report (R-BDTX-4)
    Case(
        "GET",
        B + "/unit-reports",
        INSP,
        lambda w: (report(w) and f"{B}/unit-reports", None, {}),
        sees_target=_sees(report),
    ),
    Case(
        "POST",
        B + "/unit-reports",
        HEAD,
        lambda w: (f"{B}/unit-reports", {"unit_id": u(w), "school_year": YEAR}, {}),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "GET",
        B + "/unit-reports/{report_id}",
        INSP,
        lambda w: (f"{B}/unit-reports/{report(w)}", None, {}),
    ),
    Case(
        "PATCH",
        B + "/unit-reports/{report_id}",
        HEAD,
        lambda w: (
            f"{B}/unit-reports/{report(w)}",
            {"note": "Bổ sung số liệu"},
            w.etag(f"{B}/unit-reports/{report(w)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-reports/{report_id}/submit",
        HEAD,
        lambda w: _action(w, f"{B}/unit-reports/{report(w)}", "submit"),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-reports/{report_id}/accept",
        DO,
        lambda w: _action(w, f"{B}/unit-reports/{report(w, True)}", "accept"),
        wrong=INSP,
    ),
    Case(
        "POST",
        B + "/unit-reports/{report_id}/return",
        DO,
        lambda w: _action(w, f"{B}/unit-reports/{report(w, True)}", "return", {"note": "Bổ sung"}),
        wrong=INSP,
    ),
    Case(
        "GET",
        "/api/v1/reports/bdtx",
        INSP,
        lambda w: (f"/api/v1/reports/bdtx?school_year={YEAR}&unit_id={u(w)}", None, {}),
    ),
]
