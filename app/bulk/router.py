"""``POST .../bulk``: bulk upsert by ``external_code`` from JSON, CSV or XLSX."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
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
from app.bulk.schemas import BulkReport, ImportMode
from app.bulk.staff import STAFF, import_staff
from app.bulk.units import UNIT_LAYOUT, import_units
from app.core.db import SessionDep
from app.core.idempotency import IdempotencyDep
from app.core.types import Id
from app.web.routing import api_router

router = api_router("/api/v1", "bulk")


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
