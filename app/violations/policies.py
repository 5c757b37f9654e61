"""Who sees violations and who records, reviews and cites them (R-VIO-1, R-EXT-4).

Unit heads detect and record breaches in their hierarchy (R-EXT-4); reviewing them —
dismissing, closing, and citing them in a criticism letter — belongs to the department
and offices above (R-VIO-1), never to the unit that is criticised.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.models import Role
from app.auth.policies import staff_filter, staff_filter_in_subtree
from app.core.errors import Forbidden
from app.units.models import UnitClosure
from app.violations.models import Violation

R = Role

RECORD_ROLES = frozenset({R.admin, R.department_officer, R.unit_head})
REVIEW_ROLES = frozenset({R.admin, R.department_officer})


def violation_filter(actor: Actor) -> Any:
    """Violations of units in the caller's subtrees, and always the caller's own."""
    return staff_filter(actor, Violation.unit_id, Violation.staff_id)


def violation_filter_in_subtree(actor: Actor, unit_id: int) -> Any:
    """``violation_filter`` for the violations of ``unit_id``'s subtree, in one subquery."""
    return staff_filter_in_subtree(actor, Violation.unit_id, Violation.staff_id, unit_id)


def grants_at(session: Session, actor: Actor, roles: frozenset[Role], unit_id: int) -> list[Grant]:
    """The actor's grants among ``roles`` covering ``unit_id``, nearest first."""
    found = [g for g in actor.grants if g.unit_id is None and g.role in roles]
    holding = [g for g in actor.grants if g.role in roles and g.unit_id]
    if not holding:
        return found
    ancestors = session.scalars(
        select(UnitClosure.ancestor_id)
        .where(
            UnitClosure.descendant_id == unit_id,
            UnitClosure.ancestor_id.in_([g.unit_id for g in holding]),
        )
        .order_by(UnitClosure.depth)
    ).all()
    return [g for a in ancestors for g in holding if g.unit_id == a] + found


def allow(
    session: Session, actor: Actor, roles: frozenset[Role], unit_id: int, permission: str
) -> Grant:
    """403 unless one of ``roles`` covers ``unit_id``; the grant is what the audit names."""
    grants = grants_at(session, actor, roles, unit_id)
    if not grants:
        raise Forbidden("forbidden", permission=permission)
    actor.acting = grants[0]
    return grants[0]


def authorize_record(session: Session, actor: Actor, unit_id: int) -> Grant:
    return allow(session, actor, RECORD_ROLES, unit_id, "record_violations")


def authorize_review(session: Session, actor: Actor, unit_id: int) -> Grant:
    return allow(session, actor, REVIEW_ROLES, unit_id, "review_violations")
