"""Session check-in with a rotating code (R-ATT-1): participants mark themselves present.

The organiser opens check-in for a session; while it is open the room sees a short code that
changes every step (RFC 6238 TOTP from a secret that never leaves the server) and its QR image.
A roster member checks in with their own account and the current code (the previous one
still counts, for clock skew). A check-in never overrides a mark the organiser made; the
organiser's marks (PUT attendance) override check-ins, as before.
"""

import base64
import hashlib
import hmac
import math
import secrets
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

import app.events.checkin_messages  # noqa: F401 - registers the problem texts
from app.audit.service import note_changes
from app.auth.actor import Actor
from app.bdtx.policy import CheckInRules, PolicyRules
from app.bdtx.service import current_policy
from app.bulk.engine import snapshot
from app.core.config import get_settings
from app.core.errors import AppError, Conflict, Forbidden
from app.core.model_base import utcnow
from app.events.attendance import MARKS, roster
from app.events.checkin_schemas import CheckInOpen
from app.events.models import (
    AttendanceMark,
    Event,
    EventSession,
    EventStatus,
    MarkSource,
    MarkStatus,
    SessionCheckIn,
)
from app.events.policies import authorize_organizer
from app.events.service import OPEN, require_status

DIGITS = 6
EXPIRED_STEPS = 10  # a code this many steps old is "expired" rather than simply wrong


def now() -> datetime:
    """The check-in clock; tests move it to replay a session that lies in the past."""
    return utcnow()


# --- codes (RFC 6238) ----------------------------------------------------------------------


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, counter: int) -> str:
    """RFC 4226 HOTP with SHA-1 and dynamic truncation; TOTP feeds it the time step."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def step_of(row: SessionCheckIn, at: datetime) -> int:
    return math.floor(at.timestamp() / row.step_seconds)


def current_code(row: SessionCheckIn, at: datetime) -> tuple[str, datetime]:
    """The code shown now and when it stops being the current one."""
    step = step_of(row, at)
    until = datetime.fromtimestamp((step + 1) * row.step_seconds, UTC)
    return code_at(row.secret, step), until


def _code_age(row: SessionCheckIn, code: str, at: datetime) -> int | None:
    """How many steps old ``code`` is (0 current, 1 previous), or None if never issued."""
    step = step_of(row, at)
    for age in range(EXPIRED_STEPS + 1):
        if hmac.compare_digest(code_at(row.secret, step - age), code):
            return age
    return None


# --- rate limit ---------------------------------------------------------------------------


class CodeRefused(AppError):
    """A wrong or expired code: 422 with its own ``code`` (not a schema error)."""

    status = 422


class TooManyCheckIns(AppError):
    status, code = 429, "check_in_too_many_attempts"


class AttemptLimiter:
    """Attempts per user in a sliding window, in this process's memory.

    Nothing is written for a refused attempt, so the count cannot live in the database
    transaction that a refusal rolls back; with several workers each counts its own share.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str) -> None:
        settings = get_settings()
        window, limit = settings.check_in_window_seconds, settings.check_in_max_attempts
        clock = time.monotonic()
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= clock - window:
                seen.popleft()
            if len(seen) >= limit:
                wait = max(1, math.ceil(seen[0] + window - clock))
                raise TooManyCheckIns(headers={"Retry-After": str(wait)}, seconds=wait)
            seen.append(clock)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


limiter = AttemptLimiter()


# --- opening and closing ------------------------------------------------------------------


def rules_for(session: Session, event: Event) -> CheckInRules:
    """The year's policy, else the defaults the policy would carry."""
    policy = current_policy(session, event.school_year)
    if policy is None:
        return CheckInRules()
    return PolicyRules.model_validate(policy.rules).check_in


def get_check_in(session: Session, row: EventSession) -> SessionCheckIn | None:
    return session.get(SessionCheckIn, row.id)


def open_check_in(
    session: Session, actor: Actor, event: Event, row: EventSession, data: CheckInOpen
) -> SessionCheckIn:
    """Open (or re-open with a fresh secret) the window around the session's start."""
    authorize_organizer(session, actor, event)
    require_status(event, *OPEN)
    rules = rules_for(session, event)
    pick = data.model_dump(exclude_none=True)
    rules = rules.model_copy(update=pick)
    opens = row.starts_at - timedelta(minutes=rules.opens_before_minutes)
    closes = row.starts_at + timedelta(minutes=rules.closes_after_minutes)
    at = now()
    if at >= closes:
        raise Conflict("check_in_window_passed", rule="R-ATT-1", closes_at=closes.isoformat())
    found = get_check_in(session, row)
    if found is not None and found.closed_at is None:
        raise Conflict("check_in_already_open", rule="R-ATT-1")
    assert event.id is not None
    assert row.id is not None
    fields: dict[str, Any] = {
        "secret": new_secret(),
        "step_seconds": rules.code_step_seconds,
        "opens_at": opens,
        "closes_at": closes,
        "late_after": row.starts_at + timedelta(minutes=rules.late_after_minutes),
        "opened_by_user_id": actor.user_id,
        "opened_at": at,
        "closed_at": None,
    }
    if found is None:
        found = SessionCheckIn(session_id=row.id, event_id=event.id, **fields)
    else:
        for key, value in fields.items():
            setattr(found, key, value)
    session.add(found)
    event.status = EventStatus.in_progress  # as the first mark by PUT does
    session.flush()
    return found


