from typing import Annotated, Any

from fastapi import Query, Request, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.exports import (
    XLSX,
    Column,
    Format,
    content_disposition,
    export_responses,
    negotiate,
    table_response,
)
from app.core.i18n import language
from app.core.idempotency import IdempotencyDep
from app.core.offload import blocking
from app.core.pagination import PageDep
from app.core.schemas import Page, whole
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.events import attendance, checkin, nominations, reports, service, signin
from app.events.models import EventKind, EventStatus, ExcuseStatus, NominationStatus
from app.events.schemas import (
    AmendmentRead,
    AttendanceMatrix,
    CancelRequest,
    CloseResult,
    DecisionRequest,
    EventAttendanceReport,
    EventCreate,
    EventRead,
    EventUpdate,
    ExcuseCreate,
    ExcuseRead,
    LateConsentCreate,
    LateConsentRead,
    MarkRead,
    MarksInput,
    MatrixRow,
    NominationChangeRead,
    NominationCreate,
    NominationRead,
    ReasonRequest,
    RequirementCreate,
    RequirementRead,
    RequirementTargetRead,
    RosterEntry,
    SessionAmend,
    SessionCancel,
    SessionCreate,
    SessionRead,
    SubstituteRequest,
    SummonRequest,
    ToFillRead,
    TrainingRecord,
    UnitAttendanceRow,
)
from app.staff.service import get_staff
from app.web.routing import api_router
from app.web.transitions import decision, transition

router = api_router("/api/v1/events", "events")
nominations_router = api_router("/api/v1/nominations", "nominations")
excuses_router = api_router("/api/v1/absence-excuses", "absence-excuses")
reports_router = api_router("/api/v1/reports", "reports")
record_router = api_router("/api/v1/staff", "staff")
WRITE = problem_responses(403, 404, 409, 412, 428)
CREATE = problem_responses(403, 404, 409)


def _event(response: Response, event: Any) -> EventRead:
    set_etag(response, event.version)
    return EventRead.model_validate(event)


# --- events ------------------------------------------------------------------------------


@router.get("", name="events-list", response_model=Page[EventRead])
def list_events(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    school_year: Annotated[SchoolYear | None, Query()] = None,
    organizer_unit_id: Id | None = None,
) -> Page[EventRead]:
    items, cursor = service.list_events(
        session,
        actor,
        page,
        status=status,
        kind=kind,
        school_year=school_year,
        organizer_unit_id=organizer_unit_id,
    )
    return Page(items=[EventRead.model_validate(e) for e in items], next_cursor=cursor)


