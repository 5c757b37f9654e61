"""Every table, imported in one place for Alembic's metadata."""

from app.audit.models import AuditLog
from app.auth.models import ApiKey, LoginThrottle, RoleAssignment, User
from app.core.idempotency import IdempotencyRecord
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    Event,
    EventSession,
    LateConsent,
    Nomination,
    NominationChange,
    Requirement,
    RequirementTarget,
    SessionAmendment,
    TrainingCredit,
)
from app.external.models import ExternalEvent, ParticipationRequest
from app.staff.models import Staff, StaffAssignment
from app.units.models import Unit, UnitClosure, UnitMove
from app.violations.models import Violation

__all__ = [
    "AbsenceExcuse",
    "ApiKey",
    "AttendanceMark",
    "AuditLog",
    "Event",
    "EventSession",
    "ExternalEvent",
    "IdempotencyRecord",
    "LateConsent",
    "LoginThrottle",
    "Nomination",
    "NominationChange",
    "ParticipationRequest",
    "Requirement",
    "RequirementTarget",
    "RoleAssignment",
    "SessionAmendment",
    "Staff",
    "StaffAssignment",
    "TrainingCredit",
    "Unit",
    "UnitClosure",
    "UnitMove",
    "User",
    "Violation",
]
