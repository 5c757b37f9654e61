"""Route matrix cases for bulk imports (app.bulk) and their templates.

Imports run in ``partial`` mode here: a caller in the sibling subtree gets 200 with the row
refused as "unit not found" (scope is checked per row), which ``sees_target`` tells apart.
Templates hold no data: every signed-in caller gets them, wherever their grant sits.
"""

from typing import Any

from app.auth.models import Role
from tests.matrix.base import Case, World


def _created(w: World, body: Any) -> bool:
    return [r["status"] for r in body["rows"]] == ["created"]


def _staff_rows(w: World) -> tuple[str, Any, dict[str, str]]:
    row = {
        "external_code": "IMPORT-1",
        "full_name": "Nguyễn Văn Nhập",
        "unit_external_code": w.units["s1"].external_code,
        "category": "teacher",
    }
    return ("/api/v1/staff/bulk?mode=partial", [row], {})


def _unit_rows(w: World) -> tuple[str, Any, dict[str, str]]:
    row = {
        "external_code": "IMPORT-U1",
        "name": "Điểm trường nhập",
        "kind": "school",
        "parent_external_code": w.units["s1"].external_code,
    }
    return ("/api/v1/units/bulk?mode=partial", [row], {})


def _module_rows(w: World) -> tuple[str, Any, dict[str, str]]:
    row = {"code": "IMPORT-M1", "title": "Mô-đun nhập", "block": "elective", "periods": 10}
    return ("/api/v1/bdtx/modules/bulk", [row], {})


def _mark_rows(w: World) -> tuple[str, Any, dict[str, str]]:
    from tests.matrix.events import E, eid, sid

    row = {"staff_external_code": w.staff.external_code, "status": "present"}
    return (f"{E}/{eid(w)}/sessions/{sid(w)}/attendance/bulk", [row], {})


def _lms_rows(w: World) -> tuple[str, Any, dict[str, str]]:
    from tests.bdtx.helpers import YEAR
    from tests.matrix.bdtx import mods

    row = {
        "staff_external_code": w.staff.external_code,
        "school_year": YEAR,
        "module_code": mods(w)["L1"],
        "periods": 40,
        "score": 8,
    }
    return ("/api/v1/bdtx/lms-completions/bulk?mode=partial", [row], {})


CASES = [
    Case(
        "GET",
        "/api/v1/bulk/templates",
        Role.staff,
        lambda w: ("/api/v1/bulk/templates", None, {}),
        siblings=False,
    ),
    Case(
        "GET",
        "/api/v1/bulk/templates/{resource}",
        Role.staff,
        lambda w: ("/api/v1/bulk/templates/staff", None, {}),
        siblings=False,
    ),
    Case(
        "POST",
        "/api/v1/staff/bulk",
        Role.unit_head,
        _staff_rows,
        wrong=Role.inspector,
        sees_target=_created,
    ),
    Case(
        "POST",
        "/api/v1/units/bulk",
        Role.department_officer,
        _unit_rows,
        wrong=Role.unit_head,
        sees_target=_created,
    ),
    # the catalogue is province-wide: no sibling subtree to hide it from
    Case(
        "POST",
        "/api/v1/bdtx/modules/bulk",
        Role.department_officer,
        _module_rows,
        wrong=Role.unit_head,
        siblings=False,
        unit="so",  # R-GOV-2
    ),
    # the event's organisers (department officers of d1); others do not see the event (404)
    Case(
        "POST",
        "/api/v1/events/{event_id}/sessions/{session_id}/attendance/bulk",
        Role.department_officer,
        _mark_rows,
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/bdtx/lms-completions/bulk",
        Role.department_officer,
        _lms_rows,
        wrong=Role.unit_head,
        sees_target=_created,
    ),
]
