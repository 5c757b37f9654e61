from typing import Annotated

from fastapi import Query, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.pagination import PageDep
from app.core.schemas import Page, whole
from app.core.types import Id
from app.staff import service
from app.staff.models import StaffCategory, StaffStatus
from app.staff.schemas import (
    StaffAssignmentRead,
    StaffCreate,
    StaffRead,
    StaffTransfer,
    StaffUpdate,
)
from app.units.models import EducationLevel
from app.web.routing import api_router

router = api_router("/api/v1/staff", "staff")
WRITE_PROBLEMS = problem_responses(404, 409, 412, 428)


@router.get("", name="staff-list", response_model=Page[StaffRead])
def list_staff(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    unit_id: Id | None = None,
    include_descendants: Annotated[
        bool, Query(description="With `unit_id`: staff of the whole subtree")
    ] = False,
    category: StaffCategory | None = None,
    education_level: EducationLevel | None = None,
    status: StaffStatus | None = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Name search ignoring case and diacritics."),
    ] = None,
    external_code: str | None = None,
) -> Page[StaffRead]:
    items, cursor = service.list_staff(
        session,
        actor,
        page,
        unit_id=unit_id,
        include_descendants=include_descendants,
        category=category,
        education_level=education_level,
        status=status,
        q=q,
        external_code=external_code,
    )
    return Page[StaffRead].model_validate({"items": items, "next_cursor": cursor})


@router.post(
    "",
    name="staff-create",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffRead,
    dependencies=[IdempotencyDep],
    responses=problem_responses(409),
)
def create_staff(
    session: SessionDep, actor: ActorDep, body: StaffCreate, response: Response
) -> StaffRead:
    staff = service.create_staff(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/{staff.id}"
    set_etag(response, staff.version)
    return StaffRead.model_validate(staff)


@router.get("/{staff_id}", name="staff-get", responses=problem_responses(404))
def get_staff(session: SessionDep, actor: ActorDep, staff_id: Id, response: Response) -> StaffRead:
    row = service.read_staff(session, actor, staff_id)
    set_etag(response, row["version"])
    return StaffRead.model_validate(row)


@router.patch("/{staff_id}", name="staff-update", responses=WRITE_PROBLEMS)
def update_staff(
    session: SessionDep,
    actor: ActorDep,
    staff_id: Id,
    body: StaffUpdate,
    version: IfMatchDep,
    response: Response,
) -> StaffRead:
    staff = service.update_staff(
        session, actor, service.get_staff(session, actor, staff_id), body, version
    )
    set_etag(response, staff.version)
    return StaffRead.model_validate(staff)


@router.post(
    "/{staff_id}/transfer",
    name="staff-transfer",
    dependencies=[IdempotencyDep],
    responses=WRITE_PROBLEMS,
)
def transfer_staff(
    session: SessionDep,
    actor: ActorDep,
    staff_id: Id,
    body: StaffTransfer,
    version: IfMatchDep,
    response: Response,
) -> StaffRead:
    """Move a person to another unit; earlier records stay with the old unit."""
    staff = service.transfer_staff(
        session, actor, service.get_staff(session, actor, staff_id), body, version
    )
    set_etag(response, staff.version)
    return StaffRead.model_validate(staff)


@router.get(
    "/{staff_id}/unit-history",
    name="staff-unit-history",
    response_model=Page[StaffAssignmentRead],
    responses=problem_responses(404),
)
def unit_history(session: SessionDep, actor: ActorDep, staff_id: Id) -> Page[StaffAssignmentRead]:
    rows = service.unit_history(session, service.get_staff(session, actor, staff_id))
    return whole([StaffAssignmentRead.model_validate(r) for r in rows])
