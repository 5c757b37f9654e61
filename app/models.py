"""Every table, imported in one place for Alembic's metadata."""

from app.audit.models import AuditLog
from app.auth.models import ApiKey, LoginThrottle, RoleAssignment, User
from app.core.idempotency import IdempotencyRecord
from app.staff.models import Staff, StaffAssignment
from app.units.models import Unit, UnitClosure, UnitMove
from app.violations.models import Violation

__all__ = [
    "ApiKey",
    "AuditLog",
    "IdempotencyRecord",
    "LoginThrottle",
    "RoleAssignment",
    "Staff",
    "StaffAssignment",
    "Unit",
    "UnitClosure",
    "UnitMove",
    "User",
    "Violation",
]
