from typing import Annotated, Any

from fastapi import Body, Query, Request, Response, status

from app.auth.actor import ActorDep
from app.bdtx import results, service, unit_plans
from app.bdtx.certificate_document import keep_as_issued
from app.bdtx.certificate_page import certificate_page, missing_page, wants_html
from app.bdtx.models import (
    BdtxModule,
    BdtxResult,
    Certificate,
    PersonalPlan,
    PlanStatus,
    ReportStatus,
    ResultStatus,
    SelfStudy,
    SelfStudyStatus,
    UnitPlan,
    UnitReport,
    YearPolicy,
)
from app.bdtx.policy import Preset, preset_rules
from app.bdtx.schemas import (
    BdtxReport,
    BdtxReportRow,
    BulkOutcome,
    CertificateCreate,
    CertificateRead,
    Decision,
    ImportResult,
    Inspection,
    LmsCompletion,
    ModuleCreate,
    ModuleRead,
    PlanCreate,
    PlanRead,
    PolicyPut,
    PolicyRead,
    PresetRead,
    PublicCertificate,
    ReportCreate,
    ReportRead,
    ReportUpdate,
    ResultCompute,
    ResultRead,
    RevokeRequest,
    ScoreIn,
    SelfStudyCreate,
    SelfStudyRead,
    Suggestions,
    UnitPlanCreate,
    UnitPlanRead,
    UnitPlanUpdate,
)
from app.core.concurrency import IfMatchDep, OptionalIfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.exports import Column, export_responses, negotiate, table_response
from app.core.idempotency import IdempotencyDep
from app.core.model_base import to_local_date, utcnow
from app.core.pagination import PageDep
from app.core.replica import ReportSessionDep
from app.core.schemas import Page, whole
from app.core.school_year import SchoolYear, school_year_of
from app.core.types import Id
from app.web.routing import api_router
from app.web.transitions import decision, transition, without_body

policy_router = api_router("/api/v1/school-years", "bdtx-policy")
router = api_router("/api/v1/bdtx", "bdtx")
reports_router = api_router("/api/v1/reports", "reports")
public_router = api_router("/api/v1/public", "public", public=True)

WRITE = problem_responses(403, 404, 409, 412, 428)
YEAR_HELP = "e.g. 2024-2025; default: the current school year."
UNIT_HELP = "Report on the units below this one; default: the caller's units."
CREATE = problem_responses(403, 404, 409)
YEAR = Annotated[SchoolYear | None, Query()]


# --- policy ---------------------------------------------------------------------------------


def _policy(session: SessionDep, response: Response, policy: YearPolicy) -> PolicyRead:
    response.headers["ETag"] = f'"{policy.revision}"'
    frozen = service.is_frozen(session, policy.school_year)
    return PolicyRead.model_validate({**policy.model_dump(), "frozen": frozen})


@policy_router.get(
    "/{school_year}/policy/presets", name="bdtx-policy-presets", response_model=Page[PresetRead]
)
def list_presets(school_year: SchoolYear) -> Page[PresetRead]:
    """The two legal bases shipped as starting points: TT 17/2019 and TT 26/2012."""
    return whole([PresetRead(preset=p, rules=preset_rules(p)) for p in Preset])


@policy_router.get(
    "/{school_year}/policy", name="bdtx-policy-get", responses=problem_responses(404)
)
def get_policy(
    session: SessionDep, actor: ActorDep, school_year: SchoolYear, response: Response
) -> PolicyRead:
    """The year's current policy revision; `ETag` is the revision."""
    return _policy(session, response, service.get_policy(session, school_year))


@policy_router.put(
    "/{school_year}/policy", name="bdtx-policy-put", responses=problem_responses(403, 409, 412)
)
def put_policy(
    session: SessionDep,
    actor: ActorDep,
    school_year: SchoolYear,
    body: PolicyPut,
    response: Response,
    expected: OptionalIfMatchDep,
) -> PolicyRead:
    """A new revision of the year's policy (admins, department officers); refused once a
    result of the year is finalised (R-BDTX-1). `If-Match` is optional (the revision)."""
    policy = service.put_policy(session, actor, school_year, body, expected)
    return _policy(session, response, policy)


