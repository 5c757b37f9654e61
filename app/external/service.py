"""External events (R-EXT-1, R-EXT-2), permission to attend them (R-EXT-3) and the
recording of what happened without permission (R-EXT-4)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal, or_, select
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.deciders import head_decider
from app.auth.policies import staff_filter
from app.core.concurrency import check_version
from app.core.errors import Conflict, Forbidden, NotFound, UnknownReference
from app.core.model_base import to_local_date, utcnow
from app.core.pagination import PageParams, paginate
from app.core.school_year import school_year_of
from app.core.text import visible
from app.external.models import (
    ExternalEvent,
    ExternalEventStatus,
    OrganiserType,
    ParticipationRequest,
    ParticipationStatus,
)
from app.external.policies import (
    ACT_FOR_STAFF,
    CONSENT,
    DECIDE_EVENT,
    IMPORT_ATTENDANCE,
    RECORD_VIOLATION,
    SUBMIT_EVENT,
    act_as_self,
    allow,
    authority_level,
    competent_authority,
    deciding_units,
    event_filter,
    participation_filter,
)
from app.external.schemas import (
    AttendanceImport,
    AttendanceImportResult,
    AttendanceOutcome,
    AttendanceRow,
    Attendee,
    AuthorityCounts,
    ExternalEventApproval,
    ExternalEventCreate,
    ExternalEventUpdate,
    ExternalViolationCreate,
    ExternalViolationKind,
    ParticipationCounts,
    ParticipationRequestCreate,
)
from app.staff.models import Staff
from app.units.models import Unit
from app.units.service import require_unit, subtree_ids
from app.violations.models import Violation, ViolationKind

EVENT = ExternalEvent
PR = ParticipationRequest

# --- external events ----------------------------------------------------------------------


def get_event(session: Session, actor: Actor, event_id: int) -> ExternalEvent:
    """An event the caller can see; 404 alike for missing and out of scope."""
    event = session.scalar(select(EVENT).where(EVENT.id == event_id, event_filter(actor)))
    if event is None:
        raise NotFound("external_event", event_id)
    return event


def _event_ref(session: Session, actor: Actor, event_id: int) -> ExternalEvent:
    event = session.scalar(select(EVENT).where(EVENT.id == event_id, event_filter(actor)))
    if event is None:
        raise UnknownReference("external_event_id", event_id)
    return event


@dataclass
class EventFilters:
    status: ExternalEventStatus | None = None
    kind: str | None = None
    organiser_type: OrganiserType | None = None
    school_year: str | None = None
    unit_id: int | None = None
    include_descendants: bool = False
    authority_unit_id: int | None = None


def list_events(
    session: Session, actor: Actor, page: PageParams, filters: EventFilters
) -> tuple[Sequence[ExternalEvent], str | None]:
    stmt = select(EVENT).where(event_filter(actor))
    for column, value in (
        (EVENT.status, filters.status),
        (EVENT.kind, filters.kind),
        (EVENT.organiser_type, filters.organiser_type),
        (EVENT.school_year, filters.school_year),
        (EVENT.authority_unit_id, filters.authority_unit_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.unit_id is not None:
        stmt = stmt.where(
            EVENT.host_unit_id.in_(_units(filters.unit_id, filters.include_descendants))
        )
    return paginate(session, stmt, EVENT.id, page)


def _units(unit_id: int, include_descendants: bool) -> Any:
    return subtree_ids(unit_id) if include_descendants else select(literal(unit_id))


def list_queue(
    session: Session, actor: Actor, page: PageParams
) -> tuple[Sequence[ExternalEvent], str | None]:
    """Submitted events waiting for a decision at a unit where the caller decides."""
    stmt = select(EVENT).where(EVENT.status == ExternalEventStatus.submitted, event_filter(actor))
    units = deciding_units(actor)
    if units is not None:
        stmt = stmt.where(EVENT.authority_unit_id.in_(units))
    return paginate(session, stmt, EVENT.id, page)


def queue_counts(session: Session, actor: Actor) -> AuthorityCounts:
    """Per status, the events at the units where the caller decides (aggregated in the
    database), and how many submitted ones have already begun."""
    where = [event_filter(actor)]
    units = deciding_units(actor)
    if units is not None:
        where.append(EVENT.authority_unit_id.in_(units))
    today = to_local_date(utcnow())
    begun = case(
        (
            (EVENT.status == ExternalEventStatus.submitted) & (EVENT.starts_on <= today),
            1,
        ),
        else_=0,
    )
    rows = session.execute(
        select(EVENT.status, func.count(), func.sum(begun)).where(*where).group_by(EVENT.status)
    ).all()
    counts = AuthorityCounts()
    for status, n, started in rows:
        setattr(counts, ExternalEventStatus(status).value, n)
        counts.started += int(started or 0)
        counts.total += n
    return counts


LEGAL_BASIS = {
    OrganiserType.organization: (
        "organiser_name",
        "organiser_registration_number",
        "organiser_issuer",
        "organiser_address",
    ),
    OrganiserType.individual: (
        "organiser_name",
        "organiser_registration_number",
        "organiser_issuer",
    ),
}


def _missing(fields: Sequence[str], msg: str) -> list[dict[str, Any]]:
    return [{"loc": ["body", f], "msg": msg, "code": "missing"} for f in fields]


def check_submission(values: dict[str, Any]) -> None:
    """What a submission must show before the authority can review it.

    R-EXT-1: the organiser's legal basis and the programme are on record. R-EXT-2: a
    proposal of our own names the proposing unit. Then the dates and the place make sense.
    """
    organiser = OrganiserType(values["organiser_type"])
    missing = [f for f in LEGAL_BASIS.get(organiser, ()) if not values.get(f)]
    if missing:
        raise Conflict(
            "organiser_legal_basis_required",
            rule="R-EXT-1",
            errors=_missing(missing, "required for this organiser"),
            fields=", ".join(missing),
        )
    if organiser == OrganiserType.internal and values.get("organiser_unit_id") is None:
        raise Conflict(
            "organiser_unit_required",
            rule="R-EXT-2",
            errors=_missing(["organiser_unit_id"], "required for an internal proposal"),
        )
    # checked on the whole record (a PATCH merges into the stored one): a rule conflict, 409
    if values["ends_on"] < values["starts_on"]:
        raise Conflict(
            "external_event_dates_invalid",
            errors=[{"loc": ["body", "ends_on"], "msg": "before starts_on", "code": "invalid"}],
        )
    if not (values.get("venue") or values.get("is_online")):
        raise Conflict("external_event_venue_required", errors=_missing(["venue"], "required"))


def _organiser_parts(
    session: Session, actor: Actor, values: dict[str, Any]
) -> tuple[Unit, Unit | None]:
    """The host unit and, for an internal proposal, the proposing unit (both visible)."""
    host = require_unit(session, actor, values["host_unit_id"], "host_unit_id")
    if values["organiser_type"] != OrganiserType.internal:
        values["organiser_unit_id"] = values["organiser_staff_id"] = None
        return host, None
    proposer = require_unit(session, actor, values["organiser_unit_id"], "organiser_unit_id")
    staff_id = values.get("organiser_staff_id")
    if staff_id is not None:
        staff = _staff_ref(session, actor, staff_id, "organiser_staff_id")
        if staff.unit_id != proposer.id:
            raise Conflict(
                "organiser_staff_not_member",
                errors=[{"loc": ["body", "organiser_staff_id"], "msg": "not in unit", "code": "x"}],
                staff_id=staff_id,
                unit_id=proposer.id,
            )
    values["organiser_name"] = values.get("organiser_name") or proposer.name
    return host, proposer


def _authorize_submission(
    session: Session, actor: Actor, values: dict[str, Any], host: Unit, proposer: Unit | None
) -> None:
    """The proposing staff member themselves, or a submitting role over the unit concerned."""
    staff_id = values.get("organiser_staff_id")
    if proposer is not None and staff_id is not None and act_as_self(actor, staff_id):
        return
    allow(session, actor, SUBMIT_EVENT, (proposer or host).id or 0)


def _authorize_change(session: Session, actor: Actor, event: ExternalEvent) -> None:
    """Whoever may submit for the event as it stands may change it."""
    if event.organiser_staff_id is not None and act_as_self(actor, event.organiser_staff_id):
        return
    allow(session, actor, SUBMIT_EVENT, event.organiser_unit_id or event.host_unit_id)


def _place_with_authority(
    session: Session, values: dict[str, Any], host: Unit, proposer: Unit | None
) -> None:
    """R-EXT-1: the authority is where the decision belongs, fixed at submission."""
    values["school_year"] = values.get("school_year") or school_year_of(values["starts_on"])
    level = authority_level(
        session, province_wide=values["province_wide"], school_year=values["school_year"]
    )
    # R-EXT-2: a unit or staff member organising answers to their own managing unit
    values["authority_unit_id"] = competent_authority(session, proposer or host, level)


def create_event(session: Session, actor: Actor, data: ExternalEventCreate) -> ExternalEvent:
    values = data.model_dump()
    check_submission(values)
    host, proposer = _organiser_parts(session, actor, values)
    _authorize_submission(session, actor, values, host, proposer)
    _place_with_authority(session, values, host, proposer)
    event = ExternalEvent(**values, submitted_by_user_id=actor.user_id)
    session.add(event)
    session.flush()
    return event


EDITABLE = tuple(ExternalEventUpdate.model_fields)


def _require_event_status(event: ExternalEvent, status: ExternalEventStatus, action: str) -> None:
    if event.status != status:
        raise Conflict("external_event_status_conflict", status=event.status.value, action=action)


def update_event(
    session: Session,
    actor: Actor,
    event: ExternalEvent,
    data: ExternalEventUpdate,
    expected_version: int,
) -> ExternalEvent:
    """Only a submission not yet decided changes; both the old and the new placement are
    checked, and the authority follows the new placement."""
    _authorize_change(session, actor, event)
    check_version(event.version, expected_version)
    _require_event_status(event, ExternalEventStatus.submitted, "update")
    changes = data.model_dump(exclude_unset=True)
    values = {f: getattr(event, f) for f in EDITABLE} | changes
    if "starts_on" in changes and "school_year" not in changes:
        values["school_year"] = None  # follows the new dates
    check_submission(values)
    host, proposer = _organiser_parts(session, actor, values)
    _authorize_submission(session, actor, values, host, proposer)
    _place_with_authority(session, values, host, proposer)
    for field, value in values.items():
        if getattr(event, field) != value:
            setattr(event, field, value)
    session.flush()
    return event


def _decide(session: Session, actor: Actor, event: ExternalEvent, expected_version: int) -> None:
    """Only the competent authority decides (R-EXT-1), on a submission still open."""
    allow(session, actor, DECIDE_EVENT, event.authority_unit_id)
    check_version(event.version, expected_version)


def _not_started(event: ExternalEvent, after_the_fact: bool) -> None:
    """R-EXT-2: an approval does not permit an activity retroactively. Once it has begun
    (its first day has come, in Vietnam) approving is refused, unless the approval is
    recorded as given after the fact, which leaves the self-organising case open."""
    if event.starts_on <= to_local_date(utcnow()) and not after_the_fact:
        raise Conflict(
            "activity_already_started",
            rule="R-EXT-2",
            external_event_id=event.id,
            starts_on=event.starts_on.isoformat(),
        )


def approve_event(
    session: Session,
    actor: Actor,
    event: ExternalEvent,
    data: ExternalEventApproval,
    expected_version: int,
) -> ExternalEvent:
    _decide(session, actor, event, expected_version)
    _require_event_status(event, ExternalEventStatus.submitted, "approve")
    check_submission({f: getattr(event, f) for f in EDITABLE})  # reviewed before approval
    _not_started(event, data.after_the_fact)
    event.status = ExternalEventStatus.approved
    event.decided_by_user_id, event.decided_at = actor.user_id, utcnow()
    event.approval_document_number = data.document_number
    event.approval_document_on = data.document_on
    event.approval_signer_name = data.signer_name
    event.approved_after_start = data.after_the_fact
    session.flush()
    return event


def reject_event(
    session: Session, actor: Actor, event: ExternalEvent, reason: str, expected_version: int
) -> ExternalEvent:
    _decide(session, actor, event, expected_version)
    _require_event_status(event, ExternalEventStatus.submitted, "reject")
    event.status = ExternalEventStatus.rejected
    event.decided_by_user_id, event.decided_at = actor.user_id, utcnow()
    event.rejection_reason = reason
    session.flush()
    return event


def revoke_event(
    session: Session, actor: Actor, event: ExternalEvent, reason: str, expected_version: int
) -> ExternalEvent:
    """Withdraw an approval; every consent given for the event lapses with it (R-EXT-3)."""
    _decide(session, actor, event, expected_version)
    _require_event_status(event, ExternalEventStatus.approved, "revoke")
    now = utcnow()
    event.status = ExternalEventStatus.revoked
    event.revoked_at, event.revoked_by_user_id = now, actor.user_id
    event.revocation_reason = reason
    consents = session.scalars(
        select(PR).where(
            PR.external_event_id == event.id,
            PR.status == ParticipationStatus.consented,
            PR.lapsed_at.is_(None),
        )
    ).all()
    for consent in consents:  # row by row, so each lapse is in the audit log
        consent.lapsed_at = now
    session.flush()
    return event


# --- participation requests ---------------------------------------------------------------


def _staff_ref(session: Session, actor: Actor, staff_id: int, field: str = "staff_id") -> Staff:
    stmt = select(Staff).where(Staff.id == staff_id, staff_filter(actor, Staff.unit_id, Staff.id))
    staff = session.scalar(stmt)
    if staff is None:
        raise UnknownReference(field, staff_id)
    return staff


def get_request(session: Session, actor: Actor, request_id: int) -> ParticipationRequest:
    stmt = select(PR).where(PR.id == request_id, participation_filter(actor))
    found = session.scalar(stmt)
    if found is None:
        raise NotFound("participation_request", request_id)
    return found


@dataclass
class RequestFilters:
    mine: bool = False
    unit_id: int | None = None
    include_descendants: bool = False
    status: ParticipationStatus | None = None
    external_event_id: int | None = None
    staff_id: int | None = None


def _request_clauses(actor: Actor, filters: RequestFilters) -> list[ColumnElement[bool]]:
    clauses = [participation_filter(actor)]
    if filters.mine:
        mine = actor.staff_id
        clauses.append(false() if mine is None else PR.staff_id == mine)
    if filters.unit_id is not None:
        clauses.append(PR.unit_id.in_(_units(filters.unit_id, filters.include_descendants)))
    for column, value in (
        (PR.status, filters.status),
        (PR.external_event_id, filters.external_event_id),
        (PR.staff_id, filters.staff_id),
    ):
        if value is not None:
            clauses.append(column == value)
    return clauses


def list_requests(
    session: Session, actor: Actor, page: PageParams, filters: RequestFilters
) -> tuple[Sequence[ParticipationRequest], str | None]:
    return paginate(session, select(PR).where(*_request_clauses(actor, filters)), PR.id, page)


def count_requests(session: Session, actor: Actor, filters: RequestFilters) -> ParticipationCounts:
    """Counts by status, aggregated in the database."""
    rows = session.execute(
        select(PR.status, func.count(), func.count(PR.lapsed_at))
        .where(*_request_clauses(actor, filters))
        .group_by(PR.status)
    ).all()
    counts = ParticipationCounts()
    for status, n, lapsed in rows:
        setattr(counts, ParticipationStatus(status).value, n)
        counts.lapsed += lapsed
        counts.total += n
    return counts


def _check_commitment(data: ParticipationRequestCreate) -> None:
    """R-EXT-3 (a): a written commitment that attending does not affect the person's duties."""
    text = visible(data.commitment_text or "")  # a zero-width space commits to nothing
    if text and data.commitment_acknowledged:
        return
    missing = [] if text else ["commitment_text"]
    missing += [] if data.commitment_acknowledged else ["commitment_acknowledged"]
    raise Conflict(
        "commitment_required", rule="R-EXT-3", errors=_missing(missing, "commitment required")
    )


