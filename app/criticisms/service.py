"""Criticism letters (R-VIO-1): drafted by the Sở (or an office) to a unit below it, citing
that unit's open violations; issuing numbers the letter, freezes it and marks what it cites.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

import app.violations.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.policies import units_in_scope
from app.core.concurrency import check_version
from app.core.errors import Conflict, NotFound, UnknownReference
from app.core.model_base import LOCAL_TZ, to_local_date, utcnow
from app.core.pagination import PageParams, paginate
from app.criticisms.document import CitedRow, Letter, render_pdf_with_box
from app.criticisms.models import Criticism, CriticismCounter, CriticismStatus, CriticismViolation
from app.criticisms.schemas import CriticismCreate, CriticismUpdate
from app.documents import service as documents
from app.documents.signing import Placement, signature_lines
from app.events.models import Event, EventSession
from app.external.models import ExternalEvent
from app.staff.models import Staff
from app.units.letterhead import find_letterhead
from app.units.models import Unit, UnitClosure, UnitKind
from app.units.service import require_unit, subtree_ids
from app.violations.models import Violation, ViolationStatus
from app.violations.policies import authorize_review, violation_filter

RULE = "R-VIO-1"
# A unit without a letterhead: the usual abbreviation and signer of its kind.
KIND_ABBREVIATION = {UnitKind.department: "SGDĐT", UnitKind.district_office: "PGDĐT"}
KIND_SIGNER = {
    UnitKind.department: "GIÁM ĐỐC",
    UnitKind.district_office: "TRƯỞNG PHÒNG",
    UnitKind.school: "HIỆU TRƯỞNG",
}


@dataclass(frozen=True)
class CriticismFilters:
    status: CriticismStatus | None = None
    school_year: str | None = None
    issuing_unit_id: int | None = None
    recipient_unit_id: int | None = None
    include_descendants: bool = False


def criticism_filter(actor: Actor) -> Any:
    """Letters issued from the caller's units (drafts included), and issued letters sent
    to them: a unit never sees a draft about itself."""
    scope = units_in_scope(actor)
    if scope is None:
        return true()
    received = (Criticism.status == CriticismStatus.issued) & Criticism.recipient_unit_id.in_(scope)
    return Criticism.issuing_unit_id.in_(scope) | received


def get_criticism(session: Session, actor: Actor, criticism_id: int) -> Criticism:
    found = session.scalar(
        select(Criticism).where(Criticism.id == criticism_id, criticism_filter(actor))
    )
    if found is None:
        raise NotFound("criticism", criticism_id)
    return found


def cited_ids(session: Session, criticism_ids: Sequence[int]) -> dict[int, list[int]]:
    """Violation ids cited by each letter, in one query."""
    rows = session.execute(
        select(CriticismViolation.criticism_id, CriticismViolation.violation_id)
        .where(CriticismViolation.criticism_id.in_(list(criticism_ids)))
        .order_by(CriticismViolation.violation_id)
    ).all()
    out: dict[int, list[int]] = defaultdict(list)
    for criticism_id, violation_id in rows:
        out[criticism_id].append(violation_id)
    return out


def with_cited(session: Session, criticism: Criticism) -> tuple[Criticism, list[int]]:
    assert criticism.id is not None
    return criticism, cited_ids(session, [criticism.id]).get(criticism.id, [])


def list_criticisms(
    session: Session, actor: Actor, page: PageParams, filters: CriticismFilters
) -> tuple[list[tuple[Criticism, list[int]]], str | None]:
    stmt = select(Criticism).where(criticism_filter(actor))
    if filters.recipient_unit_id is not None:
        unit = filters.recipient_unit_id
        if filters.include_descendants:
            stmt = stmt.where(Criticism.recipient_unit_id.in_(subtree_ids(unit)))
        else:
            stmt = stmt.where(Criticism.recipient_unit_id == unit)
    for column, value in (
        (Criticism.status, filters.status),
        (Criticism.school_year, filters.school_year),
        (Criticism.issuing_unit_id, filters.issuing_unit_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    items, cursor = paginate(session, stmt, Criticism.id, page)
    cited = cited_ids(session, [c.id for c in items])
    return [(c, cited.get(c.id, [])) for c in items], cursor


# --- drafting -------------------------------------------------------------------------------


def _require_below(session: Session, issuing_unit_id: int, recipient_unit_id: int) -> None:
    below = session.scalar(
        select(UnitClosure.depth).where(
            UnitClosure.ancestor_id == issuing_unit_id,
            UnitClosure.descendant_id == recipient_unit_id,
            UnitClosure.depth > 0,
        )
    )
    if below is None:
        raise Conflict(
            "criticism_recipient_not_below",
            rule=RULE,
            errors=[_error("recipient_unit_id", "not below the issuing unit", "not_below")],
        )


def _error(field: str, msg: str, code: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": msg, "code": code}


def _ids(values: Sequence[int | None]) -> str:
    return ", ".join(str(v) for v in values)


def check_citable(
    session: Session, actor: Actor, letter: Criticism, violation_ids: Sequence[int]
) -> None:
    """R-VIO-1: a letter cites open violations of its recipient (or units below it) of its
    school year, each one visible to the caller."""
    wanted = sorted(set(violation_ids))
    found = {
        v.id: v
        for v in session.scalars(
            select(Violation).where(Violation.id.in_(wanted), violation_filter(actor))
        )
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        raise UnknownReference("violation_ids", missing[0])
    below = set(
        session.scalars(
            select(Violation.id).where(
                Violation.id.in_(wanted),
                Violation.unit_id.in_(subtree_ids(letter.recipient_unit_id)),
            )
        )
    )
    elsewhere = [i for i in wanted if i not in below]
    if elsewhere:
        raise Conflict(
            "violation_not_of_recipient",
            rule=RULE,
            errors=[_error("violation_ids", "not of the recipient unit", "other_unit")],
            ids=_ids(elsewhere),
        )
    other_year = [i for i in wanted if found[i].school_year != letter.school_year]
    if other_year:
        raise Conflict(
            "violation_other_school_year",
            rule=RULE,
            errors=[_error("violation_ids", "of another school year", "other_school_year")],
            ids=_ids(other_year),
            school_year=letter.school_year,
        )
    _require_open([found[i] for i in wanted])


def _require_open(violations: Sequence[Violation]) -> None:
    closed = [v.id for v in violations if v.status != ViolationStatus.open]
    if closed:
        raise Conflict("violation_not_open", rule=RULE, ids=_ids(closed))


def _set_cited(session: Session, letter: Criticism, violation_ids: Sequence[int]) -> None:
    """The letter's citations become exactly ``violation_ids`` (ORM rows: audited)."""
    wanted = set(violation_ids)
    current = session.scalars(
        select(CriticismViolation).where(CriticismViolation.criticism_id == letter.id)
    ).all()
    for link in current:
        if link.violation_id not in wanted:
            session.delete(link)
    have = {link.violation_id for link in current}
    assert letter.id is not None
    session.add_all(
        CriticismViolation(criticism_id=letter.id, violation_id=i) for i in sorted(wanted - have)
    )


