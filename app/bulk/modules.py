"""BDTX catalogue modules upserted by ``code``.

The catalogue is province-wide: whoever may manage it (admins, department officers) imports
it whole; there is no per-row unit scope. A row for a known code is merged over the stored
module and validated as a whole (``ModuleCreate``), so an update can never leave a module that
a create would refuse.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.bdtx.models import BdtxModule
from app.bdtx.policies import POLICY_ROLES, allow_province
from app.bdtx.schemas import Code, ModuleCreate, Url
from app.bulk import messages as _messages  # noqa: F401 - registers the problem texts
from app.bulk.columns import Column, Layout, choice_list, number, text_list
from app.bulk.engine import (
    Row,
    as_json,
    as_upload,
    chunks,
    conclude,
    fewer_collections,
    issue_from,
    map_upload,
    snapshot,
    stored_by_code,
    versioned_update,
)
from app.bulk.parse import Upload
from app.bulk.schemas import BulkReport, ImportMode, RowStatus
from app.bulk.staff import CATEGORY_LABELS, LEVEL_LABELS
from app.core.config import get_settings
from app.core.driver import insert_returning
from app.core.model_base import utcnow
from app.core.schemas import PatchModel
from app.staff.models import StaffCategory
from app.units.models import EducationLevel


class ModuleRow(PatchModel):
    """A catalogue row: the module's code and any of its fields (a new code needs `title`,
    `block` and `periods`, as `POST /bdtx/modules`)."""

    NOT_NULL = frozenset(
        {"title", "block", "periods", "categories", "education_levels", "criteria", "materials"}
    )

    code: Code
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    block: Code | None = None
    periods: int | None = Field(default=None, gt=0, le=1000)
    categories: list[str] | None = None
    education_levels: list[str] | None = None
    criteria: list[str] | None = None
    materials: list[Url] | None = None


MODULE_LAYOUT = Layout(
    model=ModuleRow,
    columns=(
        Column("code", ("Mã mô-đun", "Mã module", "Mã")),
        Column("title", ("Tên mô-đun", "Tên module", "Tên")),
        Column("block", ("Khối", "Khối kiến thức", "Nội dung")),
        Column("periods", ("Số tiết",), number),
        Column("categories", ("Đối tượng",), choice_list(StaffCategory, CATEGORY_LABELS)),
        Column("education_levels", ("Cấp học",), choice_list(EducationLevel, LEVEL_LABELS)),
        Column("criteria", ("Tiêu chí",), text_list),
        Column("materials", ("Tài liệu", "Học liệu"), text_list),
    ),
    key="code",
)
TABLE = BdtxModule.__table__  # type: ignore[attr-defined]
FIELDS = ("title", "block", "periods", "categories", "education_levels", "criteria", "materials")


@fewer_collections
def import_modules(
    session: Session,
    actor: Actor,
    rows: Upload | Sequence[dict[str, Any]],
    *,
    mode: ImportMode = ImportMode.atomic,
    dry_run: bool = False,
    lang: str = "vi",
) -> BulkReport:
    """Upsert catalogue modules by ``code``."""
    allow_province(session, actor, POLICY_ROLES, "manage_bdtx_modules")
    batch = map_upload(as_upload(rows, get_settings().import_max_rows), MODULE_LAYOUT)
    live = [r.code for r in batch.rows if r.code and r.issue is None]
    stored = stored_by_code(session, TABLE.c.code, live)
    for row in batch.rows:
        if row.issue is None:
            _plan(row, stored.get(row.code or ""))
    return conclude(
        batch,
        mode=mode,
        dry_run=dry_run,
        lang=lang,
        write=lambda todo: _write(session, todo),
    )


def _plan(row: Row, old: dict[str, Any] | None) -> None:
    base = {k: old[k] for k in FIELDS} if old else {}
    merged = {**base, **row.values}
    if old is not None:
        merged["issuer_unit_id"] = old["issuer_unit_id"]
    try:
        data = ModuleCreate.model_validate(as_json(merged)).model_dump(mode="json")
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    if old is None:
        row.data, row.status = data, RowStatus.created
        return
    row.id, row.before = old["id"], old
    row.data = {k: data[k] for k in row.values if k in FIELDS and data[k] != old[k]}
    row.status = RowStatus.updated if row.data else RowStatus.unchanged


def _write(session: Session, todo: list[Row]) -> None:
    now: datetime = utcnow()
    changes: list[Change] = []
    created = [r for r in todo if r.status == RowStatus.created]
    for part in chunks(created):
        params = [{**r.data, "version": 1, "created_at": now, "updated_at": now} for r in part]
        for row, new_id, values in zip(
            part, insert_returning(session, TABLE, params), params, strict=True
        ):
            row.id = new_id
            after = snapshot({"id": new_id, **values})
            changes.append(("create", "bdtx_module", new_id, values["issuer_unit_id"], None, after))
    updated = [r for r in todo if r.status == RowStatus.updated]
    changes += versioned_update(
        session, TABLE, updated, now, unit_of=lambda old: old["issuer_unit_id"]
    )
    note_changes(session, changes)