def close_check_in(
    session: Session, actor: Actor, event: Event, row: EventSession
) -> SessionCheckIn:
    authorize_organizer(session, actor, event)
    found = get_check_in(session, row)
    if found is None or found.closed_at is not None:
        raise Conflict("check_in_not_open", rule="R-ATT-1")
    found.closed_at = now()
    session.flush()
    return found


def state(found: SessionCheckIn | None, at: datetime) -> str:
    """`not_opened`, `scheduled` (opened, window ahead), `open`, or `closed`."""
    if found is None:
        return "not_opened"
    if found.closed_at is not None or at >= found.closes_at:
        return "closed"
    return "open" if at >= found.opens_at else "scheduled"


def require_open(session: Session, event: Event, row: EventSession) -> SessionCheckIn:
    found = get_check_in(session, row)
    if event.status not in OPEN or found is None or state(found, now()) != "open":
        raise Conflict("check_in_closed", rule="R-ATT-1")
    return found


def code_for(
    session: Session, actor: Actor, event: Event, row: EventSession
) -> tuple[str, datetime, SessionCheckIn]:
    authorize_organizer(session, actor, event)
    found = require_open(session, event, row)
    code, until = current_code(found, now())
    return code, until, found


def qr_payload(event: Event, row: EventSession, code: str) -> str:
    """What the QR image carries: enough for an app to post the check-in unaided."""
    return f"BDTX-CHECKIN:{event.id}:{row.id}:{code}"


# --- checking in --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    mark: dict[str, Any]
    created: bool


def check_in(
    session: Session, actor: Actor, event: Event, row: EventSession, code: str
) -> CheckInResult:
    """The caller checks themself in; nobody can check in for someone else."""
    if actor.staff_id is None or actor.auth_method != "password":
        # an API key, or a user without a staff record, is not a participant in the room
        raise Forbidden("check_in_own_account_only", rule="R-ATT-1")
    member = next((p for p in roster(session, event) if p.staff_id == actor.staff_id), None)
    if member is None:
        raise Conflict("not_on_roster", rule="R-ATT-1", staff_ids=str(actor.staff_id))
    found = require_open(session, event, row)
    at = now()
    age = _code_age(found, code, at)
    if age is None or age > 1:
        wrong = "check_in_code_invalid" if age is None else "check_in_code_expired"
        raise CodeRefused(wrong, rule="R-ATT-1")
    existing = _mark_of(session, row, actor.staff_id)
    if existing is None:
        status = MarkStatus.present if at <= found.late_after else MarkStatus.late
        values = {
            "event_id": event.id,
            "session_id": row.id,
            "staff_id": actor.staff_id,
            "unit_id": member.unit_id,
            "status": status,
            "check_in_at": at,
            "note": None,
            "marked_by_user_id": actor.user_id,
            "marked_at": at,
            "source": MarkSource.check_in,
        }
        new_id = _insert_if_absent(session, values)
        if new_id is not None:
            after = snapshot({"id": new_id, **values})
            note_changes(
                session, [("create", "attendance_mark", new_id, member.unit_id, None, after)]
            )
            return CheckInResult({"id": new_id, **values}, True)
        existing = _mark_of(session, row, actor.staff_id)  # the organiser got there first
        assert existing is not None
    if existing["source"] != MarkSource.check_in:
        raise Conflict("check_in_already_marked", rule="R-ATT-1", status=existing["status"])
    return CheckInResult(existing, False)  # a second check-in changes nothing


def _mark_of(session: Session, row: EventSession, staff_id: int) -> dict[str, Any] | None:
    found = (
        session.execute(
            select(MARKS).where(MARKS.c.session_id == row.id, MARKS.c.staff_id == staff_id)
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def _insert_if_absent(session: Session, values: dict[str, Any]) -> int | None:
    """One statement that loses quietly to a concurrent mark of the same person."""
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(AttendanceMark.__table__)  # type: ignore[attr-defined]
        .values(**values)
        .on_conflict_do_nothing(index_elements=["session_id", "staff_id"])
        .returning(MARKS.c.id)
    )
    return session.scalar(stmt)


# --- live counts --------------------------------------------------------------------------


def live_counts(
    session: Session, actor: Actor, event: Event, row: EventSession
) -> tuple[SessionCheckIn | None, list[dict[str, int]]]:
    """Per unit of origin: on the roster, checked in (present or late), late, missing."""
    authorize_organizer(session, actor, event)
    marks = {
        staff_id: MarkStatus(status)
        for staff_id, status in session.execute(
            select(MARKS.c.staff_id, MARKS.c.status).where(MARKS.c.session_id == row.id)
        )
    }
    units: dict[int, dict[str, int]] = {}
    for p in roster(session, event):
        counts = units.setdefault(
            p.unit_id, {"unit_id": p.unit_id, "roster": 0, "checked_in": 0, "late": 0, "missing": 0}
        )
        mark = marks.get(p.staff_id)
        counts["roster"] += 1
        counts["checked_in"] += mark in (MarkStatus.present, MarkStatus.late)
        counts["late"] += mark == MarkStatus.late
        counts["missing"] += mark is None or mark == MarkStatus.absent
    return get_check_in(session, row), [units[k] for k in sorted(units)]


def sources_by(session: Session, event: Event) -> dict[tuple[int, int], str]:
    """(staff, session) → how the mark was made, for the matrix and the sign-in sheet."""
    rows = session.execute(
        select(MARKS.c.staff_id, MARKS.c.session_id, MARKS.c.source).where(
            MARKS.c.event_id == event.id
        )
    )
    return {(s, sid): MarkSource(src).value for s, sid, src in rows}