def create_criticism(
    session: Session, actor: Actor, data: CriticismCreate
) -> tuple[Criticism, list[int]]:
    issuer = require_unit(session, actor, data.issuing_unit_id, "issuing_unit_id")
    recipient = require_unit(session, actor, data.recipient_unit_id, "recipient_unit_id")
    assert issuer.id is not None
    assert recipient.id is not None
    authorize_review(session, actor, issuer.id)
    _require_below(session, issuer.id, recipient.id)
    fields = _with_letterhead(session, issuer, data.model_dump(exclude={"violation_ids"}))
    letter = Criticism(**fields, created_by_user_id=actor.user_id)
    check_citable(session, actor, letter, data.violation_ids)
    session.add(letter)
    session.flush()
    _set_cited(session, letter, data.violation_ids)
    session.flush()
    return with_cited(session, letter)


def _with_letterhead(session: Session, issuer: Unit, fields: dict[str, Any]) -> dict[str, Any]:
    """What the draft leaves out comes from the issuer's letterhead (NĐ 30/2020)."""
    assert issuer.id is not None
    head = find_letterhead(session, issuer.id)
    defaults: dict[str, Any] = {
        "document_symbol": head.symbol if head else KIND_ABBREVIATION.get(issuer.kind, "CV"),
        "place": head.place if head else None,
        "signer_title": head.signer_title if head else KIND_SIGNER.get(issuer.kind, "THỦ TRƯỞNG"),
        "signer_name": head.signer_name if head else None,
    }
    for field, value in defaults.items():
        if fields.get(field) is None:
            fields[field] = value
    if fields["place"] is None:
        # state, not syntax: the same body is fine once the unit has a letterhead (409)
        item = _error("place", "no place given and the issuing unit has no letterhead", "missing")
        raise Conflict("letterhead_missing", errors=[item])
    return fields


