from typing import Annotated

from fastapi import Query, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, OptionalIfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.pagination import PageDep
from app.core.schemas import Page, whole
from app.core.types import Id
from app.units import letterhead, service
from app.units.models import UnitKind, UnitLetterhead
from app.units.schemas import (
    LetterheadRead,
    LetterheadWrite,
    UnitCreate,
    UnitMoveRead,
    UnitMoveRequest,
    UnitRead,
    UnitUpdate,
)
from app.web.routing import api_router

router = api_router("/api/v1/units", "units")

WRITE_PROBLEMS = problem_responses(404, 409, 412, 428)


@router.get("", name="units-list", response_model=Page[UnitRead])
def list_units(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    parent_id: Id | None = None,
    kind: UnitKind | None = None,
    unit_id: Annotated[Id | None, Query(description="Only this unit (and its subtree)")] = None,
    include_descendants: Annotated[
        bool, Query(description="With `unit_id`: the whole subtree")
    ] = False,
    external_code: str | None = None,
) -> Page[UnitRead]:
    items, cursor = service.list_units(
        session,
        actor,
        page,
        parent_id=parent_id,
        kind=kind,
        unit_id=unit_id,
        include_descendants=include_descendants,
        external_code=external_code,
    )
    return Page(items=[UnitRead.model_validate(u) for u in items], next_cursor=cursor)


@router.post(
    "",
    name="units-create",
    status_code=status.HTTP_201_CREATED,
    response_model=UnitRead,
    dependencies=[IdempotencyDep],
    responses=problem_responses(409),
)
def create_unit(
    session: SessionDep, actor: ActorDep, body: UnitCreate, response: Response
) -> UnitRead:
    unit = service.create_unit(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/{unit.id}"
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.get("/{unit_id}", name="units-get", responses=problem_responses(404))
def get_unit(session: SessionDep, actor: ActorDep, unit_id: Id, response: Response) -> UnitRead:
    unit = service.get_unit(session, actor, unit_id)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.patch("/{unit_id}", name="units-update", responses=WRITE_PROBLEMS)
def update_unit(
    session: SessionDep,
    actor: ActorDep,
    unit_id: Id,
    body: UnitUpdate,
    version: IfMatchDep,
    response: Response,
) -> UnitRead:
    unit = service.update_unit(
        session, actor, service.get_unit(session, actor, unit_id), body, version
    )
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.delete(
    "/{unit_id}",
    name="units-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRITE_PROBLEMS,
)
def delete_unit(session: SessionDep, actor: ActorDep, unit_id: Id, version: IfMatchDep) -> Response:
    service.delete_unit(session, actor, service.get_unit(session, actor, unit_id), version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{unit_id}/move",
    name="units-move",
    dependencies=[IdempotencyDep],
    responses=WRITE_PROBLEMS,
)
def move_unit(
    session: SessionDep,
    actor: ActorDep,
    unit_id: Id,
    body: UnitMoveRequest,
    version: IfMatchDep,
    response: Response,
) -> UnitRead:
    """Re-parent a unit with its whole subtree; refuses cycles; the move is kept in history."""
    unit = service.move_unit(
        session, actor, service.get_unit(session, actor, unit_id), body, version
    )
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.get(
    "/{unit_id}/moves",
    name="units-moves",
    response_model=Page[UnitMoveRead],
    responses=problem_responses(404),
)
def list_moves(session: SessionDep, actor: ActorDep, unit_id: Id) -> Page[UnitMoveRead]:
    moves = service.list_moves(session, service.get_unit(session, actor, unit_id))
    return whole([UnitMoveRead.model_validate(m) for m in moves])


def _letterhead(response: Response, found: UnitLetterhead) -> LetterheadRead:
    set_etag(response, found.version)
    return LetterheadRead.model_validate(found)


@router.get("/{unit_id}/letterhead", name="units-letterhead-get", responses=problem_responses(404))
def get_letterhead(
    session: SessionDep, actor: ActorDep, unit_id: Id, response: Response
) -> LetterheadRead:
    """How the unit heads the letters and certificates it issues (NĐ 30/2020, Phụ lục I);
    404 until its administrators set one."""
    unit = service.get_unit(session, actor, unit_id)
    return _letterhead(response, letterhead.get_letterhead(session, unit))


@router.put(
    "/{unit_id}/letterhead",
    name="units-letterhead-put",
    responses=problem_responses(403, 404, 412),
)
def put_letterhead(
    session: SessionDep,
    actor: ActorDep,
    unit_id: Id,
    body: LetterheadWrite,
    expected: OptionalIfMatchDep,
    response: Response,
) -> LetterheadRead:
    """Set the unit's letterhead (its administrators). New letters take their ký hiệu
    (`SGDĐT-TCCB`), place and signer from it; issued letters keep what they printed.
    `If-Match` is optional."""
    unit = service.get_unit(session, actor, unit_id)
    found = letterhead.put_letterhead(session, actor, unit, body, expected)
    return _letterhead(response, found)
