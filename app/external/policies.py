"""Who sees external events and participation requests, who may do what, and who decides.

Decisions sit with one unit: the competent authority of an event (R-EXT-1) and the
staff member's own unit head for a consent (R-EXT-3). Those checks match grants at exactly
that unit; a wider grant (the Sở above an office) does not decide in the office's place.
"""

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.models import Role
from app.auth.policies import PERMISSIONS, Permission, units_in_scope
from app.core.errors import Conflict, Forbidden
from app.external.models import ExternalEvent, ParticipationRequest
from app.staff.models import Staff
from app.units.models import Unit, UnitClosure, UnitKind

R = Role


@dataclass(frozen=True)
class Ability:
    name: str
    roles: frozenset[Role]
    # only grants at exactly the unit (an authority, a unit's own head), not above it
    exact: bool = False
    global_admin: bool = True


SUBMIT_EVENT = Ability(
    "submit_external_event", frozenset({R.admin, R.department_officer, R.unit_head, R.integration})
)
DECIDE_EVENT = Ability(
    "decide_external_event", frozenset({R.department_officer, R.unit_head}), exact=True
)
ACT_FOR_STAFF = Ability("request_participation", frozenset({R.unit_head}), exact=True)
CONSENT = Ability("consent_participation", frozenset({R.unit_head}), exact=True, global_admin=False)
RECORD_VIOLATION = Ability(
    "record_external_violation", frozenset({R.admin, R.department_officer, R.unit_head})
)
IMPORT_ATTENDANCE = Ability(
    "import_attendance", frozenset({R.admin, R.department_officer, R.integration})
)


def _global(actor: Actor, ability: Ability) -> list[Grant]:
    if not ability.global_admin:
        return []
    return [g for g in actor.grants if g.role == Role.admin and g.unit_id is None]


def grants_for(session: Session, actor: Actor, ability: Ability, unit_id: int) -> list[Grant]:
    """The actor's grants carrying ``ability`` at ``unit_id``, nearest first."""
    holding = [g for g in actor.grants if g.role in ability.roles and g.unit_id]
    if ability.exact:
        return [g for g in holding if g.unit_id == unit_id] + _global(actor, ability)
    if not holding:
        return _global(actor, ability)
    ancestors = session.scalars(
        select(UnitClosure.ancestor_id)
        .where(
            UnitClosure.descendant_id == unit_id,
            UnitClosure.ancestor_id.in_([g.unit_id for g in holding]),
        )
        .order_by(UnitClosure.depth)
    ).all()
    return [g for a in ancestors for g in holding if g.unit_id == a] + _global(actor, ability)


def allow(session: Session, actor: Actor, ability: Ability, *unit_ids: int) -> Grant:
    """403 unless the actor holds ``ability`` at one of ``unit_ids``; records the grant."""
    for unit_id in unit_ids:
        grants = grants_for(session, actor, ability, unit_id)
        if grants:
            actor.acting = grants[0]
            return grants[0]
    raise Forbidden("forbidden", permission=ability.name)


def act_as_self(actor: Actor, staff_id: int) -> bool:
    """The caller is the staff member (a user linked to that staff record)."""
    if actor.staff_id is None or actor.staff_id != staff_id:
        return False
    actor.acting = next((g for g in actor.grants if g.role == Role.staff), None)
    return True


# --- visibility ---------------------------------------------------------------------------


def _reader_roots(actor: Actor) -> list[int]:
    roots = actor.roots(PERMISSIONS[Permission.read])
    return roots + ([actor.staff_unit_id] if actor.staff_unit_id is not None else [])


def event_filter(actor: Actor) -> ColumnElement[bool]:
    """Events the caller may see: those in their subtrees (host, proposer or authority), and
    those aimed at them from above (hosted at an ancestor of their unit, or province-wide
    under an authority above them), so staff and heads can find what they may ask to attend.
    """
    scope = units_in_scope(actor)
    if scope is None:
        return true()
    above = select(UnitClosure.ancestor_id).where(
        UnitClosure.descendant_id.in_(_reader_roots(actor))
    )
    clause = (
        ExternalEvent.host_unit_id.in_(scope)
        | ExternalEvent.authority_unit_id.in_(scope)
        | ExternalEvent.organiser_unit_id.in_(scope)
        | ExternalEvent.host_unit_id.in_(above)
        | (ExternalEvent.province_wide & ExternalEvent.authority_unit_id.in_(above))
    )
    if actor.staff_id is not None:
        clause = clause | (ExternalEvent.organiser_staff_id == actor.staff_id)
    return clause


def participation_filter(actor: Actor) -> ColumnElement[bool]:
    """Requests of people in the caller's subtrees (then or now), and always their own."""
    scope = units_in_scope(actor)
    if scope is None:
        return true()
    people = select(Staff.id).where(Staff.unit_id.in_(scope))
    clause = ParticipationRequest.unit_id.in_(scope) | ParticipationRequest.staff_id.in_(people)
    if actor.staff_id is not None:
        clause = clause | (ParticipationRequest.staff_id == actor.staff_id)
    return clause


def deciding_units(actor: Actor) -> list[int] | None:
    """Units at which the caller decides events (``None``: everywhere, a system-wide admin)."""
    if _global(actor, DECIDE_EVENT):
        return None
    return sorted({g.unit_id for g in actor.grants if g.role in DECIDE_EVENT.roles and g.unit_id})


# --- the competent authority (R-EXT-1) ----------------------------------------------------


class AuthorityLevel(enum.StrEnum):
    managing_unit = "managing_unit"  # the parent of the unit concerned
    department = "department"  # the Sở above it


def authority_level(session: Session, *, province_wide: bool, school_year: str) -> AuthorityLevel:
    """Which level decides. The per-school-year routing policy will plug in here; until then
    province-wide events go to the Sở and everything else to the managing unit."""
    del session, school_year  # read by the routing policy once it exists
    return AuthorityLevel.department if province_wide else AuthorityLevel.managing_unit


def _nearest_department(session: Session, unit_id: int) -> int | None:
    stmt = (
        select(UnitClosure.ancestor_id)
        .join(Unit, Unit.id == UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id == unit_id, Unit.kind == UnitKind.department)
        .order_by(UnitClosure.depth)
        .limit(1)
    )
    return session.scalar(stmt)


def competent_authority(session: Session, unit: Unit, level: AuthorityLevel) -> int:
    """The unit that decides for something ``unit`` (or its staff) does.

    The Sở decides for itself: it has no managing unit inside the sector's province tree.
    """
    assert unit.id is not None
    found: Any
    if level == AuthorityLevel.department or unit.kind == UnitKind.department:
        found = _nearest_department(session, unit.id)
    else:
        found = unit.parent_id
    if found is None:
        raise Conflict("no_competent_authority", unit_id=unit.id)
    return int(found)
