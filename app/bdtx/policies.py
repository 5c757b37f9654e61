"""Who sees and does what in the BDTX cycle.

Reads: units in the caller's subtrees, and always the caller's own records. Writes: the
person (for their own plan and self-study), the head of their own unit (approves plans),
the managing authority above the unit (finalises results, issues certificates, accepts
reports), admins and department officers (the year's policy, the catalogue).
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.deciders import head_decider
from app.auth.models import Role
from app.auth.policies import staff_filter
from app.core.errors import Forbidden
from app.units.models import Unit, UnitClosure, UnitKind

R = Role

POLICY_ROLES = frozenset({R.admin, R.department_officer})
MANAGE_ROLES = frozenset({R.admin, R.department_officer, R.unit_head})
INSPECT_ROLES = frozenset({R.admin, R.department_officer, R.unit_head, R.inspector})
SCORE_ROLES = frozenset({R.admin, R.department_officer, R.unit_head, R.integration})
IMPORT_ROLES = frozenset({R.admin, R.department_officer, R.integration})


def owned_filter(actor: Actor, unit_column: Any, staff_column: Any) -> Any:
    return staff_filter(actor, unit_column, staff_column)


def grants_at(
    session: Session, actor: Actor, roles: frozenset[Role], unit_id: int | None
) -> list[Grant]:
    """The actor's grants among ``roles`` covering ``unit_id`` (None: system-wide only)."""
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
    return [g for a in ancestors for g in holding if g.unit_id == a] + found


def allow(
    session: Session, actor: Actor, roles: frozenset[Role], unit_id: int | None, permission: str
) -> Grant:
    grants = grants_at(session, actor, roles, unit_id)
    if not grants:
        raise Forbidden("forbidden", permission=permission)
    actor.acting = grants[0]
    return grants[0]


# R-GOV-2: data that holds for the whole province changes only through a grant held at a
# unit of these kinds (or system-wide); an office's or a school's grant reads it only.
PROVINCE_KINDS = (UnitKind.ministry, UnitKind.department)


def allow_anywhere(actor: Actor, roles: frozenset[Role], permission: str) -> None:
    """Work whose rows are each checked against the caller's scope later: any grant of
    ``roles`` lets the caller start it."""
    for grant in actor.grants:
        if grant.role in roles:
            actor.acting = grant
            return
    raise Forbidden("forbidden", permission=permission)


def allow_province(session: Session, actor: Actor, roles: frozenset[Role], permission: str) -> None:
    """Province-wide settings (the year's policy, the catalogue): a grant of ``roles`` at the
    Sở or above."""
    held = [g for g in actor.grants if g.role in roles]
    for grant in held:
        if grant.unit_id is None:
            actor.acting = grant
            return
    units = [g.unit_id for g in held]
    high = set(
        session.scalars(select(Unit.id).where(Unit.id.in_(units), Unit.kind.in_(PROVINCE_KINDS)))
        if units
        else ()
    )
    for grant in held:
        if grant.unit_id in high:
            actor.acting = grant
            return
    raise Forbidden("forbidden", rule="R-GOV-2", permission=permission)


def allow_self_or(
    session: Session,
    actor: Actor,
    staff_id: int,
    unit_id: int,
    roles: frozenset[Role],
    permission: str,
) -> None:
    """The person themself, or a holder of ``roles`` over their unit."""
    if actor.staff_id is not None and actor.staff_id == staff_id:
        return
    allow(session, actor, roles, unit_id, permission)


def allow_head_decider(
    session: Session, actor: Actor, staff_id: int, unit_id: int, permission: str
) -> None:
    """The head of the person's own unit, or of the managing unit when the person heads
    their own (R-GOV-1), or a system-wide admin; never the person themself."""
    grant = head_decider(session, actor, staff_id, unit_id)
    if grant is None:
        raise Forbidden("forbidden", permission=permission)
    actor.acting = grant