def document_number(number: int, symbol: str) -> str:
    """``01/SGDĐT-TCCB``: numbers below 10 take a leading zero (NĐ 30/2020, Phụ lục I)."""
    return f"{number:02d}/{symbol}"


def require_draft(letter: Criticism) -> None:
    """Issued letters are records: nothing about them changes (R-VIO-1)."""
    if letter.status != CriticismStatus.draft:
        raise Conflict("criticism_issued", rule=RULE, number=letter.document_number)


def update_criticism(
    session: Session, actor: Actor, letter: Criticism, data: CriticismUpdate, expected: int
) -> tuple[Criticism, list[int]]:
    authorize_review(session, actor, letter.issuing_unit_id)
    check_version(letter.version, expected)
    require_draft(letter)
    changes = data.model_dump(exclude_unset=True)
    violation_ids = changes.pop("violation_ids", None)
    if violation_ids is not None:
        check_citable(session, actor, letter, violation_ids)
        _set_cited(session, letter, violation_ids)
    for field, value in changes.items():
        setattr(letter, field, value)
    if violation_ids is not None and not changes:
        letter.updated_at = utcnow()  # the citations changed: a new version and ETag
    session.flush()
    return with_cited(session, letter)


# --- issuing --------------------------------------------------------------------------------


def _create_counter(session: Session, issuing_unit_id: int, year: int) -> None:
    """The counter row, unless a concurrent issue has just made it (both databases)."""
    dialect = session.get_bind().dialect.name
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert_into(CriticismCounter)
        .values(issuing_unit_id=issuing_unit_id, year=year, last_number=0)
        .on_conflict_do_nothing()
    )


