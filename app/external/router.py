from typing import Annotated

from fastapi import Depends, Query, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.external import service
from app.external.models import (
    ExternalEventKind,
    ExternalEventStatus,
    OrganiserType,
    ParticipationStatus,
)
from app.external.schemas import (
    AttendanceImport,
    AttendanceImportResult,
    AuthorityQueue,
    ExternalEventApproval,
    ExternalEventCreate,
    ExternalEventRead,
    ExternalEventUpdate,
    ExternalViolationCreate,
    ExternalViolationRead,
    ParticipationCounts,
    ParticipationRequestCreate,
    ParticipationRequestRead,
    ReasonBody,
)
from app.web.routing import api_router
from app.web.transitions import transition, with_reason, without_body

external_events_router = api_router("/api/v1/external-events", "external-events")
participation_router = api_router("/api/v1/participation-requests", "participation-requests")
violations_router = api_router("/api/v1/violations", "violations")

WRITE_PROBLEMS = problem_responses(403, 404, 409, 412, 428)
UnitIdQuery = Annotated[Id | None, Query(description="Only this unit (and its subtree)")]
SubtreeQuery = Annotated[bool, Query(description="With `unit_id`: the whole subtree")]


def _event(event: object, response: Response) -> ExternalEventRead:
    read = ExternalEventRead.model_validate(event)
    set_etag(response, read.version)
    return read


def _request(request: object, response: Response) -> ParticipationRequestRead:
    read = ParticipationRequestRead.model_validate(request)
    set_etag(response, read.version)
    return read


# --- external events ----------------------------------------------------------------------


@external_events_router.get("", name="external-events-list", response_model=Page[ExternalEventRead])
def list_events(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    status: ExternalEventStatus | None = None,
    kind: ExternalEventKind | None = None,
    organiser_type: OrganiserType | None = None,
    school_year: Annotated[SchoolYear | None, Query()] = None,
    unit_id: Annotated[
        Id | None, Query(description="Host unit (with `include_descendants`: its subtree)")
    ] = None,
    include_descendants: SubtreeQuery = False,
    authority_unit_id: Annotated[
        Id | None, Query(description="Events decided by this authority")
    ] = None,
) -> Page[ExternalEventRead]:
    filters = service.EventFilters(
        status=status,
        kind=kind,
        organiser_type=organiser_type,
        school_year=school_year,
        unit_id=unit_id,
        include_descendants=include_descendants,
        authority_unit_id=authority_unit_id,
    )
    items, cursor = service.list_events(session, actor, page, filters)
    return Page(items=[ExternalEventRead.model_validate(e) for e in items], next_cursor=cursor)


