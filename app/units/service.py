"""Units: a tree of any depth kept with a closure table; moves keep history."""

from collections.abc import Sequence

from sqlalchemy import Select, delete, exists, func, insert, literal, select, true
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.policies import Permission, authorize, require_global_admin, unit_read_filter
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound, UnknownReference
from app.core.pagination import PageParams, paginate
from app.staff.models import Staff, StaffAssignment
from app.units.models import Unit, UnitClosure, UnitKind, UnitMove
from app.units.schemas import UnitCreate, UnitMoveRequest, UnitUpdate

# ``session.info`` key: (moved unit, its old parent) for every move of the transaction; the
# change feed turns each into rows for everything in the subtree (``app.changes.service``).
MOVES_KEY = "unit_moves"


def subtree_ids(unit_id: int) -> Select[tuple[int]]:
    """Ids of ``unit_id`` and all its descendants, as a subquery (one index range scan)."""
    return select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id)


def _visible(session: Session, actor: Actor, unit_id: int) -> Unit | None:
    stmt = select(Unit).where(Unit.id == unit_id, unit_read_filter(actor, Unit.id))
    return session.scalar(stmt)


def get_unit(session: Session, actor: Actor, unit_id: int) -> Unit:
    """A unit the caller can see; 404 alike for missing and out of scope."""
    unit = _visible(session, actor, unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    return unit


def require_unit(session: Session, actor: Actor, unit_id: int, field: str) -> Unit:
    """A unit named in a request body: 404 naming the field when the caller cannot see it."""
    unit = _visible(session, actor, unit_id)
    if unit is None:
        raise UnknownReference(field, unit_id)
    return unit


def list_units(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    parent_id: int | None = None,
    kind: UnitKind | None = None,
    unit_id: int | None = None,
    include_descendants: bool = False,
    external_code: str | None = None,
) -> tuple[Sequence[Unit], str | None]:
    stmt = select(Unit).where(unit_read_filter(actor, Unit.id))
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    if unit_id is not None:
        scope = subtree_ids(unit_id) if include_descendants else select(literal(unit_id))
        stmt = stmt.where(Unit.id.in_(scope))
    if external_code is not None:
        stmt = stmt.where(Unit.external_code == external_code)
    return paginate(session, stmt, Unit.id, page)


def _ensure_code_free(session: Session, code: str, own_id: int | None = None) -> None:
    stmt = select(Unit.id).where(Unit.external_code == code)
    found = session.scalar(stmt)
    if found is not None and found != own_id:
        raise Conflict("external_code_taken", value=code)


def create_unit(session: Session, actor: Actor, data: UnitCreate) -> Unit:
    if data.parent_id is None:
        require_global_admin(actor)  # only a system-wide admin plants a new root
    else:
        require_unit(session, actor, data.parent_id, "parent_id")
        authorize(session, actor, Permission.manage_units, data.parent_id)
    _ensure_code_free(session, data.external_code)
    unit = Unit(**data.model_dump())
    session.add(unit)
    session.flush()
    assert unit.id is not None
    _link_to_parent(session, unit.id, data.parent_id)
    return unit


def _link_to_parent(session: Session, unit_id: int, parent_id: int | None) -> None:
    """Closure rows for a new leaf: itself at depth 0, then every ancestor of the parent."""
    session.add(UnitClosure(ancestor_id=unit_id, descendant_id=unit_id, depth=0))
    if parent_id is not None:
        session.execute(
            insert(UnitClosure).from_select(
                ["ancestor_id", "descendant_id", "depth"],
                select(UnitClosure.ancestor_id, literal(unit_id), UnitClosure.depth + 1).where(
                    UnitClosure.descendant_id == parent_id
                ),
            )
        )
    session.flush()


def update_unit(
    session: Session, actor: Actor, unit: Unit, data: UnitUpdate, expected_version: int
) -> Unit:
    authorize(session, actor, Permission.manage_units, unit.id)
    check_version(unit.version, expected_version)
    changes = data.model_dump(exclude_unset=True)
    if "external_code" in changes:
        _ensure_code_free(session, changes["external_code"], unit.id)
    if changes.get("head_staff_id") is not None:
        _ensure_head_is_member(session, unit, changes["head_staff_id"])
    for field, value in changes.items():
        setattr(unit, field, value)
    session.flush()
    return unit


def _ensure_head_is_member(session: Session, unit: Unit, staff_id: int) -> None:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise UnknownReference("head_staff_id", staff_id)
    if staff.unit_id != unit.id:
        raise Conflict("unit_head_not_member", staff_id=staff_id)


def delete_unit(session: Session, actor: Actor, unit: Unit, expected_version: int) -> None:
    authorize(session, actor, Permission.manage_units, unit.id)
    check_version(unit.version, expected_version)
    children = session.scalar(select(func.count()).where(Unit.parent_id == unit.id))
    if children:
        raise Conflict("unit_has_children", count=children)
    staff = session.scalar(select(func.count()).where(Staff.unit_id == unit.id))
    if staff:
        raise Conflict("unit_has_staff", count=staff)
    if session.scalar(select(exists().where(StaffAssignment.unit_id == unit.id))):
        raise Conflict("unit_has_records")
    session.delete(unit)
    session.flush()


def move_unit(
    session: Session, actor: Actor, unit: Unit, data: UnitMoveRequest, expected_version: int
) -> Unit:
    """Both ends are checked: the caller manages the unit and the destination."""
    authorize(session, actor, Permission.manage_units, unit.id)
    assert unit.id is not None
    new_parent = data.new_parent_id
    if new_parent is None:
        require_global_admin(actor)
    else:
        require_unit(session, actor, new_parent, "new_parent_id")
        authorize(session, actor, Permission.manage_units, new_parent)
    check_version(unit.version, expected_version)
    if new_parent is not None and _is_in_subtree(session, new_parent, unit.id):
        raise Conflict("unit_move_cycle")
    session.add(
        UnitMove(
            unit_id=unit.id,
            from_parent_id=unit.parent_id,
            to_parent_id=new_parent,
            reason=data.reason,
        )
    )
    _relink_subtree(session, unit.id, new_parent)
    session.info.setdefault(MOVES_KEY, []).append((unit.id, unit.parent_id))
    unit.parent_id = new_parent
    session.flush()
    return unit


def _is_in_subtree(session: Session, unit_id: int, root_id: int) -> bool:
    stmt = select(UnitClosure.depth).where(
        UnitClosure.ancestor_id == root_id, UnitClosure.descendant_id == unit_id
    )
    return session.scalar(stmt) is not None


def _relink_subtree(session: Session, unit_id: int, new_parent: int | None) -> None:
    """Cut the subtree from its old ancestors and hang it under the new parent's."""
    subtree = subtree_ids(unit_id)
    session.execute(
        delete(UnitClosure).where(
            UnitClosure.descendant_id.in_(subtree),
            UnitClosure.ancestor_id.not_in(subtree),
        )
    )
    if new_parent is None:
        return
    above = select(UnitClosure).where(UnitClosure.descendant_id == new_parent).subquery()
    below = select(UnitClosure).where(UnitClosure.ancestor_id == unit_id).subquery()
    session.execute(
        insert(UnitClosure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(
                above.c.ancestor_id, below.c.descendant_id, above.c.depth + below.c.depth + 1
            ).select_from(above.join(below, true())),
        )
    )


def list_moves(session: Session, unit: Unit) -> Sequence[UnitMove]:
    stmt = select(UnitMove).where(UnitMove.unit_id == unit.id).order_by(UnitMove.id)
    return session.scalars(stmt).all()