def _requested_staff(session: Session, actor: Actor, staff_id: int | None) -> Staff:
    """The person asking: the caller's own record unless the body names someone."""
    if staff_id is None and actor.staff_id is None:  # valid input, but asking for nobody
        raise Conflict("caller_has_no_staff_record", rule="R-EXT-3")
    return _staff_ref(session, actor, staff_id or actor.staff_id or 0)


def create_request(
    session: Session, actor: Actor, data: ParticipationRequestCreate
) -> ParticipationRequest:
    """The staff member asks, or their own unit head asks on their behalf."""
    event = _event_ref(session, actor, data.external_event_id)
    staff = _requested_staff(session, actor, data.staff_id)
    if not act_as_self(actor, staff.id or 0):
        allow(session, actor, ACT_FOR_STAFF, staff.unit_id)
    _check_commitment(data)
    if event.status in (ExternalEventStatus.rejected, ExternalEventStatus.revoked):
        _not_approved(event)
    _ensure_no_live_request(session, event, staff)
    request = ParticipationRequest(
        external_event_id=event.id,
        staff_id=staff.id,
        unit_id=staff.unit_id,
        school_year=event.school_year,
        commitment_text=data.commitment_text,
        commitment_acknowledged_at=utcnow(),
        requested_by_user_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    return request


def _not_approved(event: ExternalEvent) -> None:
    raise Conflict(
        "event_not_approved",
        rule="R-EXT-1",
        external_event_id=event.id,
        status=event.status.value,
    )


def _ensure_no_live_request(session: Session, event: ExternalEvent, staff: Staff) -> None:
    # the partial unique index uq_participation_request_active backs this under concurrency
    live = session.scalar(
        select(PR.id).where(
            PR.external_event_id == event.id,
            PR.staff_id == staff.id,
            PR.status.in_([ParticipationStatus.submitted, ParticipationStatus.consented]),
        )
    )
    if live is not None:
        raise Conflict(
            "participation_request_exists", staff_id=staff.id, external_event_id=event.id
        )


def _require_request_status(
    request: ParticipationRequest, allowed: Sequence[ParticipationStatus], action: str
) -> None:
    if request.status not in allowed:
        raise Conflict(
            "participation_request_status_conflict", status=request.status.value, action=action
        )


def _own_unit_head(
    session: Session, actor: Actor, request: ParticipationRequest, expected_version: int
) -> None:
    """R-EXT-3 (b): only the head of the person's own unit decides, not a unit above it;
    a head's own request goes to the head of the managing unit (R-GOV-1)."""
    staff = session.get(Staff, request.staff_id)
    assert staff is not None
    grant = head_decider(session, actor, request.staff_id, staff.unit_id, global_admin=False)
    if grant is None:
        raise Forbidden("forbidden", permission=CONSENT.name)
    actor.acting = grant
    check_version(request.version, expected_version)


def consent_request(
    session: Session, actor: Actor, request: ParticipationRequest, expected_version: int
) -> ParticipationRequest:
    """R-EXT-3: commitment on record, own unit head consents, the event itself approved."""
    _own_unit_head(session, actor, request, expected_version)
    _require_request_status(request, [ParticipationStatus.submitted], "consent")
    event = session.get(ExternalEvent, request.external_event_id)
    assert event is not None
    if event.status != ExternalEventStatus.approved:
        _not_approved(event)
    request.status = ParticipationStatus.consented
    request.decided_by_user_id, request.decided_at = actor.user_id, utcnow()
    session.flush()
    return request


def refuse_request(
    session: Session,
    actor: Actor,
    request: ParticipationRequest,
    reason: str,
    expected_version: int,
) -> ParticipationRequest:
    _own_unit_head(session, actor, request, expected_version)
    _require_request_status(request, [ParticipationStatus.submitted], "refuse")
    request.status = ParticipationStatus.refused
    request.decided_by_user_id, request.decided_at = actor.user_id, utcnow()
    request.refusal_reason = reason
    session.flush()
    return request


def withdraw_request(
    session: Session, actor: Actor, request: ParticipationRequest, expected_version: int
) -> ParticipationRequest:
    """The person (or their unit head for them) no longer asks, before or after consent."""
    if not act_as_self(actor, request.staff_id):
        staff = session.get(Staff, request.staff_id)
        assert staff is not None
        allow(session, actor, ACT_FOR_STAFF, staff.unit_id)
    check_version(request.version, expected_version)
    live = [ParticipationStatus.submitted, ParticipationStatus.consented]
    _require_request_status(request, live, "withdraw")
    request.status = ParticipationStatus.withdrawn
    request.withdrawn_at = utcnow()
    session.flush()
    return request


# --- R-EXT-4: detection -------------------------------------------------------------------


def _consented_staff(session: Session, event: ExternalEvent) -> set[int]:
    """People who may attend: consented, not lapsed, for an event that stands approved."""
    if event.status != ExternalEventStatus.approved:
        return set()
    stmt = select(PR.staff_id).where(
        PR.external_event_id == event.id,
        PR.status == ParticipationStatus.consented,
        PR.lapsed_at.is_(None),
    )
    return set(session.scalars(stmt))


def _subject(
    session: Session, actor: Actor, data: ExternalViolationCreate
) -> tuple[Staff | None, int]:
    """The person (if any) and the unit the violation is recorded against, both visible."""
    needs_staff = data.kind == ExternalViolationKind.unapproved_participation
    if data.staff_id is None and (needs_staff or data.unit_id is None):
        needed = ["staff_id"] if needs_staff else ["staff_id", "unit_id"]
        raise Conflict(
            "violation_subject_required",
            rule="R-EXT-4",
            errors=_missing(needed, "required"),
            kind=data.kind.value,
            fields=", ".join(needed),
        )
    staff = _staff_ref(session, actor, data.staff_id) if data.staff_id is not None else None
    if data.unit_id is not None:
        return staff, require_unit(session, actor, data.unit_id, "unit_id").id or 0
    assert staff is not None
    return staff, staff.unit_id


def _ensure_not_permitted(
    session: Session, kind: ExternalViolationKind, event: ExternalEvent, staff: Staff | None
) -> None:
    """Nothing to record when the activity had the permission R-EXT-1..3 ask for."""
    if kind == ExternalViolationKind.unapproved_organising:
        # an approval recorded after the activity began permits nothing (R-EXT-2)
        permitted = event.status == ExternalEventStatus.approved and not event.approved_after_start
    else:
        permitted = staff is not None and staff.id in _consented_staff(session, event)
    if permitted:
        raise Conflict("activity_was_permitted", rule="R-EXT-4")


def record_violation(session: Session, actor: Actor, data: ExternalViolationCreate) -> Violation:
    """A unit head or officer records self-organising or unpermitted attendance in their
    hierarchy (R-EXT-4)."""
    staff, unit_id = _subject(session, actor, data)
    event = _event_ref(session, actor, data.external_event_id) if data.external_event_id else None
    allow(session, actor, RECORD_VIOLATION, unit_id)
    if event is not None:
        _ensure_not_permitted(session, data.kind, event, staff)
        _ensure_not_recorded(session, data.kind, event, staff)
    when = event.school_year if event else school_year_of(data.occurred_on or _today())
    violation = Violation(
        kind=ViolationKind(data.kind.value),
        school_year=when,
        unit_id=unit_id,
        staff_id=staff.id if staff else None,
        external_event_id=event.id if event else None,
        evidence=data.evidence,
        note=data.note,
        recorded_by_user_id=actor.user_id,
    )
    session.add(violation)
    session.flush()
    return violation


def _today() -> date:
    return to_local_date(utcnow())


def _ensure_not_recorded(
    session: Session, kind: ExternalViolationKind, event: ExternalEvent, staff: Staff | None
) -> None:
    if staff is None:
        return
    found = session.scalar(
        select(Violation.id).where(
            Violation.external_event_id == event.id,
            Violation.staff_id == staff.id,
            Violation.kind == ViolationKind(kind.value),
        )
    )
    if found is not None:
        raise Conflict("violation_already_recorded", staff_id=staff.id, external_event_id=event.id)


def _resolve_attendees(
    session: Session, actor: Actor, attendees: Sequence[Attendee]
) -> list[Staff | None]:
    """Each row's person, looked up in two queries; people out of scope are unknown."""
    ids = {a.staff_id for a in attendees if a.staff_id is not None}
    codes = {a.external_code for a in attendees if a.external_code is not None}
    found = session.scalars(
        select(Staff).where(
            staff_filter(actor, Staff.unit_id, Staff.id),
            or_(Staff.id.in_(ids), Staff.external_code.in_(codes)),
        )
    ).all()
    by_id = {s.id: s for s in found}
    by_code = {s.external_code: s for s in found}
    return [
        by_id.get(a.staff_id) if a.staff_id is not None else by_code.get(a.external_code)
        for a in attendees
    ]


def _recorded(session: Session, event: ExternalEvent) -> dict[int, int]:
    stmt = select(Violation.staff_id, Violation.id).where(
        Violation.external_event_id == event.id,
        Violation.kind == ViolationKind.unapproved_participation,
        Violation.staff_id.is_not(None),
    )
    return {row[0]: row[1] for row in session.execute(stmt)}  # staff id -> violation id


@dataclass
class _Matcher:
    """Sorts attendees of one event: permitted, already recorded, or to be recorded."""

    session: Session
    actor: Actor
    event: ExternalEvent
    permitted: set[int]
    recorded: dict[int, int]  # staff id -> violation id
    evidence: str

    def row(self, i: int, ref: Attendee, staff: Staff | None) -> AttendanceRow:
        row = AttendanceRow(
            row=i,
            staff_id=staff.id if staff else ref.staff_id,
            external_code=ref.external_code,
            result=AttendanceOutcome.unknown_staff,
        )
        if staff is None or staff.id is None:
            return row
        if staff.id in self.permitted:
            return row.model_copy(update={"result": AttendanceOutcome.ok})
        if staff.id in self.recorded:
            outcome = AttendanceOutcome.violation_exists
        else:
            violation = _record_attendance(self, staff)
            self.recorded[staff.id] = violation.id or 0
            outcome = AttendanceOutcome.violation_created
        return row.model_copy(update={"result": outcome, "violation_id": self.recorded[staff.id]})


def import_attendance(
    session: Session, actor: Actor, event: ExternalEvent, data: AttendanceImport
) -> AttendanceImportResult:
    """Match who attended against consents (R-EXT-3) and record the rest (R-EXT-4).

    Re-importing the same list records nobody twice: people already recorded are reported
    as such, and the unique index uq_violation_external stops a concurrent duplicate.
    """
    allow(session, actor, IMPORT_ATTENDANCE, event.host_unit_id, event.authority_unit_id)
    people = _resolve_attendees(session, actor, data.attendees)
    matcher = _Matcher(
        session,
        actor,
        event,
        permitted=_consented_staff(session, event),
        recorded=_recorded(session, event),
        evidence=data.evidence or _default_evidence(),
    )
    rows = [
        matcher.row(i, ref, staff)
        for i, (ref, staff) in enumerate(zip(data.attendees, people, strict=True))
    ]
    return _summary(event, rows)


def _default_evidence() -> str:
    day = _today().strftime("%d/%m/%Y")
    return (
        f"Có tên trong danh sách tham dự nhập ngày {day} nhưng không có ý kiến đồng ý "
        "tham gia còn hiệu lực của Thủ trưởng đơn vị."
    )


def _record_attendance(matcher: _Matcher, staff: Staff) -> Violation:
    """Against the person's current unit: the list is imported right after the event."""
    violation = Violation(
        kind=ViolationKind.unapproved_participation,
        school_year=matcher.event.school_year,
        unit_id=staff.unit_id,
        staff_id=staff.id,
        external_event_id=matcher.event.id,
        evidence=matcher.evidence,
        recorded_by_user_id=matcher.actor.user_id,
    )
    matcher.session.add(violation)
    matcher.session.flush()
    return violation


def _summary(event: ExternalEvent, rows: list[AttendanceRow]) -> AttendanceImportResult:
    tally = dict.fromkeys(AttendanceOutcome, 0)
    for row in rows:
        tally[row.result] += 1
    return AttendanceImportResult(
        external_event_id=event.id or 0,
        rows=rows,
        ok=tally[AttendanceOutcome.ok],
        violation_created=tally[AttendanceOutcome.violation_created],
        violation_exists=tally[AttendanceOutcome.violation_exists],
        unknown_staff=tally[AttendanceOutcome.unknown_staff],
    )
