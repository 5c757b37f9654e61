"""Who sees an event and who may organise it, nominate to it, and excuse its absences."""

from typing import Any

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.deciders import decider_unit, head_decider, refuse_own_case
from app.auth.models import Role
from app.auth.policies import Permission, grants_covering, units_in_scope
from app.core.errors import Forbidden
from app.events.models import Event, EventStatus, Nomination, Requirement, RequirementTarget
from app.staff.models import Staff
from app.units.models import UnitClosure


def bound_events(actor: Actor) -> list[int]:
    return [g.event_id for g in actor.event_grants if g.role == Role.organizer and g.event_id]


def event_filter(actor: Actor) -> ColumnElement[bool] | Any:
    """Events the caller sees: organised in scope (drafts included), summoned to units in
    scope, naming or nominating the caller, or bound to the caller as organizer."""
    scope = units_in_scope(actor)
    if scope is None:
        return true()
    published = Event.status != EventStatus.draft
    # a summoned unit in scope, or an office above it whose quota the caller's units fill
    above_or_in_scope = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id.in_(scope))
    targeted = exists().where(
        Requirement.event_id == Event.id,
        RequirementTarget.requirement_id == Requirement.id,
        RequirementTarget.unit_id.in_(above_or_in_scope),
    )
    # triệu tập đích danh: the person's unit head and every office above see it
    names_someone_in_scope = exists().where(
        Requirement.event_id == Event.id,
        Requirement.staff_id == Staff.id,
        Staff.unit_id.in_(scope),
    )
    clauses = [
        Event.organizer_unit_id.in_(scope),
        published & (targeted | names_someone_in_scope),
    ]
    if actor.staff_id is not None:
        named = exists().where(
            Requirement.event_id == Event.id, Requirement.staff_id == actor.staff_id
        )
        nominated = exists().where(
            Nomination.event_id == Event.id, Nomination.staff_id == actor.staff_id
        )
        clauses.append(published & (named | nominated))
    bound = bound_events(actor)
    clauses.append(Event.id.in_(bound) if bound else false())
    return or_(*clauses)


def organizer_grant(session: Session, actor: Actor, event: Event) -> Grant | None:
    if event.id in bound_events(actor):
        return next(g for g in actor.event_grants if g.event_id == event.id)
    for grant in grants_covering(
        session, actor, Permission.organize_events, event.organizer_unit_id
    ):
        if grant.event_id is None:
            return grant
    return None


def authorize_organizer(session: Session, actor: Actor, event: Event) -> Grant:
    """Department officers of the organising unit, or an organizer (of the unit or event)."""
    grant = organizer_grant(session, actor, event)
    if grant is None:
        raise Forbidden("not_organizer")
    actor.acting = grant
    return grant


def authorize_nominator(session: Session, actor: Actor, staff: Staff) -> Grant:
    """R-NOM-1: the head of the nominee's own unit, or the Sở / office above it."""
    for grant in grants_covering(session, actor, Permission.nominate, staff.unit_id):
        if grant.role != Role.unit_head or grant.unit_id == staff.unit_id:
            actor.acting = grant
            return grant
    raise Forbidden("not_nominee_unit_head", rule="R-NOM-1")


def excuse_decider_unit(session: Session, staff_id: int, unit_id: int) -> int:
    """R-ATT-2: the attendee's own unit decides; a head's own letter goes one level up
    (R-GOV-1, the shared decider policy)."""
    return decider_unit(session, staff_id, unit_id)


def authorize_excuse_decider(session: Session, actor: Actor, staff_id: int, unit_id: int) -> Grant:
    if actor.auth_method == "system":
        return actor.grants[0]
    refuse_own_case(actor, staff_id)
    grant = head_decider(session, actor, staff_id, unit_id, global_admin=False)
    if grant is None:
        raise Forbidden("not_attendee_unit_head", rule="R-ATT-2")
    actor.acting = grant
    return grant


def authorize_excuse_submitter(actor: Actor, staff: Staff) -> None:
    """R-ATT-2: the attendee, or the head of the attendee's own unit."""
    if actor.staff_id == staff.id or actor.auth_method == "system":
        return
    for grant in actor.grants:
        if grant.role == Role.unit_head and grant.unit_id == staff.unit_id:
            actor.acting = grant
            return
    raise Forbidden("not_attendee_or_unit_head", rule="R-ATT-2")


def staff_in_scope_filter(actor: Actor, unit_column: Any, staff_column: Any) -> Any:
    """Rows about people: the caller's units, and always the caller's own rows."""
    scope = units_in_scope(actor)
    clause = true() if scope is None else unit_column.in_(scope)
    if actor.staff_id is not None:
        clause = clause | (staff_column == actor.staff_id)
    return clause


def is_global(actor: Actor) -> bool:
    return units_in_scope(actor) is None


__all__ = [
    "authorize_excuse_decider",
    "authorize_excuse_submitter",
    "authorize_nominator",
    "authorize_organizer",
    "bound_events",
    "event_filter",
    "organizer_grant",
    "select",
]
