import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    department_officer = "department_officer"
    unit_head = "unit_head"
    organizer = "organizer"
    inspector = "inspector"
    staff = "staff"
    integration = "integration"


class User(Tracked, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    full_name: str = Field(max_length=255)
    staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL", unique=True
    )
    is_active: bool = True


class RoleAssignment(SQLModel, table=True):
    """(user, role, unit): the role holds over the unit's whole subtree.

    Only ``admin`` may be held without a unit, which makes it system-wide.
    """

    __tablename__ = "role_assignment"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "unit_id", "event_id"),
        sa.CheckConstraint("unit_id IS NOT NULL OR role = 'admin'", name="unit_required"),
        sa.CheckConstraint("event_id IS NULL OR role = 'organizer'", name="event_for_organizer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    role: Role = Field(sa_type=enum_type(Role, "role"))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="CASCADE", index=True)
    # an organizer may be bound to one event: then the role holds for that event only
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="CASCADE")
    granted_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    """A key for an integrating system, bound to one unit and one role; only its hash is kept."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    # The first characters of the key, shown in lists so people can tell keys apart.
    prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64)
    role: Role = Field(sa_type=enum_type(Role, "role"))
    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", index=True)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per username, so guessing a password is slow even across workers."""

    __tablename__ = "login_throttle"

    username: str = Field(max_length=64, primary_key=True)
    failures: int = 0
    window_started_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GrantVersion(SQLModel, table=True):
    """SQLite's signal that grants changed (one row, bumped by triggers on users, role
    assignments, API keys and staff units; migration 0017). PostgreSQL notifies the workers
    instead (``pg_notify('bdtx_grants')``) and leaves this row alone."""

    __tablename__ = "grant_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
