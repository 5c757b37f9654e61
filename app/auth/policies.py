"""Who may see and do what, where.

Reads are filtered in SQL by the caller's subtrees (closure table: one indexed lookup per
query, never a list of every unit id). Writes ask ``authorize``, which answers 403 only for
objects the caller can already see; anything outside scope was a 404 before it got here.
"""

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, false, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.models import Role
from app.core.errors import Forbidden
from app.units.models import UnitClosure

R = Role


class Permission(enum.StrEnum):
    read = "read"
    manage_units = "manage_units"
    manage_staff = "manage_staff"
    manage_users = "manage_users"
    read_audit = "read_audit"
    organize_events = "organize_events"
    nominate = "nominate"
    read_changes = "read_changes"


# Which roles carry a permission over their unit's subtree. ``staff`` reads only its own
# records and ``inspector`` only reads: neither appears in a write permission.
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.read: frozenset(
        {R.admin, R.department_officer, R.unit_head, R.organizer, R.inspector, R.integration}
    ),
    Permission.manage_units: frozenset({R.admin, R.department_officer, R.integration}),
    Permission.manage_staff: frozenset({R.admin, R.department_officer, R.unit_head, R.integration}),
    Permission.manage_users: frozenset({R.admin, R.department_officer}),
    Permission.read_audit: frozenset({R.admin, R.inspector}),
    Permission.organize_events: frozenset({R.admin, R.department_officer, R.organizer}),
    # the Sở (or office) nominates anyone below it; a unit head only their own unit's staff,
    # which app.events.policies checks on top of this
    Permission.nominate: frozenset({R.admin, R.department_officer, R.unit_head}),
    # the change feed (app.changes): systems and offices that sync a subtree; not organizers
    # (bound to one event) nor staff (own records only)
    Permission.read_changes: frozenset(
        {R.admin, R.department_officer, R.unit_head, R.inspector, R.integration}
    ),
}

# A role may grant roles of its own rank or below, never above ("no wider than your own").
RANK: dict[Role, int] = {
    R.admin: 3,
    R.department_officer: 2,
    R.unit_head: 1,
    R.organizer: 1,
    R.inspector: 1,
    R.staff: 1,
    R.integration: 1,
}


def has_global(actor: Actor, permission: Permission) -> bool:
    return actor.is_global_admin and Role.admin in PERMISSIONS[permission]


def units_in_scope(actor: Actor, permission: Permission = Permission.read) -> Select[Any] | None:
    """Ids of the units the actor reaches with ``permission``; ``None`` means everywhere."""
    if has_global(actor, permission):
        return None
    return _subtrees(actor.roots(PERMISSIONS[permission]))


def _subtrees(roots: list[int]) -> Select[Any]:
    # one root (most callers) compares with `=`: an IN list is re-rendered into the SQL on
    # every execution (SQLAlchemy's "expanding" parameters), on every scoped read
    scope = select(UnitClosure.descendant_id)
    if len(roots) == 1:
        return scope.where(UnitClosure.ancestor_id == roots[0])
    return scope.where(UnitClosure.ancestor_id.in_(roots) if roots else false())


@dataclass(frozen=True)
class StaffScope:
    """``staff_filter`` as a statement's shape plus its values: a statement is built once per
    shape (``app.staff.service._staff_by_id``) and only the values change per caller.
    Building the select for every request cost more Python than running it (a person by id:
    0.50 ms of CPU per statement prebuilt, 0.74 ms built per request; docs/performance.md)."""

    everywhere: bool
    roots: int  # 0, 1, or 2 for "several"
    own: bool

    def clause(
        self, unit_column: Any, staff_column: Any, values: dict[str, Any] | None = None
    ) -> ColumnElement[bool]:
        """The WHERE clause; its values bound at execution, or now from ``values``."""
        if self.everywhere:
            return true()
        if self.roots == 0:
            return staff_column == _bound("scope_staff_id", values) if self.own else false()
        clause = unit_column.in_(self._scoped_units(UnitClosure, values))
        return clause | (staff_column == _bound("scope_staff_id", values)) if self.own else clause

    def in_subtree(
        self,
        unit_column: Any,
        staff_column: Any,
        unit: Any,
        values: dict[str, Any] | None = None,
    ) -> ColumnElement[bool]:
        """``clause`` for the rows of ``unit``'s subtree (a value or a bound parameter).

        The subtree is narrowed to the caller's units inside one subquery. As two ``IN``
        filters on the person's unit, PostgreSQL tested every person it scanned against
        both sets: a page of 50 of a district's subtree took 5.1 ms against 2.5 (issue 21).
        Same rows: the units below ``unit`` that are also below one of the caller's roots."""
        subtree = _subtrees([unit])
        if self.everywhere or self.roots == 0 or self.own:
            return self.clause(unit_column, staff_column, values) & unit_column.in_(subtree)
        # the caller's side on an alias of its own: the same table, not correlated to ours
        scoped = self._scoped_units(aliased(UnitClosure), values)
        return unit_column.in_(subtree.where(UnitClosure.descendant_id.in_(scoped)))

    def _scoped_units(self, closure: Any, values: dict[str, Any] | None) -> Select[Any]:
        """The units below the caller's roots; one root compares with ``=``."""
        root = closure.ancestor_id
        if self.roots > 1:
            ancestor = root.in_(_bound("scope_roots", values, expanding=True))
        else:
            ancestor = root == _bound("scope_root", values)
        return select(closure.descendant_id).where(ancestor)


