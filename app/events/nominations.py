"""Nominations (cử tham dự): R-NOM-1 composition and quota, R-NOM-2 deadline and history."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.deciders import refuse_own_case
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound
from app.core.i18n import Localized
from app.core.model_base import utcnow
from app.core.text import fold
from app.events.models import (
    ACTIVE_NOMINATION,
    Event,
    EventStatus,
    LateConsent,
    Nomination,
    NominationChange,
    NominationStatus,
    Requirement,
    RequirementTarget,
)
from app.events.policies import (
    authorize_nominator,
    authorize_organizer,
    organizer_grant,
    staff_in_scope_filter,
)
from app.events.schemas import LateConsentCreate, NominationCreate, SubstituteRequest
from app.events.service import OPEN, get_requirement, require_status
from app.staff.models import Staff, StaffStatus
from app.staff.service import get_staff
from app.units.models import UnitClosure
from app.units.service import require_unit

S = NominationStatus


# Criteria as people name them (R-NOM-1 refusals name each unmet one in the request's language)
CRITERIA = {
    "staff_id": Localized("người được triệu tập đích danh", "named person"),
    "unit": Localized("đơn vị được triệu tập", "summoned unit"),
    "category": Localized("đối tượng", "staff category"),
    "position": Localized("chức vụ", "position"),
    "subjects": Localized("môn học", "subject"),
    "education_level": Localized("cấp học", "education level"),
    "title_rank": Localized("hạng chức danh nghề nghiệp", "professional title rank"),
}


@dataclass(frozen=True)
class Unmet:
    criterion: str
    detail: Localized

    @property
    def label(self) -> Localized:
        return CRITERIA[self.criterion]


def target_unit_for(session: Session, req: Requirement, unit_id: int) -> int | None:
    """The summoned unit a person of ``unit_id`` fills: their own, else the nearest office
    above it that the requirement summons (a district's quota is filled from its schools)."""
    return session.scalar(
        select(RequirementTarget.unit_id)
        .join(UnitClosure, UnitClosure.ancestor_id == RequirementTarget.unit_id)
        .where(RequirementTarget.requirement_id == req.id, UnitClosure.descendant_id == unit_id)
        .order_by(UnitClosure.depth)
        .limit(1)
    )


def _wanted(values: list[str]) -> str:
    return ", ".join(values)


def unmet_criteria(session: Session, req: Requirement, staff: Staff) -> list[Unmet]:
    """R-NOM-1: every criterion of the requirement the person does not meet."""
    if req.staff_id is not None:
        return [
            Unmet("staff_id", Localized("triệu tập đích danh người khác", "names someone else"))
        ]
    unmet = []
    if target_unit_for(session, req, staff.unit_id) is None:
        unmet.append(Unmet("unit", Localized("đơn vị không được triệu tập", "unit not summoned")))
    if req.categories and staff.category not in req.categories:
        want = _wanted(req.categories)
        unmet.append(Unmet("category", Localized(f"cần {want}", f"needs {want}")))
    if req.positions and fold(staff.position or "") not in {fold(p) for p in req.positions}:
        want = _wanted(req.positions)
        unmet.append(Unmet("position", Localized(f"cần chức vụ {want}", f"needs {want}")))
    wanted = {fold(s) for s in req.subjects}
    if wanted and not wanted & {fold(s) for s in staff.subjects}:
        want = _wanted(req.subjects)
        unmet.append(Unmet("subjects", Localized(f"cần môn {want}", f"needs {want}")))
    if req.education_levels and staff.education_level not in req.education_levels:
        want = _wanted(req.education_levels)
        unmet.append(Unmet("education_level", Localized(f"cần cấp học {want}", f"needs {want}")))
    if req.title_ranks and staff.title_rank not in req.title_ranks:
        want = _wanted(req.title_ranks)
        unmet.append(Unmet("title_rank", Localized(f"cần hạng {want}", f"needs {want}")))
    return unmet


def _refuse_mismatch(unmet: list[Unmet]) -> Conflict:
    return Conflict(
        "nomination_criteria_mismatch",
        rule="R-NOM-1",
        criteria=Localized.join([u.label for u in unmet]),
        errors=[
            {
                "loc": ["criteria", u.criterion],
                "msg": Localized(f"{u.label.vi}: {u.detail.vi}", f"{u.label.en}: {u.detail.en}"),
                "code": "criteria_mismatch",
            }
            for u in unmet
        ],
    )


def _check_nominee(session: Session, event: Event, req: Requirement, staff: Staff) -> None:
    if staff.status != StaffStatus.active:
        raise Conflict("staff_inactive", rule="R-NOM-1", status=staff.status.value)
    unmet = unmet_criteria(session, req, staff)
    if unmet:
        raise _refuse_mismatch(unmet)
    duplicate = session.scalar(
        select(Nomination.id).where(
            Nomination.event_id == event.id,
            Nomination.staff_id == staff.id,
            Nomination.status.in_(ACTIVE_NOMINATION),
        )
    ) or session.scalar(
        select(Requirement.id).where(
            Requirement.event_id == event.id, Requirement.staff_id == staff.id
        )
    )
    if duplicate:
        raise Conflict("nomination_duplicate", rule="R-NOM-1")


def _late(session: Session, actor: Actor, event: Event, unit_id: int) -> bool:
    """R-NOM-2: after the deadline only with the organiser's consent (or by the organiser)."""
    if event.nomination_deadline is None or utcnow() <= event.nomination_deadline:
        return False
    consent = session.scalar(
        select(LateConsent.id).where(
            LateConsent.event_id == event.id, LateConsent.unit_id == unit_id
        )
    )
    if consent is None and organizer_grant(session, actor, event) is None:
        raise Conflict("nomination_deadline_passed", rule="R-NOM-2")
    return True


def _take_slot(session: Session, req: Requirement, unit_id: int) -> None:
    """Atomic on both databases: the row only moves while ``used < quota``. ``unit_id`` is
    the summoned unit, which may be an office above the nominee's unit."""
    result = session.execute(
        update(RequirementTarget)
        .where(
            RequirementTarget.requirement_id == req.id,
            RequirementTarget.unit_id == unit_id,
            RequirementTarget.used < RequirementTarget.quota,
        )
        .values(used=RequirementTarget.used + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("quota_exceeded", rule="R-NOM-1", quota=req.quota)


def _free_slot(session: Session, nomination: Nomination) -> None:
    session.execute(
        update(RequirementTarget)
        .where(
            RequirementTarget.requirement_id == nomination.requirement_id,
            RequirementTarget.unit_id == nomination.target_unit_id,
        )
        .values(used=RequirementTarget.used - 1)
        .execution_options(synchronize_session=False)
    )


def _log(
    session: Session, actor: Actor, nomination: Nomination, old: str | None, reason: str | None
) -> None:
    assert nomination.id is not None
    session.add(
        NominationChange(
            nomination_id=nomination.id,
            from_status=old,
            to_status=nomination.status.value,
            reason=reason,
            changed_by_user_id=actor.user_id,
        )
    )


def nominate(session: Session, actor: Actor, event: Event, data: NominationCreate) -> Nomination:
    require_status(event, *OPEN)
    staff = get_staff(session, actor, data.staff_id)
    authorize_nominator(session, actor, staff)
    req = get_requirement(session, event, data.requirement_id)
    _check_nominee(session, event, req, staff)
    late = _late(session, actor, event, staff.unit_id)
    target = target_unit_for(session, req, staff.unit_id)
    assert target is not None  # _check_nominee refused a unit outside every target
    _take_slot(session, req, target)
    assert event.id is not None
    assert req.id is not None
    assert staff.id is not None
    nomination = Nomination(
        event_id=event.id,
        requirement_id=req.id,
        staff_id=staff.id,
        unit_id=staff.unit_id,
        target_unit_id=target,
        late=late,
        note=data.note,
        nominated_by_user_id=actor.user_id,
    )
    session.add(nomination)
    session.flush()
    _log(session, actor, nomination, None, data.note)
    session.flush()
    return nomination


def nomination_filter(session: Session, actor: Actor, event: Event) -> object:
    """Organisers see every nomination; others those of their units and their own."""
    if organizer_grant(session, actor, event) is not None:
        return True
    return staff_in_scope_filter(actor, Nomination.unit_id, Nomination.staff_id)


def list_nominations(
    session: Session, actor: Actor, event: Event, status: NominationStatus | None
) -> Sequence[Nomination]:
    stmt = select(Nomination).where(
        Nomination.event_id == event.id, nomination_filter(session, actor, event)
    )
    if status is not None:
        stmt = stmt.where(Nomination.status == status)
    return session.scalars(stmt.order_by(Nomination.id)).all()


def get_nomination(session: Session, actor: Actor, nomination_id: int) -> tuple[Nomination, Event]:
    from app.events.service import get_event

    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        raise NotFound("nomination", nomination_id)
    event = get_event(session, actor, nomination.event_id)
    visible = session.scalar(
        select(Nomination.id).where(
            Nomination.id == nomination_id, nomination_filter(session, actor, event)
        )
    )
    if visible is None:
        raise NotFound("nomination", nomination_id)
    return nomination, event


def _transition(nomination: Nomination, *allowed: NominationStatus) -> str:
    if nomination.status not in allowed:
        raise Conflict("nomination_wrong_status", status=nomination.status.value)
    return nomination.status.value


def decide(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    event: Event,
    accept: bool,
    reason: str | None,
    expected: int,
) -> Nomination:
    """The organiser accepts a proposed nomination onto the roster, or refuses it; not their
    own (R-GOV-1): another organiser of the event decides."""
    authorize_organizer(session, actor, event)
    refuse_own_case(actor, nomination.staff_id)
    require_status(event, *OPEN)
    check_version(nomination.version, expected)
    old = _transition(nomination, S.proposed)
    nomination.status = S.accepted if accept else S.refused
    if not accept:
        _free_slot(session, nomination)
    _log(session, actor, nomination, old, reason)
    session.flush()
    return nomination


def withdraw(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    event: Event,
    reason: str | None,
    expected: int,
) -> Nomination:
    require_status(event, *OPEN)
    authorize_nominator(session, actor, get_staff(session, actor, nomination.staff_id))
    check_version(nomination.version, expected)
    old = _transition(nomination, S.proposed, S.accepted)
    nomination.status = S.withdrawn
    _free_slot(session, nomination)
    _log(session, actor, nomination, old, reason)
    session.flush()
    return nomination


def substitute(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    event: Event,
    data: SubstituteRequest,
    expected: int,
) -> Nomination:
    """R-NOM-2: another person of the same unit takes the place; both stay in history."""
    require_status(event, *OPEN)
    authorize_nominator(session, actor, get_staff(session, actor, nomination.staff_id))
    check_version(nomination.version, expected)
    old = _transition(nomination, S.proposed, S.accepted)
    replacement = get_staff(session, actor, data.staff_id)
    req = session.get(Requirement, nomination.requirement_id)
    assert req is not None
    if replacement.unit_id != nomination.unit_id:
        same_unit = Localized("người thay thế phải cùng đơn vị", "the substitute's unit differs")
        raise _refuse_mismatch([Unmet("unit", same_unit)])
    _check_nominee(session, event, req, replacement)
    late = _late(session, actor, event, nomination.unit_id)
    nomination.status = S.substituted
    _log(session, actor, nomination, old, data.reason)
    session.flush()  # the live-nomination index must see the old one gone first
    assert replacement.id is not None
    new = Nomination(
        event_id=nomination.event_id,
        requirement_id=nomination.requirement_id,
        staff_id=replacement.id,
        unit_id=nomination.unit_id,
        target_unit_id=nomination.target_unit_id,
        status=S(old),
        late=late,
        substitutes_id=nomination.id,
        note=data.reason,
        nominated_by_user_id=actor.user_id,
    )
    session.add(new)
    session.flush()
    nomination.replaced_by_id = new.id
    _log(session, actor, new, None, data.reason)
    session.flush()
    return new


def history(session: Session, nomination: Nomination) -> Sequence[NominationChange]:
    stmt = (
        select(NominationChange)
        .where(NominationChange.nomination_id == nomination.id)
        .order_by(NominationChange.id)
    )
    return session.scalars(stmt).all()


def grant_late_consent(
    session: Session, actor: Actor, event: Event, data: LateConsentCreate
) -> LateConsent:
    authorize_organizer(session, actor, event)
    require_status(event, *OPEN)
    require_unit(session, actor, data.unit_id, "unit_id")
    existing = session.scalar(
        select(LateConsent).where(
            LateConsent.event_id == event.id, LateConsent.unit_id == data.unit_id
        )
    )
    if existing is not None:
        return existing
    assert event.id is not None
    consent = LateConsent(
        event_id=event.id,
        unit_id=data.unit_id,
        reason=data.reason,
        granted_by_user_id=actor.user_id,
    )
    session.add(consent)
    session.flush()
    return consent


__all__ = ["EventStatus"]