# --- modules --------------------------------------------------------------------------------


def _module(response: Response, module: BdtxModule) -> ModuleRead:
    set_etag(response, module.version)
    return ModuleRead.model_validate(module)


@router.get("/modules", name="bdtx-modules-list", response_model=Page[ModuleRead])
def list_modules(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    block: Annotated[str | None, Query(max_length=32)] = None,
    education_level: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[ModuleRead]:
    items, cursor = service.list_modules(session, page, block, education_level)
    return Page(items=[ModuleRead.model_validate(m) for m in items], next_cursor=cursor)


@router.post(
    "/modules",
    name="bdtx-modules-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def create_module(
    session: SessionDep, actor: ActorDep, body: ModuleCreate, response: Response
) -> ModuleRead:
    module = service.create_module(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/modules/{module.id}"
    return _module(response, module)


@router.post(
    "/modules/import",
    name="bdtx-modules-import",
    responses=problem_responses(403),
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {
                    # the custom format names the columns' rules for generators that know it
                    # (`.ci/schemathesis_hooks.py`); the description is for people
                    "schema": {
                        "type": "string",
                        "format": service.MODULES_CSV_FORMAT,
                        "description": "UTF-8 CSV whose header names at least "
                        + ", ".join(service.MODULE_COLUMNS),
                    }
                }
            },
            "required": True,
        }
    },
)
async def import_modules(request: Request, session: SessionDep, actor: ActorDep) -> ImportResult:
    """CSV `code,title,block,periods,categories,education_levels,criteria,materials` (lists
    separated by `;`); upserts by code, all-or-nothing."""
    content = await request.body()
    return ImportResult(rows=service.import_modules(session, actor, content))


@router.get("/modules/{module_id}", name="bdtx-modules-get", responses=problem_responses(404))
def get_module(
    session: SessionDep, actor: ActorDep, module_id: Id, response: Response
) -> ModuleRead:
    return _module(response, service.get_module(session, module_id))


# --- personal plans -------------------------------------------------------------------------


def _plan(response: Response, plan: PersonalPlan) -> PlanRead:
    set_etag(response, plan.version)
    return PlanRead.model_validate(plan)


@router.get("/personal-plans", name="bdtx-plans-list", response_model=Page[PlanRead])
def list_plans(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    status: PlanStatus | None = None,
    staff_id: Id | None = None,
) -> Page[PlanRead]:
    items, cursor = service.list_plans(session, actor, page, school_year, status, staff_id)
    return Page(items=[PlanRead.model_validate(p) for p in items], next_cursor=cursor)


