"""Violations and criticism letters for tests, built as the system."""

from typing import Any

from sqlmodel import Session

from app.criticisms import service as criticisms
from app.criticisms.models import Criticism
from app.criticisms.schemas import CriticismCreate
from app.staff.models import Staff
from app.units.models import Unit
from app.violations.models import Violation, ViolationKind, ViolationStatus
from tests.factories import SYSTEM

BODY = (
    "Qua theo dõi, Sở GD&ĐT nhận thấy đơn vị có cán bộ, giáo viên được cử tham dự tập huấn "
    "nhưng vắng mặt không có đơn xin phép được Thủ trưởng đơn vị xác nhận."
)


def make_violation(
    session: Session,
    unit: Unit,
    staff: Staff | None = None,
    *,
    kind: ViolationKind = ViolationKind.unexcused_absence,
    status: ViolationStatus = ViolationStatus.open,
    school_year: str = "2024-2025",
) -> Violation:
    violation = Violation(
        kind=kind,
        status=status,
        school_year=school_year,
        unit_id=unit.id or 0,
        staff_id=staff.id if staff else None,
        evidence="Vắng buổi 1 không có đơn xin phép.",
    )
    session.add(violation)
    session.flush()
    return violation


def letter_body(issuer: Unit, recipient: Unit, violations: list[Violation], **kw: Any) -> dict:
    return {
        "issuing_unit_id": issuer.id,
        "recipient_unit_id": recipient.id,
        "school_year": "2024-2025",
        "violation_ids": [v.id for v in violations],
        "subject": "phê bình đơn vị có giáo viên vắng tập huấn không phép",
        "body": BODY,
        "propose_emulation": True,
        "place": "Bình Phước",
        **kw,
    }


def make_letter(
    session: Session, issuer: Unit, recipient: Unit, violations: list[Violation], **kw: Any
) -> Criticism:
    data = CriticismCreate(**letter_body(issuer, recipient, violations, **kw))
    letter, _ = criticisms.create_criticism(session, SYSTEM, data)
    return letter
