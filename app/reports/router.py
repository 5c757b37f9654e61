from typing import Annotated, Any

from fastapi import Query, Request, Response
from pydantic import TypeAdapter

from app.auth.actor import ActorDep
from app.core.errors import problem_responses
from app.core.exports import Column, export_responses, negotiate, table_response
from app.core.replica import ReportSessionDep
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.reports import service
from app.reports.schemas import ComplianceReport, EmulationReport
from app.web.routing import api_router

router = api_router("/api/v1/reports", "reports")
PROBLEMS = problem_responses(403, 404)
YEAR_HELP = "e.g. 2024-2025; default: the current school year."
UNIT_HELP = "Report on this unit and the units below it; default: the caller's units."

UNIT_COLUMNS = [
    Column("unit_name", "Đơn vị", "Unit", width=40),
    Column("scope_label", "Phạm vi", "Scope", width=22),
    Column("school_year", "Năm học", "School year", width=11),
]
EMULATION_COLUMNS = [
    *UNIT_COLUMNS,
    Column("unexcused_absence", "Vắng không phép", "Unexcused absences", total=True),
    Column("nomination_mismatch", "Cử sai thành phần", "Nomination mismatches", total=True),
    Column(
        "unapproved_participation",
        "Tham gia khi chưa được phép",
        "Unapproved participation",
        total=True,
    ),
    Column("unapproved_organising", "Tự ý tổ chức", "Unapproved organising", total=True),
    Column("violations", "Tổng số vi phạm", "Violations", total=True),
    Column("violations_cited", "Vi phạm đã bị phê bình", "Violations cited", total=True),
    Column("letters_received", "Văn bản phê bình nhận", "Letters received", total=True),
    Column(
        "letters_proposing_emulation",
        "Đề nghị xét thi đua",
        "Proposed for emulation review",
        total=True,
    ),
]
COMPLIANCE_COLUMNS = [
    *UNIT_COLUMNS,
    Column("quota", "Số lượng triệu tập", "Places summoned", total=True),
    Column("nominated", "Số đã cử", "Nominated", total=True),
    Column("nomination_fill_rate", "Tỉ lệ cử", "Nomination fill rate", percent=True),
    Column("attendance_marks", "Số lượt điểm danh", "Attendance marks", total=True),
    Column("attended", "Số lượt có mặt", "Attended", total=True),
    Column("attendance_rate", "Tỉ lệ tham dự", "Attendance rate", percent=True),
    Column("unexcused_absences", "Vắng không phép", "Unexcused absences", total=True),
    Column("participation_submitted", "Đề nghị tham gia chờ duyệt", "Requests pending", total=True),
    Column("participation_consented", "Được đồng ý", "Consented", total=True),
    Column("participation_refused", "Bị từ chối", "Refused", total=True),
    Column("participation_withdrawn", "Đã rút", "Withdrawn", total=True),
    Column("violations", "Tổng số vi phạm", "Violations", total=True),
]


# The reports answer with the bytes of their response model, validated and serialised once:
# returned as a model, FastAPI would validate it a second time before serialising. Same body,
# same contract (`response_model` stays on the routes).
EMULATION_JSON = TypeAdapter(EmulationReport)
COMPLIANCE_JSON = TypeAdapter(ComplianceReport)


def _json(
    adapter: TypeAdapter[Any],
    scope: service.Scope,
    rows: list[dict[str, Any]],
    totals: dict[str, Any],
) -> Response:
    report = {
        "school_year": scope.school_year,
        # the units covered: each has its `own` row
        "unit_ids": sorted(r["unit_id"] for r in rows if r["scope"] == "own"),
        "units": rows,
        "totals": totals,
    }
    body = adapter.dump_json(adapter.validate_python(report))
    return Response(body, media_type="application/json")


@router.get(
    "/emulation",
    name="reports-emulation",
    response_model=EmulationReport,
    responses={**export_responses(EmulationReport), **PROBLEMS},
)
def emulation_report(
    request: Request,
    session: ReportSessionDep,
    actor: ActorDep,
    school_year: Annotated[SchoolYear | None, Query(description=YEAR_HELP)] = None,
    unit_id: Annotated[Id | None, Query(description=UNIT_HELP)] = None,
) -> Any:
    """Year-end emulation review (R-VIO-1), per unit with its subtree rolled up: violations
    by kind, criticism letters received and those proposing the review. JSON, CSV or XLSX."""
    scope = service.report_scope(actor, school_year, unit_id)
    rows, totals = service.emulation(session, scope)
    fmt = negotiate(request)
    if fmt != "json":
        return table_response(
            request,
            title_vi=f"Vi phạm, phê bình và xét thi đua năm học {scope.school_year}",
            title_en=f"Violations, criticism and emulation review {scope.school_year}",
            columns=EMULATION_COLUMNS,
            rows=rows,
            filename=f"xet-thi-dua-{scope.school_year}",
            fmt=fmt,
        )
    return _json(EMULATION_JSON, scope, rows, totals)


@router.get(
    "/compliance",
    name="reports-compliance",
    response_model=ComplianceReport,
    responses={**export_responses(ComplianceReport), **PROBLEMS},
)
def compliance_report(
    request: Request,
    session: ReportSessionDep,
    actor: ActorDep,
    school_year: Annotated[SchoolYear | None, Query(description=YEAR_HELP)] = None,
    unit_id: Annotated[Id | None, Query(description=UNIT_HELP)] = None,
) -> Any:
    """Compliance with the dispatch per unit, subtree rolled up: nomination fill rate,
    attendance rate, unexcused absences, external participation requests by outcome and
    violations. JSON, CSV or XLSX."""
    scope = service.report_scope(actor, school_year, unit_id)
    rows, totals = service.compliance(session, scope)
    fmt = negotiate(request)
    if fmt != "json":
        return table_response(
            request,
            title_vi=f"Tình hình thực hiện tập huấn, hội nghị năm học {scope.school_year}",
            title_en=f"Compliance with trainings and events {scope.school_year}",
            columns=COMPLIANCE_COLUMNS,
            rows=rows,
            filename=f"tuan-thu-{scope.school_year}",
            fmt=fmt,
        )
    return _json(COMPLIANCE_JSON, scope, rows, totals)
