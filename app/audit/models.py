from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    """Append-only: one row per write and per refused attempt.

    No foreign keys on purpose: the log outlives the users, units and objects it names.
    On PostgreSQL and SQLite a trigger refuses UPDATE and DELETE.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_target", "target_type", "target_id"),
        sa.Index("ix_audit_log_target_unit_id", "target_unit_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_api_key_id: int | None = None
    actor_name: str | None = Field(default=None, max_length=255)
    auth_method: str | None = Field(default=None, max_length=16)
    acting_role: str | None = Field(default=None, max_length=32)
    acting_unit_id: int | None = None
    action: str = Field(max_length=64, index=True)
    change: str | None = Field(default=None, max_length=16)  # create, update, delete
    target_type: str | None = Field(default=None, max_length=64)
    target_id: int | None = None
    target_unit_id: int | None = None
    target_unit_path: str | None = Field(default=None, max_length=500)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    request_id: str | None = Field(default=None, max_length=64)
    client_ip: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=16)
    status_code: int
    error_code: str | None = Field(default=None, max_length=64)
