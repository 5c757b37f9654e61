"""Units upserted by ``external_code``; the parent is named by its code.

A row may name as parent a unit created by an earlier row of the same file (a district office
and its schools in one sheet). New units are written level by level (parents before children,
one multi-row INSERT per level) with their closure-table rows computed in memory. Re-parenting
stays with ``POST /units/{id}/move``, which keeps the history of moves.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError
from sqlalchemy import insert, select
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.auth.models import Role
from app.auth.policies import Permission
from app.bulk import messages as _messages  # noqa: F401 - registers the problem texts
from app.bulk.columns import Column, Layout, choice, choice_list
from app.bulk.engine import (
    UNITS,
    Issue,
    Row,
    UnitRef,
    UnitScope,
    as_json,
    as_upload,
    chunks,
    conclude,
    fewer_collections,
    issue_from,
    map_upload,
    require_some_grant,
    snapshot,
    stored_by_code,
    unit_codes,
    unit_issue,
    versioned_update,
)
from app.bulk.parse import Upload
from app.bulk.schemas import BulkReport, ImportMode, RowStatus
from app.bulk.staff import LEVEL_LABELS
from app.core.config import get_settings
from app.core.driver import insert_returning
from app.core.model_base import utcnow
from app.core.schemas import PatchModel
from app.units.models import EducationLevel, UnitClosure, UnitKind
from app.units.schemas import ExternalCode, Name, UnitCreate, UnitUpdate

# the first label of each kind is the one templates offer (``Choice.offered``)
KIND_LABELS = {
    "Bộ GD&ĐT": UnitKind.ministry,
    "Bộ": UnitKind.ministry,
    "Sở GD&ĐT": UnitKind.department,
    "Sở": UnitKind.department,
    "Phòng GD&ĐT": UnitKind.district_office,
    "Phòng": UnitKind.district_office,
    "UBND xã": UnitKind.commune,
    "Xã": UnitKind.commune,
    "Phường": UnitKind.commune,
    "UBND phường": UnitKind.commune,
    "Trường": UnitKind.school,
    "Trường học": UnitKind.school,
    "Trung tâm": UnitKind.center,
    "Khác": UnitKind.other,
}


class UnitRow(PatchModel):
    """A unit row: its code, the fields of ``PATCH /units/{id}`` and the parent by its code.

    A new code also needs `name` and `kind` (as `POST /units`).
    """

    NOT_NULL = frozenset({"name", "kind", "education_levels"})

    external_code: ExternalCode
    name: Name | None = None
    kind: UnitKind | None = None
    education_levels: list[EducationLevel] | None = Field(default=None, max_length=5)
    parent_external_code: ExternalCode | None = Field(
        default=None, description="The managing unit's `external_code`; none for a new root."
    )


UNIT_LAYOUT = Layout(
    model=UnitRow,
    columns=(
        Column("external_code", ("Mã đơn vị", "Mã trường", "Mã định danh")),
        Column("name", ("Tên đơn vị", "Tên trường")),
        Column("kind", ("Loại đơn vị", "Loại hình đơn vị"), choice(UnitKind, KIND_LABELS)),
        Column("education_levels", ("Cấp học",), choice_list(EducationLevel, LEVEL_LABELS)),
        Column(
            "parent_external_code",
            ("Mã đơn vị cấp trên", "Mã đơn vị quản lý", "Mã cơ quan quản lý", "parent_code"),
        ),
    ),
)
PARENT = "parent_external_code"
CLOSURE = UnitClosure.__table__  # type: ignore[attr-defined]


@fewer_collections
def import_units(
    session: Session,
    actor: Actor,
    rows: Upload | Sequence[dict[str, Any]],
    *,
    mode: ImportMode = ImportMode.atomic,
    dry_run: bool = False,
    lang: str = "vi",
) -> BulkReport:
    """Upsert units by ``external_code`` (parents by ``parent_external_code``)."""
    require_some_grant(actor, Permission.manage_units)
    batch = map_upload(as_upload(rows, get_settings().import_max_rows), UNIT_LAYOUT)
    _decide(session, actor, batch.rows)
    return conclude(
        batch,
        mode=mode,
        dry_run=dry_run,
        lang=lang,
        write=lambda todo: _write(session, todo),
    )


def _decide(session: Session, actor: Actor, items: list[Row]) -> None:
    scope = UnitScope(session, actor, Permission.manage_units)
    live = [r for r in items if r.issue is None]
    parents = scope.by_code(r.values[PARENT] for r in live if r.values.get(PARENT))
    stored = stored_by_code(session, UNITS.c.external_code, [r.code for r in live if r.code])
    writable = scope.writable(s["id"] for s in stored.values())
    visible = scope.visible(s["id"] for s in stored.values())
    codes_by_id = unit_codes(session, (s["parent_id"] for s in stored.values()))
    created: dict[str, Row] = {}  # earlier rows of this file that create a unit
    root_ok = actor.is_global_admin
    for row in live:
        old = stored.get(row.code or "")
        if old is None:
            _plan_create(row, parents, created, root_ok)
            if row.issue is None and row.code:
                created[row.code] = row
        elif old["id"] not in writable:
            row.issue = (
                Issue("forbidden", "external_code", {"permission": "manage_units"})
                if old["id"] in visible
                else Issue("external_code_taken", "external_code", {"value": row.code})
            )
        else:
            _plan_update(row, old, parents, codes_by_id)


def _plan_create(
    row: Row, parents: dict[str, UnitRef], created: dict[str, Row], root_ok: bool
) -> None:
    code = row.values.get(PARENT)
    parent_id: int | None = None
    if code is None and not root_ok:  # only a system-wide admin plants a new root
        row.issue = Issue("forbidden", PARENT, {"permission": Role.admin.value})
        return
    if code is not None and code in created:
        parent_id = 1  # stands in for the id the parent gets when written
        row.data["_parent_row"] = created[code]
    elif code is not None:
        ref = parents.get(code)
        row.issue = unit_issue(ref, code, PARENT, Permission.manage_units)
        if row.issue or ref is None:
            return
        parent_id = ref.id
    fields = {k: v for k, v in row.values.items() if k != PARENT}
    try:
        data = UnitCreate.model_validate(as_json({**fields, "parent_id": parent_id}))
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    row.data |= data.model_dump(mode="json")
    row.status = RowStatus.created


def _plan_update(
    row: Row, old: dict[str, Any], parents: dict[str, UnitRef], codes_by_id: dict[int, str]
) -> None:
    code = row.values.get(PARENT)
    if code is not None:
        ref = parents.get(code)
        if ref is None or ref.id != old["parent_id"]:
            current = codes_by_id.get(old["parent_id"], str(old["parent_id"]))
            row.issue = Issue("bulk_parent_changed", PARENT, {"current": current})
            return
    fields = {k: v for k, v in row.values.items() if k not in (PARENT, "external_code")}
    try:
        data = UnitUpdate.model_validate(as_json(fields))
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    changes = data.model_dump(exclude_unset=True, mode="json")
    row.id, row.before = old["id"], old
    row.data = {k: v for k, v in changes.items() if old[k] != v}
    row.status = RowStatus.updated if row.data else RowStatus.unchanged


# --- writing --------------------------------------------------------------------------


def _write(session: Session, todo: list[Row]) -> None:
    now = utcnow()
    changes: list[Change] = []
    _create(session, [r for r in todo if r.status == RowStatus.created], now, changes)
    updated = [r for r in todo if r.status == RowStatus.updated]
    changes += versioned_update(session, UNITS, updated, now, unit_of=lambda old: old["id"])
    note_changes(session, changes)


def _levels(rows: list[Row]) -> list[list[Row]]:
    """Parents before children: a row's level is one more than its parent row's."""
    level: dict[int, int] = {}
    out: list[list[Row]] = []
    for row in rows:  # a parent row always comes earlier in the file
        parent = row.data.get("_parent_row")
        n = level[id(parent)] + 1 if parent is not None else 0
        level[id(row)] = n
        if n == len(out):
            out.append([])
        out[n].append(row)
    return out


def _create(session: Session, rows: list[Row], now: datetime, changes: list[Change]) -> None:
    # the ancestors (id, depth) of every parent: from the table for stored parents, then
    # extended in memory as each level is written
    stored_parents = {r.data["parent_id"] for r in rows if "_parent_row" not in r.data}
    ancestors = _ancestors(session, {p for p in stored_parents if p is not None})
    for level in _levels(rows):
        for row in level:
            parent = row.data.pop("_parent_row", None)
            if parent is not None:
                row.data["parent_id"] = parent.id
        for part in chunks(level):
            params = [{**r.data, "version": 1, "created_at": now, "updated_at": now} for r in part]
            ids = insert_returning(session, UNITS, params)
            closure = []
            for row, new_id, values in zip(part, ids, params, strict=True):
                row.id = new_id
                above = ancestors.get(values["parent_id"], []) if values["parent_id"] else []
                ancestors[new_id] = [(new_id, 0)] + [(a, d + 1) for a, d in above]
                closure += [
                    {"ancestor_id": a, "descendant_id": new_id, "depth": d}
                    for a, d in ancestors[new_id]
                ]
                after = snapshot({"id": new_id, "head_staff_id": None, **values})
                changes.append(("create", "unit", new_id, new_id, None, after))
            session.execute(insert(CLOSURE), closure)


def _ancestors(session: Session, unit_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for part in chunks(sorted(unit_ids)):
        found = session.execute(
            select(CLOSURE.c.descendant_id, CLOSURE.c.ancestor_id, CLOSURE.c.depth).where(
                CLOSURE.c.descendant_id.in_(part)
            )
        )
        for unit_id, ancestor, depth in found:
            out.setdefault(unit_id, []).append((ancestor, depth))
    return out