@router.post(
    "",
    name="events-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def create_event(
    session: SessionDep, actor: ActorDep, body: EventCreate, response: Response
) -> EventRead:
    event = service.create_event(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/{event.id}"
    return _event(response, event)


@router.get("/{event_id}", name="events-get", responses=problem_responses(404))
def get_event(session: SessionDep, actor: ActorDep, event_id: Id, response: Response) -> EventRead:
    return _event(response, service.get_event(session, actor, event_id))


@router.patch("/{event_id}", name="events-update", responses=WRITE)
def update_event(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    body: EventUpdate,
    version: IfMatchDep,
    response: Response,
) -> EventRead:
    event = service.get_event(session, actor, event_id)
    return _event(response, service.update_event(session, actor, event, body, version))


@router.post("/{event_id}/summon", name="events-summon", responses=WRITE)
def summon_event(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    body: SummonRequest,
    version: IfMatchDep,
    response: Response,
) -> EventRead:
    """Send the summons: needs at least one session and one requirement; fixes the sessions."""
    event = service.get_event(session, actor, event_id)
    return _event(response, service.summon(session, actor, event, body, version))


@router.post("/{event_id}/cancel", name="events-cancel", responses=WRITE)
def cancel_event(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    body: CancelRequest,
    version: IfMatchDep,
    response: Response,
) -> EventRead:
    event = service.get_event(session, actor, event_id)
    return _event(response, service.cancel(session, actor, event, body.reason, version))


@router.post("/{event_id}/close", name="events-close", responses=WRITE)
def close_event(
    session: SessionDep, actor: ActorDep, event_id: Id, version: IfMatchDep, response: Response
) -> CloseResult:
    """R-ATT-3: unexcused absences become violations; completers get the BDTX periods,
    except those whose year's result is finalised (`credits_withheld`, R-BDTX-1).
    Closing again changes nothing."""
    event = service.get_event(session, actor, event_id)
    event, violations, credits, withheld = attendance.close_event(session, actor, event, version)
    return CloseResult(
        event=_event(response, event),
        violations_created=violations,
        credits_created=credits,
        credits_withheld=withheld,
    )


# --- sessions ----------------------------------------------------------------------------


@router.get(
    "/{event_id}/sessions",
    name="events-sessions-list",
    response_model=Page[SessionRead],
    responses=problem_responses(404),
)
def list_sessions(session: SessionDep, actor: ActorDep, event_id: Id) -> Page[SessionRead]:
    event = service.get_event(session, actor, event_id)
    return whole([SessionRead.model_validate(s) for s in service.list_sessions(session, event)])


@router.post(
    "/{event_id}/sessions",
    name="events-sessions-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def add_session(
    session: SessionDep, actor: ActorDep, event_id: Id, body: SessionCreate
) -> SessionRead:
    event = service.get_event(session, actor, event_id)
    return SessionRead.model_validate(service.add_session(session, actor, event, body))


@router.delete(
    "/{event_id}/sessions/{session_id}",
    name="events-sessions-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CREATE,
)
def delete_session(session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id) -> Response:
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    service.delete_session(session, actor, event, row)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{event_id}/sessions/{session_id}/amend",
    name="events-sessions-amend",
    responses=CREATE,
)
def amend_session(
    session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id, body: SessionAmend
) -> SessionRead:
    """Change a session after summoning; the reason is kept and shown to nominees."""
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    return SessionRead.model_validate(service.amend_session(session, actor, event, row, body))


@router.post(
    "/{event_id}/sessions/{session_id}/cancel",
    name="events-sessions-cancel",
    responses=CREATE,
)
def cancel_session(
    session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id, body: SessionCancel
) -> SessionRead:
    """Cancel a summoned session by amendment, with its reason: it then needs no marks to
    close, creates no absences and counts for nobody's completion (R-ATT-3)."""
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    return SessionRead.model_validate(service.cancel_session(session, actor, event, row, body))


@router.get(
    "/{event_id}/amendments",
    name="events-amendments-list",
    response_model=Page[AmendmentRead],
    responses=problem_responses(404),
)
def list_amendments(session: SessionDep, actor: ActorDep, event_id: Id) -> Page[AmendmentRead]:
    event = service.get_event(session, actor, event_id)
    return whole([AmendmentRead.model_validate(a) for a in service.list_amendments(session, event)])


# --- requirements ------------------------------------------------------------------------


def _requirement(req: Any, targets: list[Any]) -> RequirementRead:
    read = RequirementRead.model_validate(req)
    read.targets = [RequirementTargetRead.model_validate(t) for t in targets]
    return read


@router.get(
    "/{event_id}/requirements",
    name="events-requirements-list",
    response_model=Page[RequirementRead],
    responses=problem_responses(404),
)
def list_requirements(session: SessionDep, actor: ActorDep, event_id: Id) -> Page[RequirementRead]:
    event = service.get_event(session, actor, event_id)
    return whole([_requirement(r, t) for r, t in service.list_requirements(session, event)])


@router.post(
    "/{event_id}/requirements",
    name="events-requirements-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def add_requirement(
    session: SessionDep, actor: ActorDep, event_id: Id, body: RequirementCreate
) -> RequirementRead:
    """Thành phần triệu tập: units (a list, or all units of given kinds under a unit) with
    criteria and a quota per unit, or one person by name."""
    event = service.get_event(session, actor, event_id)
    return _requirement(*service.add_requirement(session, actor, event, body))


@router.delete(
    "/{event_id}/requirements/{requirement_id}",
    name="events-requirements-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CREATE,
)
def delete_requirement(
    session: SessionDep, actor: ActorDep, event_id: Id, requirement_id: Id
) -> Response:
    event = service.get_event(session, actor, event_id)
    req = service.get_requirement(session, event, requirement_id)
    service.delete_requirement(session, actor, event, req)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{event_id}/to-fill",
    name="events-to-fill",
    response_model=Page[ToFillRead],
    responses=problem_responses(404),
)
def to_fill(
    session: SessionDep, actor: ActorDep, event_id: Id, unit_id: Id | None = None
) -> Page[ToFillRead]:
    """For unit heads: per requirement, how many their unit still has to nominate."""
    event = service.get_event(session, actor, event_id)
    return whole(
        [ToFillRead.model_validate(r) for r in service.to_fill(session, actor, event, unit_id)]
    )