@router.post(
    "/personal-plans",
    name="bdtx-plans-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def create_plan(
    session: SessionDep, actor: ActorDep, body: PlanCreate, response: Response
) -> PlanRead:
    """A person (or their unit head) picks modules and records the standards
    self-evaluation (TT 20/2018); modules must fit their category and level (R-BDTX-3)."""
    plan = service.create_plan(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/personal-plans/{plan.id}"
    return _plan(response, plan)


@router.get("/personal-plans/{plan_id}", name="bdtx-plans-get", responses=problem_responses(404))
def get_plan(session: SessionDep, actor: ActorDep, plan_id: Id, response: Response) -> PlanRead:
    return _plan(response, service.get_plan(session, actor, plan_id))


@router.put("/personal-plans/{plan_id}", name="bdtx-plans-update", responses=WRITE)
def update_plan(
    session: SessionDep,
    actor: ActorDep,
    plan_id: Id,
    body: PlanCreate,
    version: IfMatchDep,
    response: Response,
) -> PlanRead:
    """Revise a draft or returned plan."""
    plan = service.get_plan(session, actor, plan_id)
    return _plan(response, service.update_plan(session, actor, plan, body, version))


@router.get(
    "/personal-plans/{plan_id}/suggestions",
    name="bdtx-plans-suggestions",
    responses=problem_responses(404),
)
def plan_suggestions(session: SessionDep, actor: ActorDep, plan_id: Id) -> Suggestions:
    """Modules addressing the weakest criteria of the self-evaluation (R-BDTX-2)."""
    plan = service.get_plan(session, actor, plan_id)
    weakest, modules = service.suggest_modules(session, plan)
    return Suggestions(
        weakest_criteria=weakest, modules=[ModuleRead.model_validate(m) for m in modules]
    )


transition(
    router,
    "/personal-plans/{plan_id}/submit",
    "bdtx-plans-submit",
    read=PlanRead,
    load=service.get_plan,
    act=without_body(service.submit_plan),
    doc="`draft | returned → submitted`: checked against the year's policy, before its "
    "deadline, with the self-evaluation complete (R-BDTX-1, R-BDTX-2).",
)
transition(
    router,
    "/personal-plans/{plan_id}/approve",
    "bdtx-plans-approve",
    read=PlanRead,
    load=service.get_plan,
    act=decision(service.decide_plan, approve=True),
    body=Decision,
    body_optional=True,
    doc="`submitted → approved` by the head of the person's own unit.",
)
transition(
    router,
    "/personal-plans/{plan_id}/return",
    "bdtx-plans-return",
    read=PlanRead,
    load=service.get_plan,
    act=decision(service.decide_plan, approve=False),
    body=Decision,
    body_optional=True,
    doc="`submitted → returned` by the head of the person's own unit.",
)


# --- learning records -----------------------------------------------------------------------


def _study(response: Response, record: SelfStudy) -> SelfStudyRead:
    set_etag(response, record.version)
    return SelfStudyRead.model_validate(record)


@router.get("/self-study", name="bdtx-self-study-list", response_model=Page[SelfStudyRead])
def list_self_study(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    status: SelfStudyStatus | None = None,
    staff_id: Id | None = None,
) -> Page[SelfStudyRead]:
    items, cursor = service.list_self_study(session, actor, page, school_year, status, staff_id)
    return Page(items=[SelfStudyRead.model_validate(r) for r in items], next_cursor=cursor)


@router.post(
    "/self-study",
    name="bdtx-self-study-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def log_self_study(
    session: SessionDep, actor: ActorDep, body: SelfStudyCreate, response: Response
) -> SelfStudyRead:
    """A self-study log with its evidence; credited once an inspection approves it."""
    record = service.log_self_study(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/self-study/{record.id}"
    return _study(response, record)


@router.get("/self-study/{record_id}", name="bdtx-self-study-get", responses=problem_responses(404))
def get_self_study(
    session: SessionDep, actor: ActorDep, record_id: Id, response: Response
) -> SelfStudyRead:
    return _study(response, service.get_self_study(session, actor, record_id))


@router.post("/self-study/{record_id}/inspect", name="bdtx-self-study-inspect", responses=WRITE)
def inspect_self_study(
    session: SessionDep,
    actor: ActorDep,
    record_id: Id,
    body: Inspection,
    version: IfMatchDep,
    response: Response,
) -> SelfStudyRead:
    """An inspector (or the unit head, the department) records the inspection result
    (R-BDTX-4); approved self-study credits its periods (source `self_study`)."""
    record = service.get_self_study(session, actor, record_id)
    record = service.inspect_self_study(session, actor, record, body.approved, body.note, version)
    return _study(response, record)


# Rows of a JSON list written one by one (several statements each): 5,000 took over 10 s on
# PostgreSQL (schemathesis timed out). Files go through the bulk endpoints.
ROWS = 1000


@router.post("/module-scores", name="bdtx-scores-record", responses=CREATE)
def record_scores(
    session: SessionDep, actor: ActorDep, body: Annotated[list[ScoreIn], Body(max_length=ROWS)]
) -> BulkOutcome:
    """Module scores (0–10) per person and year; upserts. Up to 1,000 rows a request."""
    return BulkOutcome(count=service.record_scores(session, actor, body))


@router.post("/lms-completions", name="bdtx-lms-import", responses=CREATE)
def import_lms(
    session: SessionDep,
    actor: ActorDep,
    body: Annotated[list[LmsCompletion], Body(max_length=ROWS)],
) -> BulkOutcome:
    """LMS completions by staff `external_code`: periods credited (source `lms`) and scores.
    Up to 1,000 rows a request; a whole file goes to `/lms-completions/bulk`."""
    return BulkOutcome(count=service.import_lms(session, actor, body))


# --- results and certificates ---------------------------------------------------------------


def _result(response: Response, result: BdtxResult) -> ResultRead:
    set_etag(response, result.version)
    return ResultRead.model_validate(result)


@router.get("/results", name="bdtx-results-list", response_model=Page[ResultRead])
def list_results(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    status: ResultStatus | None = None,
    staff_id: Id | None = None,
) -> Page[ResultRead]:
    items, cursor = results.list_results(session, actor, page, school_year, status, staff_id)
    return Page(items=[ResultRead.model_validate(r) for r in items], next_cursor=cursor)


@router.post(
    "/results",
    name="bdtx-results-compute",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def compute_result(
    session: SessionDep, actor: ActorDep, body: ResultCompute, response: Response
) -> ResultRead:
    """(Re)compute a person's result under the year's current policy: credited periods
    (events, self-study, LMS) and module scores. Finalised results never change."""
    result = results.compute_result(session, actor, body.staff_id, body.school_year)
    response.headers["Location"] = f"{router.prefix}/results/{result.id}"
    return _result(response, result)


@router.get("/results/{result_id}", name="bdtx-results-get", responses=problem_responses(404))
def get_result(
    session: SessionDep, actor: ActorDep, result_id: Id, response: Response
) -> ResultRead:
    return _result(response, results.get_result(session, actor, result_id))


@router.post("/results/{result_id}/finalise", name="bdtx-results-finalise", responses=WRITE)
def finalise_result(
    session: SessionDep, actor: ActorDep, result_id: Id, version: IfMatchDep, response: Response
) -> ResultRead:
    """`computed → finalised` by the managing authority above the person's unit; the
    year's policy is frozen from then on (R-BDTX-1)."""
    result = results.get_result(session, actor, result_id)
    return _result(response, results.finalise_result(session, actor, result, version))


def _cert(response: Response, cert: Certificate) -> CertificateRead:
    set_etag(response, cert.version)
    return CertificateRead.model_validate(cert)


@router.get("/certificates", name="bdtx-certificates-list", response_model=Page[CertificateRead])
def list_certificates(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    staff_id: Id | None = None,
) -> Page[CertificateRead]:
    items, cursor = results.list_certificates(session, actor, page, school_year, staff_id)
    return Page(items=[CertificateRead.model_validate(c) for c in items], next_cursor=cursor)


@router.post(
    "/certificates",
    name="bdtx-certificates-issue",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def issue_certificate(
    session: SessionDep, actor: ActorDep, body: CertificateCreate, response: Response
) -> CertificateRead:
    """For a finalised passing result (R-BDTX-1): a serial and a random verification code."""
    cert = results.issue_certificate(session, actor, body.result_id)
    keep_as_issued(session, cert)  # the PDF, signed when the issuer has a credential
    response.headers["Location"] = f"{router.prefix}/certificates/{cert.id}"
    return _cert(response, cert)


@router.get(
    "/certificates/{certificate_id}",
    name="bdtx-certificates-get",
    responses=problem_responses(404),
)
def get_certificate(
    session: SessionDep, actor: ActorDep, certificate_id: Id, response: Response
) -> CertificateRead:
    return _cert(response, results.get_certificate(session, actor, certificate_id))


@router.post(
    "/certificates/{certificate_id}/revoke", name="bdtx-certificates-revoke", responses=WRITE
)
def revoke_certificate(
    session: SessionDep,
    actor: ActorDep,
    certificate_id: Id,
    body: RevokeRequest,
    version: IfMatchDep,
    response: Response,
) -> CertificateRead:
    cert = results.get_certificate(session, actor, certificate_id)
    return _cert(response, results.revoke_certificate(session, actor, cert, body.reason, version))


@public_router.get(
    "/certificates/{code}",
    name="public-certificates-verify",
    response_model=PublicCertificate,
    responses={
        200: {
            "description": "JSON for clients; a page (text/html) for a browser, e.g. a phone "
            "that scanned the QR code on the printed certificate.",
            "content": {"application/json": {}, "text/html": {"schema": {"type": "string"}}},
        },
        **problem_responses(404),
    },
)
def verify_certificate(session: SessionDep, code: str, request: Request) -> Any:
    """No authentication: only the name, school year, result class, issuer and status."""
    try:
        found = results.verify_certificate(session, code)
    except NotFound:
        if wants_html(request):
            return missing_page(request)
        raise
    if wants_html(request):
        return certificate_page(request, found)
    return PublicCertificate.model_validate(found)


# --- unit plans -----------------------------------------------------------------------------


def _unit_plan(response: Response, plan: UnitPlan) -> UnitPlanRead:
    set_etag(response, plan.version)
    return UnitPlanRead.model_validate(plan)


@router.get("/unit-plans", name="bdtx-unit-plans-list", response_model=Page[UnitPlanRead])
def list_unit_plans(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    status: PlanStatus | None = None,
) -> Page[UnitPlanRead]:
    items, cursor = unit_plans.list_unit_plans(session, actor, page, school_year, status)
    return Page(items=[UnitPlanRead.model_validate(p) for p in items], next_cursor=cursor)


@router.post(
    "/unit-plans",
    name="bdtx-unit-plans-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def create_unit_plan(
    session: SessionDep, actor: ActorDep, body: UnitPlanCreate, response: Response
) -> UnitPlanRead:
    """A unit's modules and schedule for the year (R-BDTX-1)."""
    plan = unit_plans.create_unit_plan(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/unit-plans/{plan.id}"
    return _unit_plan(response, plan)


@router.get("/unit-plans/{plan_id}", name="bdtx-unit-plans-get", responses=problem_responses(404))
def get_unit_plan(
    session: SessionDep, actor: ActorDep, plan_id: Id, response: Response
) -> UnitPlanRead:
    return _unit_plan(response, unit_plans.get_unit_plan(session, actor, plan_id))


@router.patch("/unit-plans/{plan_id}", name="bdtx-unit-plans-update", responses=WRITE)
def update_unit_plan(
    session: SessionDep,
    actor: ActorDep,
    plan_id: Id,
    body: UnitPlanUpdate,
    version: IfMatchDep,
    response: Response,
) -> UnitPlanRead:
    """Correct a `draft` or `returned` plan (R-BDTX-1); 409 `bdtx_wrong_status` once it
    is submitted or approved."""
    plan = unit_plans.get_unit_plan(session, actor, plan_id)
    return _unit_plan(response, unit_plans.update_unit_plan(session, actor, plan, body, version))


transition(
    router,
    "/unit-plans/{plan_id}/submit",
    "bdtx-unit-plans-submit",
    read=UnitPlanRead,
    load=unit_plans.get_unit_plan,
    act=without_body(unit_plans.submit_unit_plan),
    doc="To the managing unit by the policy's month; the Sở's plan is sent to the Ministry "
    "with its nội dung 2 materials (R-BDTX-5).",
)
transition(
    router,
    "/unit-plans/{plan_id}/approve",
    "bdtx-unit-plans-approve",
    read=UnitPlanRead,
    load=unit_plans.get_unit_plan,
    act=decision(unit_plans.decide_unit_plan, approve=True),
    body=Decision,
    body_optional=True,
    doc="`submitted → approved` by the managing unit above.",
)
transition(
    router,
    "/unit-plans/{plan_id}/return",
    "bdtx-unit-plans-return",
    read=UnitPlanRead,
    load=unit_plans.get_unit_plan,
    act=decision(unit_plans.decide_unit_plan, approve=False),
    body=Decision,
    body_optional=True,
    doc="`submitted → returned` by the managing unit above.",
)


# --- unit reports and the province report ---------------------------------------------------


def _report(response: Response, report: UnitReport) -> ReportRead:
    set_etag(response, report.version)
    return ReportRead.model_validate(report)


@router.get("/unit-reports", name="bdtx-unit-reports-list", response_model=Page[ReportRead])
def list_reports(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    school_year: YEAR = None,
    status: ReportStatus | None = None,
) -> Page[ReportRead]:
    items, cursor = results.list_reports(session, actor, page, school_year, status)
    return Page(items=[ReportRead.model_validate(r) for r in items], next_cursor=cursor)


@router.post(
    "/unit-reports",
    name="bdtx-unit-reports-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def create_report(
    session: SessionDep, actor: ActorDep, body: ReportCreate, response: Response
) -> ReportRead:
    """A unit's yearly report, with counts by result class, category and level."""
    report = results.create_report(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/unit-reports/{report.id}"
    return _report(response, report)


@router.get(
    "/unit-reports/{report_id}", name="bdtx-unit-reports-get", responses=problem_responses(404)
)
def get_report(
    session: SessionDep, actor: ActorDep, report_id: Id, response: Response
) -> ReportRead:
    return _report(response, results.get_report(session, actor, report_id))


@router.patch("/unit-reports/{report_id}", name="bdtx-unit-reports-update", responses=WRITE)
def update_report(
    session: SessionDep,
    actor: ActorDep,
    report_id: Id,
    body: ReportUpdate,
    version: IfMatchDep,
    response: Response,
) -> ReportRead:
    """Correct a `draft` or `returned` report, or attach the Sở's annual plan and nội dung 2
    materials before submitting (R-BDTX-5); 409 `bdtx_wrong_status` in other states."""
    report = results.get_report(session, actor, report_id)
    return _report(response, results.update_report(session, actor, report, body, version))


transition(
    router,
    "/unit-reports/{report_id}/submit",
    "bdtx-unit-reports-submit",
    read=ReportRead,
    load=results.get_report,
    act=without_body(results.submit_report),
    doc="Up to the managing unit once the units below are accepted (R-BDTX-5); the Sở's "
    "report is sent to the Ministry with its plan and nội dung 2 materials.",
)
transition(
    router,
    "/unit-reports/{report_id}/accept",
    "bdtx-unit-reports-accept",
    read=ReportRead,
    load=results.get_report,
    act=decision(results.decide_report, approve=True),
    body=Decision,
    body_optional=True,
    doc="`submitted → accepted` by the managing unit above.",
)
transition(
    router,
    "/unit-reports/{report_id}/return",
    "bdtx-unit-reports-return",
    read=ReportRead,
    load=results.get_report,
    act=decision(results.decide_report, approve=False),
    body=Decision,
    body_optional=True,
    doc="`submitted → returned` by the managing unit above, to be corrected.",
)


BDTX_COLUMNS = [
    Column("unit_name", "Đơn vị", "Unit", width=40),
    Column("school_year", "Năm học", "School year", width=11),
    Column("staff", "Số CBQL, GV", "Staff", total=True),
    Column("results", "Số kết quả", "Results", total=True),
    Column("finalised", "Đã công nhận", "Finalised", total=True),
    Column("passed", "Hoàn thành", "Passed", total=True),
    Column("completion_rate", "Tỉ lệ hoàn thành", "Completion rate", percent=True),
]
GOOD_EXAMPLES = 3


@reports_router.get(
    "/bdtx",
    name="reports-bdtx",
    response_model=BdtxReport,
    responses={**export_responses(BdtxReport), **problem_responses(403, 404)},
)
def bdtx_report(
    request: Request,
    session: ReportSessionDep,
    actor: ActorDep,
    school_year: Annotated[SchoolYear | None, Query(description=YEAR_HELP)] = None,
    unit_id: Annotated[Id | None, Query(description=UNIT_HELP)] = None,
) -> Any:
    """BDTX completion per unit directly below `unit_id` (by default, below each of the
    caller's units; a unit with none below is its own row), subtrees rolled up; the units
    with the best completion are listed as good examples (R-BDTX-4). JSON, CSV or XLSX."""
    school_year = school_year or school_year_of(to_local_date(utcnow()))
    rows, revision, bases = results.province_report(session, actor, unit_id, school_year)
    fmt = negotiate(request)
    if fmt != "json":
        return table_response(
            request,
            title_vi=f"Kết quả BDTX năm học {school_year}",
            title_en=f"BDTX results {school_year}",
            columns=BDTX_COLUMNS,
            rows=rows,
            filename=f"bdtx-{school_year}",
            fmt=fmt,
        )
    best = sorted(
        (r for r in rows if r["completion_rate"] > 0), key=lambda r: -r["completion_rate"]
    )[:GOOD_EXAMPLES]
    return BdtxReport(
        school_year=school_year,
        unit_id=unit_id,
        unit_ids=bases,
        policy_revision=revision,
        units=[BdtxReportRow.model_validate(r) for r in rows],
        good_examples=[BdtxReportRow.model_validate(r) for r in best],
    )
