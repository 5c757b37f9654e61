"""Every table, imported in one place for Alembic's metadata."""

from app.core.idempotency import IdempotencyRecord
from app.staff.models import Staff, StaffAssignment
from app.units.models import Unit, UnitClosure, UnitMove

__all__ = ["IdempotencyRecord", "Staff", "StaffAssignment", "Unit", "UnitClosure", "UnitMove"]