def _bound(name: str, values: dict[str, Any] | None, expanding: bool = False) -> Any:
    """A parameter bound at execution, or now from ``values``."""
    if values is None:
        return bindparam(name, expanding=expanding)
    # unique: the filter may appear twice in one statement
    return bindparam(name, values[name], expanding=expanding, unique=True)


def staff_scope(actor: Actor) -> tuple[StaffScope, dict[str, Any]]:
    """The shape of ``staff_filter`` for ``actor`` and the values it binds."""
    if has_global(actor, Permission.read):
        return StaffScope(everywhere=True, roots=0, own=False), {}
    params: dict[str, Any] = {}
    roots = actor.roots(PERMISSIONS[Permission.read])
    if len(roots) == 1:
        params["scope_root"] = roots[0]
    elif roots:
        params["scope_roots"] = roots
    if actor.staff_id is not None:
        params["scope_staff_id"] = actor.staff_id
    return StaffScope(False, min(len(roots), 2), actor.staff_id is not None), params


def unit_filter(actor: Actor, column: Any, permission: Permission = Permission.read) -> Any:
    """A WHERE clause keeping rows whose ``column`` (a unit id) is within scope."""
    scope = units_in_scope(actor, permission)
    return true() if scope is None else column.in_(scope)


def staff_filter(actor: Actor, unit_column: Any, staff_column: Any) -> ColumnElement[bool]:
    """Staff rows: the subtree for readers, and always the caller's own record."""
    shape, values = staff_scope(actor)
    return shape.clause(unit_column, staff_column, values)


def staff_filter_in_subtree(
    actor: Actor, unit_column: Any, staff_column: Any, unit_id: int
) -> ColumnElement[bool]:
    """``staff_filter`` for the rows of ``unit_id``'s subtree (``StaffScope.in_subtree``)."""
    shape, values = staff_scope(actor)
    return shape.in_subtree(unit_column, staff_column, unit_id, values)


def unit_read_filter(actor: Actor, column: Any) -> ColumnElement[bool]:
    """Units: the subtree for readers, and the caller's own unit."""
    clause = unit_filter(actor, column)
    if actor.staff_unit_id is not None:
        clause = clause | (column == actor.staff_unit_id)
    return clause


def grants_covering(
    session: Session, actor: Actor, permission: Permission, unit_id: int | None
) -> list[Grant]:
    """The actor's grants carrying ``permission`` at ``unit_id``, nearest first."""
    roles = PERMISSIONS[permission]
    found = [g for g in actor.grants if g.unit_id is None and g.role in roles]
    holding = [g for g in actor.grants if g.role in roles and g.unit_id]
    if unit_id is None or not holding:
        return found
    ancestors = session.scalars(
        select(UnitClosure.ancestor_id)
        .where(
            UnitClosure.descendant_id == unit_id,
            UnitClosure.ancestor_id.in_([g.unit_id for g in holding]),
        )
        .order_by(UnitClosure.depth)
    ).all()
    # nearest first, so the audit names the most specific authority
    nearest = [g for a in ancestors for g in holding if g.unit_id == a]
    return nearest + found


def authorize(session: Session, actor: Actor, permission: Permission, unit_id: int | None) -> Grant:
    """403 unless the actor holds ``permission`` at ``unit_id``; records the acting grant."""
    grants = grants_covering(session, actor, permission, unit_id)
    if not grants:
        raise Forbidden("forbidden", permission=permission.value)
    actor.acting = grants[0]
    return grants[0]


def require_global_admin(actor: Actor) -> Grant:
    for grant in actor.grants:
        if grant.role == Role.admin and grant.unit_id is None:
            actor.acting = grant
            return grant
    raise Forbidden("forbidden", permission="admin")
