"""``POST .../bulk``: bulk upsert by ``external_code`` from JSON, CSV or XLSX; and the
spreadsheet templates to fill in for each (``GET /bulk/templates``)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from app.auth.actor import ActorDep
from app.bulk.attendance import MARK_LAYOUT, import_attendance
from app.bulk.columns import Layout
from app.bulk.http import (
    DryRunQuery,
    ModeQuery,
    import_openapi,
    import_responses,
    read_upload,
    request_language,
)
from app.bulk.lms import LMS_LAYOUT, import_lms
from app.bulk.modules import MODULE_LAYOUT, import_modules
from app.bulk.schemas import BulkReport, ImportMode, ImportTemplate
from app.bulk.staff import STAFF, import_staff
from app.bulk.template_xlsx import template_xlsx
from app.bulk.templates import TEMPLATES, describe
from app.bulk.units import UNIT_LAYOUT, import_units
from app.core.db import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.exports import XLSX, content_disposition
from app.core.i18n import RESOURCES_VI
from app.core.idempotency import IdempotencyDep
from app.core.offload import blocking
from app.core.schemas import Page
from app.core.types import Id
from app.web.routing import api_router

router = api_router("/api/v1", "bulk")
RESOURCES_VI["import_template"] = "mẫu nhập"


async def _run(
    request: Request, layout: Layout, service: Callable[..., BulkReport], *args: Any, **opts: Any
) -> BulkReport:
    """Read the upload for ``layout`` and run ``service(*args, upload, **opts)`` off the loop."""
    upload = await read_upload(request, layout)
    lang = request_language(request)
    return await run_in_threadpool(service, *args, upload, lang=lang, **opts)


@router.post(
    "/staff/bulk",
    name="staff-bulk",
    dependencies=[IdempotencyDep],
    responses=import_responses(412),
    openapi_extra=import_openapi(STAFF),
)
async def staff_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    mode: ModeQuery = ImportMode.atomic,
    dry_run: DryRunQuery = False,
) -> BulkReport:
    """Upsert staff by `external_code` (Mã định danh) from the sector database's spreadsheets.

    Each row is `created`, `updated` (fields it provides changed; `version` goes up),
    `unchanged` (every provided value already stored) or `error` with a problem. A row's unit
    (`Mã đơn vị`) must be one where the caller manages staff; moving a person to another unit
    stays with `/staff/{id}/transfer`. Dates `dd/mm/yyyy`, ISO or Excel date cells.
    """
    return await _run(request, STAFF, import_staff, session, actor, mode=mode, dry_run=dry_run)


@router.post(
    "/units/bulk",
    name="units-bulk",
    dependencies=[IdempotencyDep],
    responses=import_responses(412),
    openapi_extra=import_openapi(UNIT_LAYOUT),
)
async def units_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    mode: ModeQuery = ImportMode.atomic,
    dry_run: DryRunQuery = False,
) -> BulkReport:
    """Upsert units by `external_code`; the parent by `parent_external_code`.

    A parent may be a unit created by an earlier row of the same file. New units go under a
    unit where the caller manages units (a new root: system-wide admins only); re-parenting
    stays with `/units/{id}/move`, which keeps the history.
    """
    return await _run(
        request, UNIT_LAYOUT, import_units, session, actor, mode=mode, dry_run=dry_run
    )


@router.post(
    "/bdtx/modules/bulk",
    name="bdtx-modules-bulk",
    dependencies=[IdempotencyDep],
    responses=import_responses(412),
    openapi_extra=import_openapi(MODULE_LAYOUT),
)
async def modules_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    mode: ModeQuery = ImportMode.atomic,
    dry_run: DryRunQuery = False,
) -> BulkReport:
    """Upsert BDTX catalogue modules by `code` (lists such as `categories` separated by `;`).

    For admins and department officers; the provided fields are merged over the stored module
    and the result validated as `POST /bdtx/modules` validates a new one.
    """
    return await _run(
        request, MODULE_LAYOUT, import_modules, session, actor, mode=mode, dry_run=dry_run
    )


@router.post(
    "/events/{event_id}/sessions/{session_id}/attendance/bulk",
    name="attendance-bulk",
    dependencies=[IdempotencyDep],
    responses=import_responses(404),
    openapi_extra=import_openapi(MARK_LAYOUT),
)
async def attendance_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    session_id: Id,
    mode: ModeQuery = ImportMode.atomic,
    dry_run: DryRunQuery = False,
) -> BulkReport:
    """R-ATT-1: a session's marks from the organisers' sheet, by staff `external_code`.

    The rules of `PUT .../attendance`: organisers only, roster members only (others are row
    errors `not_on_roster`), and not once the event is closed (409).
    """
    return await _run(
        request,
        MARK_LAYOUT,
        import_attendance,
        session,
        actor,
        event_id,
        session_id,
        mode=mode,
        dry_run=dry_run,
    )


@router.post(
    "/bdtx/lms-completions/bulk",
    name="bdtx-lms-bulk",
    dependencies=[IdempotencyDep],
    responses=import_responses(),
    openapi_extra=import_openapi(LMS_LAYOUT),
)
async def lms_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    mode: ModeQuery = ImportMode.atomic,
    dry_run: DryRunQuery = False,
) -> BulkReport:
    """LMS completions from a platform's export: per person, school year and module, the
    periods credited (source `lms`) and the score (0–10).

    The rules of `POST /bdtx/lms-completions`; a person outside the caller's scope is a row
    error "not found", a finalised year a row error `bdtx_result_finalised` (R-BDTX-1).
    """
    return await _run(request, LMS_LAYOUT, import_lms, session, actor, mode=mode, dry_run=dry_run)


# --- templates ------------------------------------------------------------------------------
# Any signed-in caller, any role: a template holds no data, and whoever may not import is
# refused by the import itself. Not public: nobody without an account has a use for one, and
# the public surface stays what must be reachable without one (certificate checks, and the
# problem catalogue that every problem's `type` names).

DOWNLOAD = "bulk-templates-download"
ResourcePath = Annotated[
    str,
    Path(
        max_length=64,
        pattern="^[a-z0-9-]+$",
        description="The template's key: " + ", ".join(f"`{k}`" for k in TEMPLATES) + ".",
    ),
]


def _import_paths() -> dict[str, str]:
    """Each import's path template, by its route name: the listing names the route itself."""
    return {r.name: r.path_format for r in router.routes if isinstance(r, APIRoute)}