# --- nominations -------------------------------------------------------------------------


@router.get(
    "/{event_id}/nominations",
    name="nominations-list",
    response_model=Page[NominationRead],
    responses=problem_responses(404),
)
def list_nominations(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    status: NominationStatus | None = None,
) -> Page[NominationRead]:
    event = service.get_event(session, actor, event_id)
    rows = nominations.list_nominations(session, actor, event, status)
    return whole([NominationRead.model_validate(n) for n in rows])


@router.post(
    "/{event_id}/nominations",
    name="nominations-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def nominate(
    session: SessionDep, actor: ActorDep, event_id: Id, body: NominationCreate, response: Response
) -> NominationRead:
    """R-NOM-1: the head of the nominee's own unit (or the Sở) nominates a matching person
    within the unit's quota; after the deadline only with the organiser's consent (R-NOM-2)."""
    event = service.get_event(session, actor, event_id)
    nomination = nominations.nominate(session, actor, event, body)
    response.headers["Location"] = f"{nominations_router.prefix}/{nomination.id}"
    set_etag(response, nomination.version)
    return NominationRead.model_validate(nomination)


@router.post(
    "/{event_id}/late-consents",
    name="events-late-consents-create",
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def late_consent(
    session: SessionDep, actor: ActorDep, event_id: Id, body: LateConsentCreate
) -> LateConsentRead:
    """The organiser lets a unit nominate or substitute after the deadline (R-NOM-2)."""
    event = service.get_event(session, actor, event_id)
    return LateConsentRead.model_validate(
        nominations.grant_late_consent(session, actor, event, body)
    )


@router.get(
    "/{event_id}/roster",
    name="events-roster",
    response_model=Page[RosterEntry],
    responses=problem_responses(404),
)
def roster(session: SessionDep, actor: ActorDep, event_id: Id) -> Page[RosterEntry]:
    """Accepted nominations plus people summoned by name."""
    event = service.get_event(session, actor, event_id)
    return whole(
        [
            RosterEntry(
                staff_id=p.staff_id,
                full_name=p.full_name,
                unit_id=p.unit_id,
                named=p.named,
                nomination_id=p.nomination_id,
            )
            for p in attendance.visible_roster(session, actor, event)
        ]
    )


def _nomination(response: Response, nomination: Any) -> NominationRead:
    set_etag(response, nomination.version)
    return NominationRead.model_validate(nomination)


@nominations_router.get(
    "/{nomination_id}", name="nominations-get", responses=problem_responses(404)
)
def get_nomination(
    session: SessionDep, actor: ActorDep, nomination_id: Id, response: Response
) -> NominationRead:
    nomination, _ = nominations.get_nomination(session, actor, nomination_id)
    return _nomination(response, nomination)


transition(
    nominations_router,
    "/{nomination_id}/accept",
    "nominations-accept",
    read=NominationRead,
    load=nominations.get_nomination,
    act=lambda s, a, found, body, v: nominations.decide(s, a, *found, True, body.reason, v),
    body=ReasonRequest,
    doc="The organiser accepts a proposed nomination onto the roster.",
)
transition(
    nominations_router,
    "/{nomination_id}/refuse",
    "nominations-refuse",
    read=NominationRead,
    load=nominations.get_nomination,
    act=lambda s, a, found, body, v: nominations.decide(s, a, *found, False, body.reason, v),
    body=ReasonRequest,
    doc="The organiser refuses a proposed nomination; its place is free again.",
)
transition(
    nominations_router,
    "/{nomination_id}/withdraw",
    "nominations-withdraw",
    read=NominationRead,
    load=nominations.get_nomination,
    act=lambda s, a, found, body, v: nominations.withdraw(s, a, *found, body.reason, v),
    body=ReasonRequest,
    doc="The nominating unit withdraws a proposed or accepted nomination; its place is free again.",
)


@nominations_router.post(
    "/{nomination_id}/substitute",
    name="nominations-substitute",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
)
def substitute_nomination(
    session: SessionDep,
    actor: ActorDep,
    nomination_id: Id,
    body: SubstituteRequest,
    version: IfMatchDep,
    response: Response,
) -> NominationRead:
    """R-NOM-2: a person of the same unit takes the place; returns the new nomination."""
    nomination, event = nominations.get_nomination(session, actor, nomination_id)
    new = nominations.substitute(session, actor, nomination, event, body, version)
    response.headers["Location"] = f"{nominations_router.prefix}/{new.id}"
    return _nomination(response, new)


@nominations_router.get(
    "/{nomination_id}/history",
    name="nominations-history",
    response_model=Page[NominationChangeRead],
    responses=problem_responses(404),
)
def nomination_history(
    session: SessionDep, actor: ActorDep, nomination_id: Id
) -> Page[NominationChangeRead]:
    nomination, _ = nominations.get_nomination(session, actor, nomination_id)
    return whole(
        [NominationChangeRead.model_validate(c) for c in nominations.history(session, nomination)]
    )


# --- attendance --------------------------------------------------------------------------


@router.put(
    "/{event_id}/sessions/{session_id}/attendance",
    name="attendance-mark",
    response_model=Page[MarkRead],
    responses=CREATE,
)
def mark_attendance(
    session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id, body: MarksInput
) -> Page[MarkRead]:
    """R-ATT-1: the organisers mark a whole session in one request; roster members only."""
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    marks = attendance.mark_session(session, actor, event, row, body)
    return whole([MarkRead.model_validate(m) for m in marks])


@router.get(
    "/{event_id}/attendance",
    name="attendance-matrix",
    response_model=AttendanceMatrix,
    responses={**export_responses(AttendanceMatrix), **problem_responses(404)},
)
def attendance_matrix(request: Request, session: SessionDep, actor: ActorDep, event_id: Id) -> Any:
    """Participant × session; an absence covered by a confirmed letter reads `excused`, a
    cancelled session `cancelled`. As CSV, or as an XLSX sign-in sheet (danh sách điểm danh)
    ready to print on A4 landscape with a signature column (`Accept` or `?format=`)."""
    event = service.get_event(session, actor, event_id)
    fmt = negotiate(request)
    if fmt != "json":
        return _sign_in_sheet(request, session, actor, event, fmt)
    sessions, rows = attendance.attendance_matrix(session, actor, event)
    sources = checkin.sources_by(session, event)
    return AttendanceMatrix(
        event_id=event_id,
        sessions=[SessionRead.model_validate(s) for s in sessions],
        participants=[
            MatrixRow(
                staff_id=p.staff_id,
                full_name=p.full_name,
                unit_id=p.unit_id,
                marks=m,
                sources={k: sources.get((p.staff_id, int(k))) for k in m},
            )
            for p, m in rows
        ],
    )


def _sign_in_sheet(request: Request, session: Any, actor: Any, event: Any, fmt: Format) -> Response:
    lang = language(request)
    sessions, rows = signin.sheet_rows(session, actor, event, lang)
    filename = f"diem-danh-su-kien-{event.id}"
    if fmt == "xlsx":
        body = blocking(signin.signin_xlsx, event, sessions, rows, lang)
        headers = {"Content-Disposition": content_disposition(f"{filename}.xlsx")}
        return Response(
            body, media_type=XLSX, headers=headers | {"Vary": "Accept, Accept-Language"}
        )
    return table_response(
        request,
        title_vi=f"Danh sách điểm danh: {event.title}",
        title_en=f"Sign-in sheet: {event.title}",
        columns=signin.csv_columns(sessions),
        rows=signin.csv_rows(sessions, rows),
        filename=filename,
        fmt=fmt,
    )


# --- absence letters ---------------------------------------------------------------------


def _excuse(response: Response, excuse: Any) -> ExcuseRead:
    set_etag(response, excuse.version)
    return ExcuseRead.model_validate(excuse)


@excuses_router.get("", name="absence-excuses-list", response_model=Page[ExcuseRead])
def list_excuses(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    event_id: Id | None = None,
    status: ExcuseStatus | None = None,
    unit_id: Id | None = None,
) -> Page[ExcuseRead]:
    items, cursor = attendance.list_excuses(
        session, actor, page, event_id=event_id, status=status, unit_id=unit_id
    )
    return Page(items=[ExcuseRead.model_validate(e) for e in items], next_cursor=cursor)


@excuses_router.post(
    "",
    name="absence-excuses-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=CREATE,
)
def submit_excuse(
    session: SessionDep, actor: ActorDep, body: ExcuseCreate, response: Response
) -> ExcuseRead:
    """R-ATT-2: the attendee or their unit head, before the session or within the grace period."""
    excuse = attendance.submit_excuse(session, actor, body)
    response.headers["Location"] = f"{excuses_router.prefix}/{excuse.id}"
    return _excuse(response, excuse)


@excuses_router.get("/{excuse_id}", name="absence-excuses-get", responses=problem_responses(404))
def get_excuse(
    session: SessionDep, actor: ActorDep, excuse_id: Id, response: Response
) -> ExcuseRead:
    return _excuse(response, attendance.get_excuse(session, actor, excuse_id))


transition(
    excuses_router,
    "/{excuse_id}/confirm",
    "absence-excuses-confirm",
    read=ExcuseRead,
    load=attendance.get_excuse,
    act=decision(attendance.decide_excuse, approve=True),
    body=DecisionRequest,
    doc="Only the head of the attendee's own unit; the absence then counts as excused.",
)
transition(
    excuses_router,
    "/{excuse_id}/reject",
    "absence-excuses-reject",
    read=ExcuseRead,
    load=attendance.get_excuse,
    act=decision(attendance.decide_excuse, approve=False),
    body=DecisionRequest,
    doc="Only the head of the attendee's own unit; the absence stays unexcused.",
)


# --- reports -----------------------------------------------------------------------------

ATTENDANCE_COLUMNS = [
    Column("unit_name", "Đơn vị", "Unit", width=40),
    Column("participants", "Số người tham dự", "Participants", total=True),
    Column("expected_marks", "Số lượt buổi", "Session places", total=True),
    Column("present", "Có mặt", "Present", total=True),
    Column("late", "Đi muộn", "Late", total=True),
    Column("left_early", "Về sớm", "Left early", total=True),
    Column("excused", "Vắng có phép", "Excused", total=True),
    Column("unexcused", "Vắng không phép", "Unexcused", total=True),
    Column("attendance_rate", "Tỉ lệ tham dự", "Attendance rate", percent=True),
]


@reports_router.get(
    "/events/{event_id}/attendance",
    name="reports-event-attendance",
    response_model=EventAttendanceReport,
    responses={**export_responses(EventAttendanceReport), **problem_responses(404)},
)
def event_attendance_report(
    request: Request, session: SessionDep, actor: ActorDep, event_id: Id
) -> Any:
    """Attendance rates per unit, as JSON, CSV or XLSX (`Accept` or `?format=`)."""
    event = service.get_event(session, actor, event_id)
    rows = reports.attendance_by_unit(session, actor, event)
    n_sessions = len(reports.counted_sessions(session, event))
    totals = reports.totals(rows, n_sessions)
    fmt = negotiate(request)
    if fmt != "json":
        return table_response(
            request,
            title_vi=f"Tình hình tham dự: {event.title}",
            title_en=f"Attendance: {event.title}",
            columns=ATTENDANCE_COLUMNS,
            rows=rows,
            filename=f"tham-du-su-kien-{event.id}",
            fmt=fmt,
            totals=totals,
        )
    return EventAttendanceReport(
        event_id=event_id,
        title=event.title,
        sessions=n_sessions,
        units=[UnitAttendanceRow.model_validate(r) for r in rows],
        totals=UnitAttendanceRow.model_validate(totals),
    )


@record_router.get(
    "/{staff_id}/training-record",
    name="staff-training-record",
    responses=problem_responses(404),
)
def training_record(session: SessionDep, actor: ActorDep, staff_id: Id) -> TrainingRecord:
    """Events, marks, completion and credited BDTX periods of one person."""
    staff = get_staff(session, actor, staff_id)
    return TrainingRecord.model_validate(reports.training_record(session, actor, staff))
