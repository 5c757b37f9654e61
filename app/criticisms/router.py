from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.exports import choose_media_type, content_disposition
from app.core.idempotency import IdempotencyDep
from app.core.offload import in_thread
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.criticisms import service
from app.criticisms.document import DOCX, PDF, render
from app.criticisms.models import Criticism, CriticismStatus
from app.criticisms.schemas import CriticismCreate, CriticismRead, CriticismUpdate
from app.documents.service import stored
from app.web.routing import api_router

router = api_router("/api/v1/criticisms", "criticisms")
WRITE = problem_responses(403, 404, 409, 412, 428)
BINARY = {"type": "string", "format": "binary"}


def _read(letter: Criticism, cited: list[int]) -> CriticismRead:
    read = CriticismRead.model_validate(letter)
    read.violation_ids = cited
    return read


def _letter(response: Response, found: tuple[Criticism, list[int]]) -> CriticismRead:
    set_etag(response, found[0].version)
    return _read(*found)


@router.get("", name="criticisms-list", response_model=Page[CriticismRead])
def list_criticisms(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    status: CriticismStatus | None = None,
    school_year: Annotated[SchoolYear | None, Query()] = None,
    issuing_unit_id: Id | None = None,
    recipient_unit_id: Id | None = None,
    include_descendants: Annotated[
        bool, Query(description="With `recipient_unit_id`: letters to the whole subtree")
    ] = False,
) -> Page[CriticismRead]:
    """Letters issued from the caller's units (drafts too) and issued letters sent to them."""
    filters = service.CriticismFilters(
        status=status,
        school_year=school_year,
        issuing_unit_id=issuing_unit_id,
        recipient_unit_id=recipient_unit_id,
        include_descendants=include_descendants,
    )
    items, cursor = service.list_criticisms(session, actor, page, filters)
    return Page(items=[_read(c, ids) for c, ids in items], next_cursor=cursor)


@router.post(
    "",
    name="criticisms-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 404, 409),
)
def create_criticism(
    session: SessionDep, actor: ActorDep, body: CriticismCreate, response: Response
) -> CriticismRead:
    """R-VIO-1: a department officer drafts a letter from their unit to a unit below it,
    citing open violations of that unit (or units below it) of one school year."""
    found = service.create_criticism(session, actor, body)
    response.headers["Location"] = f"{router.prefix}/{found[0].id}"
    return _letter(response, found)


@router.get("/{criticism_id}", name="criticisms-get", responses=problem_responses(404))
def get_criticism(
    session: SessionDep, actor: ActorDep, criticism_id: Id, response: Response
) -> CriticismRead:
    letter = service.get_criticism(session, actor, criticism_id)
    return _letter(response, service.with_cited(session, letter))


@router.patch("/{criticism_id}", name="criticisms-update", responses=WRITE)
def update_criticism(
    session: SessionDep,
    actor: ActorDep,
    criticism_id: Id,
    body: CriticismUpdate,
    version: IfMatchDep,
    response: Response,
) -> CriticismRead:
    """While a draft; an issued letter is immutable (409 `criticism_issued`, R-VIO-1)."""
    letter = service.get_criticism(session, actor, criticism_id)
    return _letter(response, service.update_criticism(session, actor, letter, body, version))


@router.post("/{criticism_id}/issue", name="criticisms-issue", responses=WRITE)
def issue_criticism(
    session: SessionDep,
    actor: ActorDep,
    criticism_id: Id,
    version: IfMatchDep,
    response: Response,
) -> CriticismRead:
    """R-VIO-1: number the letter (`12/CV-SGDĐT`, per issuing unit and calendar year), date
    it today, record who issued it, and mark the cited violations `cited`. Refused when any
    of them is no longer open."""
    letter = service.get_criticism(session, actor, criticism_id)
    return _letter(response, service.issue_criticism(session, actor, letter, version))


@router.get(
    "/{criticism_id}/document",
    name="criticisms-document",
    response_class=Response,
    responses={
        200: {
            "description": "The letter as PDF (default) or DOCX, by `format` or by `Accept`; a "
            "draft is marked DỰ THẢO. An issued letter's PDF is the one kept when it was "
            "issued, signed (PAdES) when its unit has a signing credential.",
            "content": {PDF: {"schema": BINARY}, DOCX: {"schema": BINARY}},
        },
        **problem_responses(404, 406),
    },
)
@in_thread
def criticism_document(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    criticism_id: Id,
    fmt: Annotated[
        Literal["pdf", "docx"] | None,
        Query(alias="format", description="pdf or docx; wins over `Accept` (links in a browser)"),
    ] = None,
) -> Any:
    """The printed công văn: heading, Kính gửi, body, the cited violations, Nơi nhận."""
    kind = fmt or choose_media_type(request, {"pdf": PDF, "docx": DOCX}, "pdf")
    letter = service.get_criticism(session, actor, criticism_id)
    kept = stored(session, "criticism", criticism_id) if kind == "pdf" else None
    if kept is not None:  # an issued letter downloads as issued (and as signed)
        content, media_type = kept.pdf, PDF
    else:
        content, media_type = render(service.letter_of(session, letter), kind)
    name = (letter.document_number or f"du-thao-{letter.id}").replace("/", "-")
    headers = {"Content-Disposition": content_disposition(f"phe-binh-{name}.{kind}")}
    return Response(content, media_type=media_type, headers=headers)
