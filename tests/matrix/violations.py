"""Route matrix cases for violations, criticism letters (R-VIO-1) and the emulation and
compliance reports.

The world's violations are at school s1 (under office d1); letters go from d1 to s1.
Department officers of d1 review, inspectors only read, unit heads never review.
"""

from typing import Any

from app.auth.models import Role
from app.criticisms.models import Criticism
from app.violations.models import Violation, ViolationStatus
from tests.matrix.base import Case, Request, World, ids_in, u
from tests.violations.factories import letter_body, make_letter, make_violation

V = "/api/v1/violations"
C = "/api/v1/criticisms"
REPORTS = "/api/v1/reports"
DO, INSP = Role.department_officer, Role.inspector


def violation(w: World, status: ViolationStatus = ViolationStatus.open) -> Violation:
    return make_violation(w.session, w.units["s1"], w.staff, status=status)


def vid(w: World) -> int:
    if "violation" not in w.__dict__:
        w.__dict__["violation"] = violation(w).id
    return w.__dict__["violation"]


def letter(w: World) -> Criticism:
    return make_letter(w.session, w.units["d1"], w.units["s1"], [violation(w)])


def cid(w: World) -> int:
    if "letter" not in w.__dict__:
        w.__dict__["letter"] = letter(w).id
    return w.__dict__["letter"]


def _action(w: World, url: str, verb: str, body: dict[str, Any] | None) -> Request:
    return f"{url}/{verb}", body, w.etag(url)


def _report(w: World, name: str) -> Request:
    violation(w)
    return f"{REPORTS}/{name}?school_year=2024-2025&unit_id={u(w, 'd1')}", None, {}


CASES = [
    Case(
        "GET",
        V,
        INSP,
        lambda w: (vid(w) and V, None, {}),
        sees_target=lambda w, b: vid(w) in ids_in(b),
    ),
    Case(
        "POST",
        V,
        DO,
        lambda w: (
            V,
            {
                "kind": "unapproved_organising",
                "unit_id": u(w),
                "evidence": "Trường tự tổ chức hội thảo ngày 12/10/2024 khi chưa được phép.",
            },
            {},
        ),
        expect=201,
        wrong=INSP,
    ),
    Case("GET", V + "/{violation_id}", INSP, lambda w: (f"{V}/{vid(w)}", None, {})),
    Case(
        "POST",
        V + "/{violation_id}/dismiss",
        DO,
        lambda w: _action(w, f"{V}/{vid(w)}", "dismiss", {"reason": "Đã có đơn xin phép"}),
        wrong=INSP,
    ),
    Case(
        "POST",
        V + "/{violation_id}/close",
        DO,
        lambda w: _action(w, f"{V}/{violation(w, ViolationStatus.cited).id}", "close", None),
        wrong=INSP,
    ),
    Case(
        "GET",
        C,
        INSP,
        lambda w: (cid(w) and C, None, {}),
        sees_target=lambda w, b: cid(w) in ids_in(b),
    ),
    Case(
        "POST",
        C,
        DO,
        lambda w: (C, letter_body(w.units["d1"], w.units["s1"], [violation(w)]), {}),
        expect=201,
        wrong=INSP,
    ),
    Case("GET", C + "/{criticism_id}", INSP, lambda w: (f"{C}/{cid(w)}", None, {})),
    Case(
        "PATCH",
        C + "/{criticism_id}",
        DO,
        lambda w: (
            f"{C}/{cid(w)}",
            {"propose_emulation": False},
            w.etag(f"{C}/{cid(w)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        C + "/{criticism_id}/issue",
        DO,
        lambda w: _action(w, f"{C}/{cid(w)}", "issue", None),
        wrong=INSP,
    ),
    Case(
        "GET",
        C + "/{criticism_id}/document",
        INSP,
        lambda w: (f"{C}/{cid(w)}/document", None, {}),
    ),
    Case(
        "GET",
        REPORTS + "/emulation",
        INSP,
        lambda w: _report(w, "emulation"),
        wrong=Role.staff,
    ),
    Case(
        "GET",
        REPORTS + "/compliance",
        INSP,
        lambda w: _report(w, "compliance"),
        wrong=Role.staff,
    ),
]
