"""Attendance marks of one session from a sheet, by staff ``external_code`` (R-ATT-1).

The same rules as ``PUT .../attendance``: only the event's organisers, only while the event is
open (not after close), only people on the roster. A mark is identified by the person within
the session; a row for a person already marked updates the fields it provides.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AwareDatetime, StringConstraints, ValidationError
from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.bulk import messages as _messages  # noqa: F401 - registers the problem texts
from app.bulk.columns import Column, Layout, choice, moment
from app.bulk.engine import (
    Issue,
    Row,
    as_json,
    as_upload,
    chunks,
    conclude,
    fewer_collections,
    issue_from,
    map_upload,
    snapshot,
)
from app.bulk.parse import Upload
from app.bulk.schemas import BulkReport, ImportMode, RowStatus
from app.core.config import get_settings
from app.core.driver import insert_returning
from app.core.model_base import utcnow
from app.core.schemas import PatchModel
from app.events.attendance import Participant, roster
from app.events.models import (
    AttendanceMark,
    Event,
    EventSession,
    EventStatus,
    MarkSource,
    MarkStatus,
)
from app.events.policies import authorize_organizer
from app.events.schemas import MarkInput
from app.events.service import OPEN, get_event, get_session_of, require_status
from app.staff.models import Staff
from app.units.schemas import ExternalCode

STATUS_LABELS = {
    "Có mặt": MarkStatus.present,
    "Có": MarkStatus.present,
    "Đi muộn": MarkStatus.late,
    "Muộn": MarkStatus.late,
    "Về sớm": MarkStatus.left_early,
    "Vắng": MarkStatus.absent,
    "Vắng mặt": MarkStatus.absent,
}
KEY = "staff_external_code"


class MarkRow(PatchModel):
    """A mark: the person by code and any of the mark's fields (a first mark needs `status`)."""

    NOT_NULL = frozenset({"status"})

    staff_external_code: ExternalCode
    status: MarkStatus | None = None
    check_in_at: AwareDatetime | None = None
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


MARK_LAYOUT = Layout(
    model=MarkRow,
    columns=(
        Column(KEY, ("Mã định danh", "Mã cán bộ", "staff_code", "external_code")),
        Column(
            "status", ("Điểm danh", "Trạng thái", "Tình trạng"), choice(MarkStatus, STATUS_LABELS)
        ),
        Column("check_in_at", ("Giờ đến", "Thời gian đến", "Giờ điểm danh"), moment),
        Column("note", ("Ghi chú",)),
    ),
    key=KEY,
)
FIELDS = ("status", "check_in_at", "note")
TABLE = AttendanceMark.__table__  # type: ignore[attr-defined]
STAFF = Staff.__table__  # type: ignore[attr-defined]


@fewer_collections
def import_attendance(
    session: Session,
    actor: Actor,
    event_id: int,
    session_id: int,
    rows: Upload | Sequence[dict[str, Any]],
    *,
    mode: ImportMode = ImportMode.atomic,
    dry_run: bool = False,
    lang: str = "vi",
) -> BulkReport:
    """Upsert one session's marks by staff ``external_code``."""
    event = get_event(session, actor, event_id)
    sitting = get_session_of(session, event, session_id)
    authorize_organizer(session, actor, event)
    require_status(event, *OPEN)
    batch = map_upload(as_upload(rows, get_settings().import_max_rows), MARK_LAYOUT)
    items = batch.rows
    members = {p.staff_id: p for p in roster(session, event)}
    ids = _staff_ids(session, [r.code for r in items if r.code and r.issue is None])
    marks = {
        m["staff_id"]: dict(m)
        for m in session.execute(select(TABLE).where(TABLE.c.session_id == sitting.id)).mappings()
    }
    for row in items:
        if row.issue is None:
            staff_id = ids.get(row.code or "")
            if staff_id is None or staff_id not in members:
                # anyone not on the roster, known or not: nothing about others leaks
                row.issue = Issue("not_on_roster", KEY, {"staff_ids": row.code})
                continue
            if staff_id == actor.staff_id:  # R-GOV-1, as marking by PUT
                row.issue = Issue("own_case", KEY, {})
                continue
            _plan(row, staff_id, marks.get(staff_id))
    return conclude(
        batch,
        mode=mode,
        dry_run=dry_run,
        lang=lang,
        write=lambda todo: _write(session, actor, event, sitting, members, todo),
    )


def _staff_ids(session: Session, codes: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in chunks(sorted(set(codes))):
        found = session.execute(
            select(STAFF.c.external_code, STAFF.c.id).where(STAFF.c.external_code.in_(part))
        )
        out |= {r[0]: r[1] for r in found}
    return out


def _plan(row: Row, staff_id: int, old: dict[str, Any] | None) -> None:
    provided = {k: v for k, v in row.values.items() if k in FIELDS}
    merged = {**({k: old[k] for k in FIELDS} if old else {}), **provided}
    try:
        data = MarkInput.model_validate(as_json({**merged, "staff_id": staff_id}))
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    values = data.model_dump()
    if old is None:
        row.data, row.status = values, RowStatus.created
        return
    row.id, row.before = old["id"], dict(old)
    row.data = {k: values[k] for k in provided if values[k] != old[k]}
    row.status = RowStatus.updated if row.data else RowStatus.unchanged


def _write(
    session: Session,
    actor: Actor,
    event: Event,
    sitting: EventSession,
    members: dict[int, Participant],
    todo: list[Row],
) -> None:
    now = utcnow()
    stamp = {"marked_by_user_id": actor.user_id, "marked_at": now, "source": MarkSource.imported}
    changes: list[Change] = []
    created = [r for r in todo if r.status == RowStatus.created]
    for part in chunks(created):
        params = [
            {
                **r.data,
                **stamp,
                "event_id": event.id,
                "session_id": sitting.id,
                "unit_id": members[r.data["staff_id"]].unit_id,
            }
            for r in part
        ]
        for row, new_id, values in zip(
            part, insert_returning(session, TABLE, params), params, strict=True
        ):
            row.id = new_id
            after = snapshot({"id": new_id, **values})
            changes.append(("create", "attendance_mark", new_id, values["unit_id"], None, after))
    changes += _update(session, [r for r in todo if r.status == RowStatus.updated], stamp)
    note_changes(session, changes)
    event.status = EventStatus.in_progress  # as marking by PUT does; audited by the flush
    session.flush()


def _update(session: Session, rows: list[Row], stamp: dict[str, Any]) -> list[Change]:
    """Marks carry no version: the event's organisers re-mark until close (last one wins)."""
    changes: list[Change] = []
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row.data)), []).append(row)
    for columns, group in groups.items():
        stmt = (
            update(TABLE)
            .where(TABLE.c.id == bindparam("b_id"))
            .values(**stamp, **{c: bindparam(f"b_{c}") for c in columns})
        )
        for part in chunks(group):
            params = [{"b_id": r.id, **{f"b_{k}": v for k, v in r.data.items()}} for r in part]
            session.execute(stmt, params)
            for r in part:
                assert r.before is not None
                after = {**r.before, **r.data, **stamp}
                before, unit_id = snapshot(r.before), r.before["unit_id"]
                changes.append(
                    ("update", "attendance_mark", r.id, unit_id, before, snapshot(after))
                )
    return changes
