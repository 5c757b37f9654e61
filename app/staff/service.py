"""Staff: people of a unit; a transfer keeps who belonged where and when."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import RowMapping, Select, bindparam, or_, select, update
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.policies import Permission, StaffScope, authorize, staff_scope
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound
from app.core.model_base import stored_columns, utcnow
from app.core.pagination import PageParams, paged_statement, paginate_bound
from app.core.text import fold
from app.staff.models import Staff, StaffAssignment, StaffCategory, StaffStatus
from app.staff.schemas import StaffCreate, StaffTransfer, StaffUpdate
from app.units.models import EducationLevel, Unit
from app.units.service import require_unit

STAFF = Staff.__table__
STAFF_READ = stored_columns(STAFF)  # for reads that only answer (``read_staff``, the list)


def get_staff(session: Session, actor: Actor, staff_id: int) -> Staff:
    """A person the caller can see; 404 alike for missing and out of scope. One statement,
    built once per shape of scope (``StaffScope``)."""
    shape, params = staff_scope(actor)
    staff = session.scalar(_staff_by_id(shape, orm=True), {"staff_id": staff_id, **params})
    if staff is None:
        raise NotFound("staff", staff_id)
    return staff


def read_staff(session: Session, actor: Actor, staff_id: int) -> RowMapping:
    """``get_staff`` for a read that only answers: the row, without an ORM object."""
    shape, params = staff_scope(actor)
    stmt, values = _staff_by_id(shape, orm=False), {"staff_id": staff_id, **params}
    row = session.connection().execute(stmt, values).mappings().first()
    if row is None:
        raise NotFound("staff", staff_id)
    return row


@cache  # a handful of shapes, twice
def _staff_by_id(shape: StaffScope, orm: bool) -> Select[Any]:
    stmt = select(Staff) if orm else select(*STAFF_READ)
    where = shape.clause(STAFF.c.unit_id, STAFF.c.id)
    return stmt.where(STAFF.c.id == bindparam("staff_id"), where)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_staff(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    unit_id: int | None = None,
    include_descendants: bool = False,
    category: StaffCategory | None = None,
    education_level: EducationLevel | None = None,
    status: StaffStatus | None = None,
    q: str | None = None,
    external_code: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the people the caller can see, as rows (Core: no ORM object per person).

    The statement is built once per shape (scope, which filters, how many words) and only
    its values change per request, as for ``read_staff``: building it cost more than a
    tenth of a page of 50 (issue 21)."""
    shape, values = staff_scope(actor)
    filters = {
        "category": category,
        "education_level": education_level,
        "status": status,
        "external_code": external_code,
    }
    given = tuple(name for name, value in filters.items() if value is not None)
    values.update({name: filters[name] for name in given})
    # every word must appear, in any order: "an nguyen" also finds "Nguyễn Văn An"
    words = fold(q or "").split()
    values.update({f"word_{i}": f"%{_escape_like(w)}%" for i, w in enumerate(words)})
    unit = None if unit_id is None else "subtree" if include_descendants else "unit"
    if unit is not None:
        values["unit_id"] = unit_id
    stmt = _staff_page(shape, unit, given, len(words), page.after_id is not None)
    return paginate_bound(session, stmt, values, page)


@lru_cache(maxsize=512)
def _staff_page(
    shape: StaffScope, unit: str | None, given: tuple[str, ...], words: int, after: bool
) -> Select[Any]:
    if unit == "subtree":
        where = shape.in_subtree(STAFF.c.unit_id, STAFF.c.id, bindparam("unit_id"))
    else:
        where = shape.clause(STAFF.c.unit_id, STAFF.c.id)
        if unit == "unit":
            where = where & (STAFF.c.unit_id == bindparam("unit_id"))
    stmt = select(*STAFF_READ).where(where)
    for name in given:
        stmt = stmt.where(STAFF.c[name] == bindparam(name))
    for i in range(words):
        stmt = stmt.where(STAFF.c.name_search.like(bindparam(f"word_{i}"), escape="\\"))
    return paged_statement(stmt, STAFF.c.id, after)


def _ensure_code_free(session: Session, code: str, own_id: int | None = None) -> None:
    found = session.scalar(select(Staff.id).where(Staff.external_code == code))
    if found is not None and found != own_id:
        raise Conflict("external_code_taken", value=code)


def create_staff(session: Session, actor: Actor, data: StaffCreate) -> Staff:
    require_unit(session, actor, data.unit_id, "unit_id")
    authorize(session, actor, Permission.manage_staff, data.unit_id)
    _ensure_code_free(session, data.external_code)
    staff = Staff(**data.model_dump(), name_search=fold(data.full_name))
    session.add(staff)
    session.flush()
    assert staff.id is not None
    session.add(StaffAssignment(staff_id=staff.id, unit_id=data.unit_id, started_at=utcnow()))
    session.flush()
    return staff


def update_staff(
    session: Session, actor: Actor, staff: Staff, data: StaffUpdate, expected_version: int
) -> Staff:
    authorize(session, actor, Permission.manage_staff, staff.unit_id)
    check_version(staff.version, expected_version)
    changes = data.model_dump(exclude_unset=True)
    if "external_code" in changes:
        _ensure_code_free(session, changes["external_code"], staff.id)
    if "full_name" in changes:
        changes["name_search"] = fold(changes["full_name"])
    for field, value in changes.items():
        setattr(staff, field, value)
    session.flush()
    return staff


def transfer_staff(
    session: Session, actor: Actor, staff: Staff, data: StaffTransfer, expected_version: int
) -> Staff:
    """Both ends are checked: the caller manages the person's unit and the destination."""
    authorize(session, actor, Permission.manage_staff, staff.unit_id)
    require_unit(session, actor, data.unit_id, "unit_id")
    authorize(session, actor, Permission.manage_staff, data.unit_id)
    check_version(staff.version, expected_version)
    if data.unit_id == staff.unit_id:
        raise Conflict("staff_same_unit", unit_id=data.unit_id)
    now = utcnow()
    session.execute(
        update(StaffAssignment)
        .where(StaffAssignment.staff_id == staff.id, StaffAssignment.ended_at.is_(None))
        .values(ended_at=now)
    )
    # a head who leaves stops being the head of the old unit
    old_unit = session.get(Unit, staff.unit_id)
    if old_unit is not None and old_unit.head_staff_id == staff.id:
        old_unit.head_staff_id = None
    assert staff.id is not None
    session.add(
        StaffAssignment(
            staff_id=staff.id,
            unit_id=data.unit_id,
            started_at=now,
            reason=data.reason,
            decision_number=data.decision_number,
        )
    )
    staff.unit_id = data.unit_id
    session.flush()
    return staff


def unit_history(session: Session, staff: Staff) -> Sequence[StaffAssignment]:
    stmt = (
        select(StaffAssignment)
        .where(StaffAssignment.staff_id == staff.id)
        .order_by(StaffAssignment.started_at, StaffAssignment.id)
    )
    return session.scalars(stmt).all()


def unit_at(session: Session, staff_id: int, when: datetime) -> int | None:
    """The unit a person belonged to at ``when``: records keep the unit of their time."""
    stmt = (
        select(StaffAssignment.unit_id)
        .where(
            StaffAssignment.staff_id == staff_id,
            StaffAssignment.started_at <= when,
            or_(StaffAssignment.ended_at.is_(None), StaffAssignment.ended_at > when),
        )
        .order_by(StaffAssignment.started_at.desc())
        .limit(1)
    )
    return session.scalar(stmt)