def next_number(session: Session, issuing_unit_id: int, year: int) -> int:
    """The next number of the issuing unit's year: one atomic UPDATE … RETURNING, so two
    letters issued at the same moment never share a number (uq_criticism_number backs it)."""
    bump = (
        update(CriticismCounter)
        .where(CriticismCounter.issuing_unit_id == issuing_unit_id, CriticismCounter.year == year)
        .values(last_number=CriticismCounter.last_number + 1)
        .returning(CriticismCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is None:
        _create_counter(session, issuing_unit_id, year)
        number = session.execute(bump).scalar_one()
    return int(number)


def cited_violations(session: Session, letter: Criticism) -> list[Violation]:
    return list(
        session.scalars(
            select(Violation)
            .join(CriticismViolation, CriticismViolation.violation_id == Violation.id)
            .where(CriticismViolation.criticism_id == letter.id)
            .order_by(Violation.id)
        )
    )


def _signer_name(session: Session, actor: Actor) -> str:
    """Who signs: the person's full name from their staff record, not a login name."""
    if actor.staff_id is not None:
        name = session.scalar(select(Staff.full_name).where(Staff.id == actor.staff_id))
        if name:
            return name
    return actor.name


def issue_criticism(
    session: Session, actor: Actor, letter: Criticism, expected: int
) -> tuple[Criticism, list[int]]:
    """R-VIO-1: number and date the letter, record who issued it, and mark what it cites
    ``cited``; refused when any cited violation is no longer open."""
    authorize_review(session, actor, letter.issuing_unit_id)
    check_version(letter.version, expected)
    require_draft(letter)
    # units may have moved since the draft: the recipient must still be below the issuer
    _require_below(session, letter.issuing_unit_id, letter.recipient_unit_id)
    violations = cited_violations(session, letter)
    _require_open(violations)
    now = utcnow()
    today = to_local_date(now)
    number = next_number(session, letter.issuing_unit_id, today.year)
    letter.number, letter.issued_year = number, today.year
    letter.document_number = document_number(number, letter.document_symbol)
    # the letter keeps the heading it was issued under, whatever the letterhead becomes
    head = find_letterhead(session, letter.issuing_unit_id)
    letter.managing_body = head.managing_body if head else None
    letter.issued_on, letter.issued_at = today, now
    letter.issued_by_user_id, letter.issued_by_name = actor.user_id, _signer_name(session, actor)
    letter.status = CriticismStatus.issued
    for violation in violations:
        # versioned rows: a concurrent dismissal makes this flush fail rather than both win
        violation.status = ViolationStatus.cited
    session.flush()
    keep_as_issued(session, letter)
    return with_cited(session, letter)


def keep_as_issued(session: Session, letter: Criticism) -> None:
    """The PDF as issued, signed with the issuer's credential when it has one: every
    later download is these bytes."""
    assert letter.id is not None

    def render(signed_by: str | None) -> tuple[bytes, Placement]:
        lines = None
        if signed_by is not None and letter.issued_at is not None:
            lines = signature_lines(signed_by, letter.issued_at)
        rendered = render_pdf_with_box(letter_of(session, letter), lines)
        box = rendered.signature_box
        return rendered.content, Placement(box.page, (box.x1, box.y1, box.x2, box.y2))

    documents.issue(
        session,
        kind="criticism",
        ref_id=letter.id,
        unit_id=letter.issuing_unit_id,
        render=render,
        reason=f"Ban hành văn bản số {letter.document_number}",
        location=letter.place,
    )


# --- the document ---------------------------------------------------------------------------


def letter_of(session: Session, letter: Criticism) -> Letter:
    """Everything the printed letter shows, in two queries."""
    names: dict[int, str] = dict(
        session.execute(
            select(Unit.id, Unit.name).where(
                Unit.id.in_([letter.issuing_unit_id, letter.recipient_unit_id])
            )
        ).all()
    )
    managing_body = letter.managing_body
    if letter.status == CriticismStatus.draft:
        head = find_letterhead(session, letter.issuing_unit_id)
        managing_body = head.managing_body if head else None
    return Letter(
        managing_body=managing_body,
        issuing_unit=names[letter.issuing_unit_id],
        recipient_unit=names[letter.recipient_unit_id],
        document_number=letter.document_number,
        document_symbol=letter.document_symbol,
        place=letter.place,
        issued_on=letter.issued_on,
        subject=letter.subject,
        body=letter.body,
        school_year=letter.school_year,
        propose_emulation=letter.propose_emulation,
        signer_title=letter.signer_title,
        signer_name=letter.signer_name,
        copy_to=list(letter.copy_to),
        rows=_cited_rows(session, letter),
    )


def _cited_rows(session: Session, letter: Criticism) -> list[CitedRow]:
    stmt = (
        select(
            Violation.kind,
            Violation.created_at,
            Staff.full_name,
            Unit.name,
            Event.title,
            EventSession.title,
            EventSession.starts_at,
            ExternalEvent.title,
            ExternalEvent.starts_on,
        )
        .join(CriticismViolation, CriticismViolation.violation_id == Violation.id)
        .join(Unit, Unit.id == Violation.unit_id)
        .outerjoin(Staff, Staff.id == Violation.staff_id)
        .outerjoin(Event, Event.id == Violation.event_id)
        .outerjoin(EventSession, EventSession.id == Violation.session_id)
        .outerjoin(ExternalEvent, ExternalEvent.id == Violation.external_event_id)
        .where(CriticismViolation.criticism_id == letter.id)
        .order_by(Unit.name, Staff.full_name, EventSession.starts_at, Violation.id)
    )
    rows = []
    for kind, created, person, unit, event, s_title, s_start, ext, ext_start in session.execute(
        stmt
    ):
        when = s_start.astimezone(LOCAL_TZ).date() if s_start else ext_start
        rows.append(
            CitedRow(
                violator=person or unit,
                unit=unit,
                kind=kind,
                event=event or ext,
                session=s_title,
                day=when or to_local_date(created),
            )
        )
    return rows
