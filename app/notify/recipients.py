"""Who is told: unit heads of units, the users behind staff records, the deciders."""

from collections.abc import Iterable

from sqlalchemy import select, union
from sqlmodel import Session

from app.auth.models import Role, RoleAssignment, User
from app.units.models import Unit


def unit_heads(session: Session, unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """Active users heading each unit: a ``unit_head`` role held at the unit itself, or the
    account of the staff member recorded as the unit's head (``head_staff_id``)."""
    ids = sorted(set(unit_ids))
    heads: dict[int, set[int]] = {u: set() for u in ids}
    if not ids:
        return heads
    by_role = select(RoleAssignment.unit_id.label("unit_id"), RoleAssignment.user_id).where(
        RoleAssignment.role == Role.unit_head, RoleAssignment.unit_id.in_(ids)
    )
    by_record = (
        select(Unit.id.label("unit_id"), User.id.label("user_id"))
        .join(User, User.staff_id == Unit.head_staff_id)
        .where(Unit.id.in_(ids))
    )
    both = union(by_role, by_record).subquery()
    rows = session.execute(
        select(both.c.unit_id, both.c.user_id)
        .join(User, User.id == both.c.user_id)
        .where(User.is_active.is_(True))
    ).all()
    for unit_id, user_id in rows:
        heads[unit_id].add(user_id)
    return heads


def users_of_staff(session: Session, staff_ids: Iterable[int]) -> dict[int, int]:
    """staff id → the active account linked to that staff record."""
    ids = sorted(set(staff_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(User.staff_id, User.id).where(User.staff_id.in_(ids), User.is_active.is_(True))
    ).all()
    return dict(rows)


def parent_of(session: Session, unit_id: int) -> int | None:
    return session.scalar(select(Unit.parent_id).where(Unit.id == unit_id))
