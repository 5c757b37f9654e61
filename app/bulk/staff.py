"""Staff upserted by ``external_code`` from the sector database's spreadsheets.

A row for a new code creates the person (validated as ``POST /staff`` validates); a row for a
known code updates the fields it provides (as ``PATCH /staff/{id}`` does) or, when every
provided value is already stored, is ``unchanged`` (no write, no version bump). Moving a
person to another unit stays with ``/transfer``, which keeps the unit history.
"""

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from pydantic import Field, ValidationError
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.auth.policies import Permission
from app.bulk import messages as _messages  # noqa: F401 - registers the problem texts
from app.bulk.columns import Column, Layout, choice, day, text, text_list
from app.bulk.engine import (
    Issue,
    Row,
    UnitScope,
    as_json,
    as_upload,
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
from app.core.config import get_settings
from app.core.driver import insert_returning
from app.core.model_base import utcnow
from app.core.text import fold
from app.staff.models import Gender, Staff, StaffAssignment, StaffCategory, StaffStatus
from app.staff.schemas import StaffCreate, StaffUpdate
from app.units.models import EducationLevel
from app.units.schemas import ExternalCode

_RANK = re.compile(r"V\.\d{2}\.\d{2}\.\d{2}")


def title_rank(value: Any) -> str | None:
    """``Hạng III (V.07.03.29)`` as exports write it: the code in it, else the cell."""
    raw = text(value)
    found = _RANK.search(raw or "")
    return found.group(0) if found else raw


# Vietnamese labels a cell may hold; the first of each value is the one templates offer
# (``Choice.offered``)
CATEGORY_LABELS = {
    "Giáo viên": StaffCategory.teacher,
    "GV": StaffCategory.teacher,
    "Cán bộ quản lý": StaffCategory.manager,
    "CBQL": StaffCategory.manager,
    "Quản lý": StaffCategory.manager,
    "Nhân viên": StaffCategory.other,
    "NV": StaffCategory.other,
    "Khác": StaffCategory.other,
}
LEVEL_LABELS = {
    "Mầm non": EducationLevel.preschool,
    "Tiểu học": EducationLevel.primary,
    "THCS": EducationLevel.lower_secondary,
    "Trung học cơ sở": EducationLevel.lower_secondary,
    "THPT": EducationLevel.upper_secondary,
    "Trung học phổ thông": EducationLevel.upper_secondary,
    "GDTX": EducationLevel.continuing,
    "Giáo dục thường xuyên": EducationLevel.continuing,
}
GENDER_LABELS = {"Nam": Gender.male, "Nữ": Gender.female}
STATUS_LABELS = {
    "Đang làm việc": StaffStatus.active,
    "Đang công tác": StaffStatus.active,
    "Tạm nghỉ": StaffStatus.on_leave,
    "Nghỉ phép": StaffStatus.on_leave,
    "Nghỉ hưu": StaffStatus.retired,
    "Đã nghỉ hưu": StaffStatus.retired,
    "Nghỉ việc": StaffStatus.left,
    "Thôi việc": StaffStatus.left,
    "Chuyển công tác": StaffStatus.left,
}


class StaffRow(StaffUpdate):
    """A staff row: the fields of ``PATCH /staff/{id}``, the code, and the unit by its code.

    A new code also needs `full_name`, `unit_external_code` and `category` (as `POST /staff`).
    """

    external_code: ExternalCode
    unit_external_code: ExternalCode | None = Field(
        default=None, description="The unit's `external_code` (Mã đơn vị)."
    )


STAFF = Layout(
    model=StaffRow,
    columns=(
        Column(
            "external_code",
            ("Mã định danh", "Mã cán bộ", "Mã CBGVNV", "Mã nhân sự", "Mã định danh Bộ GD&ĐT"),
        ),
        Column("full_name", ("Họ và tên", "Họ tên")),
        Column("unit_external_code", ("Mã đơn vị", "Mã trường", "unit_code")),
        Column(
            "category",
            ("Vị trí việc làm", "Nhóm vị trí việc làm", "Loại cán bộ", "Phân loại"),
            choice(StaffCategory, CATEGORY_LABELS),
        ),
        Column("position", ("Chức vụ",)),
        Column("subjects", ("Môn dạy", "Môn giảng dạy"), text_list),
        Column("education_level", ("Cấp học", "Cấp dạy"), choice(EducationLevel, LEVEL_LABELS)),
        Column(
            "title_rank",
            ("Hạng chức danh nghề nghiệp", "Mã hạng chức danh nghề nghiệp", "Hạng CDNN"),
            title_rank,
        ),
        Column("date_of_birth", ("Ngày sinh", "Ngày tháng năm sinh"), day),
        Column("gender", ("Giới tính",), choice(Gender, GENDER_LABELS)),
        Column("email", ("Thư điện tử", "Địa chỉ email")),
        Column("status", ("Trạng thái", "Tình trạng"), choice(StaffStatus, STATUS_LABELS)),
    ),
)
UNIT_FIELD = "unit_external_code"
# what a new person needs beyond an update (`unit_id` comes from the unit's code)
CREATE_REQUIRED = ("full_name", "category")
TABLE = Staff.__table__  # type: ignore[attr-defined]
ASSIGNMENTS = StaffAssignment.__table__  # type: ignore[attr-defined]


@fewer_collections
def import_staff(
    session: Session,
    actor: Actor,
    rows: Upload | Sequence[dict[str, Any]],
    *,
    mode: ImportMode = ImportMode.atomic,
    dry_run: bool = False,
    lang: str = "vi",
) -> BulkReport:
    """Upsert staff by ``external_code``; ``rows`` is an upload or plain dicts (any header)."""
    require_some_grant(actor, Permission.manage_staff)
    batch = map_upload(as_upload(rows, get_settings().import_max_rows), STAFF)
    _decide(session, actor, batch.rows)
    return conclude(
        batch,
        mode=mode,
        dry_run=dry_run,
        lang=lang,
        write=lambda todo: _write(session, todo),
    )


def _decide(session: Session, actor: Actor, items: list[Row]) -> None:
    scope = UnitScope(session, actor, Permission.manage_staff)
    live = [r for r in items if r.issue is None]
    units = scope.by_code(r.values[UNIT_FIELD] for r in live if r.values.get(UNIT_FIELD))
    stored = stored_by_code(session, TABLE.c.external_code, [r.code for r in live if r.code])
    held = {s["unit_id"] for s in stored.values()}
    writable, visible = scope.writable(held), scope.visible(held)
    codes_by_id = unit_codes(session, held)
    for row in live:
        old = stored.get(row.code or "")
        if old is None:
            _plan_create(row, units)
        elif old["unit_id"] not in writable:
            # someone else's person: the same answer as POST /staff with that code
            row.issue = (
                Issue("forbidden", UNIT_FIELD, {"permission": Permission.manage_staff.value})
                if old["unit_id"] in visible
                else Issue("external_code_taken", "external_code", {"value": row.code})
            )
        else:
            _plan_update(row, old, units, codes_by_id)


def _plan_create(row: Row, units: dict[str, Any]) -> None:
    code = row.values.get(UNIT_FIELD)
    if code is None:
        row.issue = Issue("bulk_missing_value", UNIT_FIELD, {"field": UNIT_FIELD})
        return
    ref = units.get(code)
    row.issue = unit_issue(ref, code, UNIT_FIELD, Permission.manage_staff)
    if row.issue or ref is None:
        return
    missing = next((f for f in CREATE_REQUIRED if row.values.get(f) is None), None)
    if missing is not None:
        row.issue = Issue("bulk_missing_value", missing, {"field": missing})
        return
    # every value already passed StaffRow, whose fields carry StaffCreate's own rules (a test
    # holds them equal), so the create only adds its defaults; a second validation of each
    # row would double the import's cost
    data = {**_create_defaults(), **{k: v for k, v in row.values.items() if k in _CREATE_FIELDS}}
    data["unit_id"] = ref.id
    row.data = {**data, "name_search": fold(data["full_name"])}
    row.status = RowStatus.created


# StaffCreate's optional fields and their defaults, read once: what ``model_construct``
# would fill in, without its per-row inspection of each default factory's signature (a
# fifth of a 25,000-row import's time).
_CREATE_FIELDS = frozenset(StaffCreate.model_fields)
_OPTIONAL = [
    (n, cast(Callable[[], Any] | None, f.default_factory), f.default)
    for n, f in StaffCreate.model_fields.items()
    if not f.is_required()
]


def _create_defaults() -> dict[str, Any]:
    # a factory's value (an empty list) is built for each row: rows must not share it
    return {name: factory() if factory else default for name, factory, default in _OPTIONAL}


def _plan_update(
    row: Row, old: dict[str, Any], units: dict[str, Any], codes_by_id: dict[int, str]
) -> None:
    code = row.values.get(UNIT_FIELD)
    if code is not None:
        ref = units.get(code)
        if ref is None or ref.id != old["unit_id"]:
            current = codes_by_id.get(old["unit_id"], str(old["unit_id"]))
            row.issue = Issue("bulk_unit_changed", UNIT_FIELD, {"current": current})
            return
    fields = {k: v for k, v in row.values.items() if k not in (UNIT_FIELD, "external_code")}
    try:
        data = StaffUpdate.model_validate(as_json(fields))
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    row.id, row.before = old["id"], old
    row.data = {k: v for k, v in data.model_dump(exclude_unset=True).items() if old[k] != v}
    row.status = RowStatus.updated if row.data else RowStatus.unchanged
    if "full_name" in row.data:
        row.data["name_search"] = fold(row.data["full_name"])


# --- writing --------------------------------------------------------------------------


def _write(session: Session, todo: list[Row]) -> None:
    now = utcnow()
    changes: list[Change] = []
    _create(session, [r for r in todo if r.status == RowStatus.created], now, changes)
    updated = [r for r in todo if r.status == RowStatus.updated]
    changes += versioned_update(session, TABLE, updated, now, unit_of=lambda old: old["unit_id"])
    note_changes(session, changes)


def _create(session: Session, rows: list[Row], now: Any, changes: list[Change]) -> None:
    if not rows:
        return
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    params = [{**r.data, **stamp} for r in rows]
    ids = insert_returning(session, TABLE, params)
    links = [
        {"staff_id": i, "unit_id": p["unit_id"], "started_at": now}
        for i, p in zip(ids, params, strict=True)
    ]
    link_ids = insert_returning(session, ASSIGNMENTS, links)
    # the values every row shares, made JSON once for all the audit snapshots
    json_stamp = snapshot(stamp)
    link_stamp = snapshot({"started_at": now, "ended_at": None, "reason": None})
    link_stamp["decision_number"] = None
    for row, new_id, link_id in zip(rows, ids, link_ids, strict=True):
        row.id = new_id
        unit_id = row.data["unit_id"]
        after = {"id": new_id, **snapshot(row.data), **json_stamp}
        changes.append(("create", "staff", new_id, unit_id, None, after))
        link = {"id": link_id, "staff_id": new_id, "unit_id": unit_id, **link_stamp}
        changes.append(("create", "staff_assignment", link_id, unit_id, None, link))
