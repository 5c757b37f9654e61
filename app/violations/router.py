from typing import Annotated

from fastapi import Query, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.violations import service
from app.violations.models import Violation, ViolationKind, ViolationStatus
from app.violations.schemas import DismissRequest, ViolationCreate, ViolationRead
from app.web.routing import api_router

router = api_router("/api/v1/violations", "violations")
WRITE = problem_responses(403, 404, 409, 412, 428)


def _violation(response: Response, violation: Violation) -> ViolationRead:
    set_etag(response, violation.version)
    return ViolationRead.model_validate(violation)


@router.get("", name="violations-list", response_model=Page[ViolationRead])
def list_violations(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    unit_id: Id | None = None,
    include_descendants: Annotated[
        bool, Query(description="With `unit_id`: violations of the whole subtree")
    ] = False,
    kind: ViolationKind | None = None,
    school_year: Annotated[SchoolYear | None, Query()] = None,
    status: ViolationStatus | None = None,
    event_id: Id | None = None,
    external_event_id: Id | None = None,
    staff_id: Id | None = None,
) -> Page[ViolationRead]:
    filters = service.ViolationFilters(
        unit_id=unit_id,
        include_descendants=include_descendants,
        kind=kind,
        school_year=school_year,
        status=status,
        event_id=event_id,
        external_event_id=external_event_id,
        staff_id=staff_id,
    )
    items, cursor = service.list_violations(session, actor, page, filters)
    return Page(items=[ViolationRead.model_validate(v) for v in items], next_cursor=cursor)


@router.post(
    "",
    name="violations-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def record_violation(
    session: SessionDep, actor: ActorDep, body: ViolationCreate, response: Response
) -> ViolationRead:
    """A department officer or unit head records a breach within their hierarchy, with its
    evidence: any kind, against a unit and optionally a person."""
    violation = service.record_violation(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/{violation.id}"
    return _violation(response, violation)


@router.get("/{violation_id}", name="violations-get", responses=problem_responses(404))
def get_violation(
    session: SessionDep, actor: ActorDep, violation_id: Id, response: Response
) -> ViolationRead:
    return _violation(response, service.get_violation(session, actor, violation_id))


@router.post("/{violation_id}/dismiss", name="violations-dismiss", responses=WRITE)
def dismiss_violation(
    session: SessionDep,
    actor: ActorDep,
    violation_id: Id,
    body: DismissRequest,
    version: IfMatchDep,
    response: Response,
) -> ViolationRead:
    """`open → dismissed`, with the reason why it is not a violation after all."""
    violation = service.get_violation(session, actor, violation_id)
    violation = service.dismiss_violation(session, actor, violation, body.reason, version)
    return _violation(response, violation)


@router.post("/{violation_id}/close", name="violations-close", responses=WRITE)
def close_violation(
    session: SessionDep,
    actor: ActorDep,
    violation_id: Id,
    version: IfMatchDep,
    response: Response,
) -> ViolationRead:
    """`cited → closed`: the violation cited in an issued criticism letter is dealt with."""
    violation = service.get_violation(session, actor, violation_id)
    return _violation(response, service.close_violation(session, actor, violation, version))