@router.get("/bulk/templates", name="bulk-templates-list", response_model=Page[ImportTemplate])
def list_templates() -> Page[ImportTemplate]:
    """The spreadsheet template of every bulk import: its columns (header, field, required,
    format, allowed values, an example) and where to download it as XLSX.

    Headers are the Vietnamese ones the import reads; the download holds them, one example
    row the import accepts, and a "Hướng dẫn" sheet explaining each column.
    """
    paths = _import_paths()
    items = [
        describe(t, paths[t.route], str(router.url_path_for(DOWNLOAD, resource=key)))
        for key, t in TEMPLATES.items()
    ]
    return Page(items=items, next_cursor=None)


@router.get(
    "/bulk/templates/{resource}",
    name=DOWNLOAD,
    response_class=Response,
    responses={
        200: {
            "description": "The template as XLSX: the headers the import reads on row 1 "
            "(frozen), one example row, a drop-down on each choice column, and a sheet "
            "«Hướng dẫn» explaining every column.",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(404),
    },
)
def download_template(resource: ResourcePath) -> Response:
    """Download one import's spreadsheet template (XLSX), ready to fill in and upload.

    The example row on row 2 is one the import accepts: replace or delete it before sending.
    """
    template = TEMPLATES.get(resource)
    if template is None:
        raise NotFound("import_template", resource)
    headers = {"Content-Disposition": content_disposition(f"{template.filename}.xlsx")}
    return Response(blocking(template_xlsx, template), media_type=XLSX, headers=headers)