@external_events_router.post(
    "",
    name="external-events-create",
    status_code=status.HTTP_201_CREATED,
    response_model=ExternalEventRead,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def create_event(
    session: SessionDep, actor: ActorDep, body: ExternalEventCreate, response: Response
) -> ExternalEventRead:
    """Submit an event for approval (R-EXT-1), or propose to organise one (R-EXT-2). The
    competent authority is computed from the unit tree and kept on the event."""
    event = service.create_event(session, actor, body)
    response.headers["Location"] = f"{external_events_router.prefix}/{event.id}"
    return _event(event, response)


@external_events_router.get("/queue", name="external-events-queue", response_model=AuthorityQueue)
def queue(session: SessionDep, actor: ActorDep, page: PageDep) -> AuthorityQueue:
    """Submitted events waiting for a decision by an authority the caller holds, with the
    counts per status of all events at those authorities (`started`: submitted events whose
    activity has begun, R-EXT-2)."""
    items, cursor = service.list_queue(session, actor, page)
    return AuthorityQueue(
        items=[ExternalEventRead.model_validate(e) for e in items],
        next_cursor=cursor,
        counts=service.queue_counts(session, actor),
    )


@external_events_router.get(
    "/{external_event_id}", name="external-events-get", responses=problem_responses(404)
)
def get_event(
    session: SessionDep, actor: ActorDep, external_event_id: Id, response: Response
) -> ExternalEventRead:
    return _event(service.get_event(session, actor, external_event_id), response)


@external_events_router.patch(
    "/{external_event_id}", name="external-events-update", responses=WRITE_PROBLEMS
)
def update_event(
    session: SessionDep,
    actor: ActorDep,
    external_event_id: Id,
    body: ExternalEventUpdate,
    version: IfMatchDep,
    response: Response,
) -> ExternalEventRead:
    """Change a submission that has not been decided yet."""
    event = service.get_event(session, actor, external_event_id)
    return _event(service.update_event(session, actor, event, body, version), response)


transition(
    external_events_router,
    "/{external_event_id}/approve",
    "external-events-approve",
    read=ExternalEventRead,
    load=service.get_event,
    act=service.approve_event,
    body=ExternalEventApproval,
    doc="The competent authority's written approval (R-EXT-1): only officers or the head of "
    "exactly the authority unit, or a system-wide admin.",
    idempotent=True,
)
transition(
    external_events_router,
    "/{external_event_id}/reject",
    "external-events-reject",
    read=ExternalEventRead,
    load=service.get_event,
    act=with_reason(service.reject_event),
    body=ReasonBody,
    doc="The authority refuses the event, with its reason.",
    idempotent=True,
)
transition(
    external_events_router,
    "/{external_event_id}/revoke",
    "external-events-revoke",
    read=ExternalEventRead,
    load=service.get_event,
    act=with_reason(service.revoke_event),
    body=ReasonBody,
    doc="Withdraw an approval; every consent already given for the event lapses.",
    idempotent=True,
)


@external_events_router.post(
    "/{external_event_id}/attendance-imports",
    name="external-events-import-attendance",
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def import_attendance(
    session: SessionDep, actor: ActorDep, external_event_id: Id, body: AttendanceImport
) -> AttendanceImportResult:
    """Who attended (by staff id or `external_code`): everyone without a standing consent
    becomes an `unapproved_participation` violation (R-EXT-4). Safe to re-import."""
    event = service.get_event(session, actor, external_event_id)
    return service.import_attendance(session, actor, event, body)


# --- participation requests ---------------------------------------------------------------


async def _request_filters(
    mine: Annotated[bool, Query(description="Only the caller's own requests")] = False,
    unit_id: Annotated[
        Id | None, Query(description="The person's unit when they asked (and its subtree)")
    ] = None,
    include_descendants: SubtreeQuery = False,
    status: ParticipationStatus | None = None,
    external_event_id: Id | None = None,
    staff_id: Id | None = None,
) -> service.RequestFilters:
    return service.RequestFilters(
        mine=mine,
        unit_id=unit_id,
        include_descendants=include_descendants,
        status=status,
        external_event_id=external_event_id,
        staff_id=staff_id,
    )


RequestFiltersDep = Annotated[service.RequestFilters, Depends(_request_filters)]


@participation_router.get(
    "", name="participation-requests-list", response_model=Page[ParticipationRequestRead]
)
def list_requests(
    session: SessionDep, actor: ActorDep, page: PageDep, filters: RequestFiltersDep
) -> Page[ParticipationRequestRead]:
    items, cursor = service.list_requests(session, actor, page, filters)
    return Page(
        items=[ParticipationRequestRead.model_validate(r) for r in items], next_cursor=cursor
    )


@participation_router.post(
    "",
    name="participation-requests-create",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipationRequestRead,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def create_request(
    session: SessionDep, actor: ActorDep, body: ParticipationRequestCreate, response: Response
) -> ParticipationRequestRead:
    """Ask to attend an external event with a written commitment (R-EXT-3); the person
    themselves, or the head of their own unit on their behalf."""
    request = service.create_request(session, actor, body)
    response.headers["Location"] = f"{participation_router.prefix}/{request.id}"
    return _request(request, response)


@participation_router.get("/counts", name="participation-requests-counts")
def count_requests(
    session: SessionDep, actor: ActorDep, filters: RequestFiltersDep
) -> ParticipationCounts:
    """How many requests per status, with the same filters as the list."""
    return service.count_requests(session, actor, filters)


@participation_router.get(
    "/{participation_request_id}",
    name="participation-requests-get",
    responses=problem_responses(404),
)
def get_request(
    session: SessionDep, actor: ActorDep, participation_request_id: Id, response: Response
) -> ParticipationRequestRead:
    return _request(service.get_request(session, actor, participation_request_id), response)


transition(
    participation_router,
    "/{participation_request_id}/consent",
    "participation-requests-consent",
    read=ParticipationRequestRead,
    load=service.get_request,
    act=without_body(service.consent_request),
    doc="The head of the person's own unit consents; the event must be approved (R-EXT-3).",
    idempotent=True,
)
transition(
    participation_router,
    "/{participation_request_id}/refuse",
    "participation-requests-refuse",
    read=ParticipationRequestRead,
    load=service.get_request,
    act=with_reason(service.refuse_request),
    body=ReasonBody,
    doc="The head of the person's own unit refuses, with its reason.",
    idempotent=True,
)
transition(
    participation_router,
    "/{participation_request_id}/withdraw",
    "participation-requests-withdraw",
    read=ParticipationRequestRead,
    load=service.get_request,
    act=without_body(service.withdraw_request),
    doc="The person (or their unit head for them) no longer asks, before or after consent.",
    idempotent=True,
)


# --- R-EXT-4 ------------------------------------------------------------------------------


@violations_router.post(
    "/external",
    name="violations-record-external",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def record_violation(
    session: SessionDep, actor: ActorDep, body: ExternalViolationCreate
) -> ExternalViolationRead:
    """Record self-organising or attending without permission (R-EXT-4), for a person or
    unit within the caller's hierarchy."""
    return ExternalViolationRead.model_validate(service.record_violation(session, actor, body))
