"""Notifications per user, their e-mail outbox, preferences and the worker's feed cursor."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One message to one user. ``(user_id, kind, subject, step)`` is unique: a change seen
    twice (a worker restarted mid-batch) or a reminder scanned twice adds nothing."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "subject", "step", name="uq_notification_once"),
        sa.Index("ix_notification_user_id", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE")
    kind: str = Field(max_length=64)
    # what it is about, e.g. ``event:12`` or ``event:12:unit:7``; ``step`` tells reminders
    # of the same subject apart (``d3``, ``tomorrow``), empty for one-off notices
    subject: str = Field(max_length=128)
    step: str = Field(default="", max_length=32)
    title: str = Field(max_length=255)
    body: str = Field(max_length=4000)
    data: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """An opt-out: a row says whether ``kind`` reaches the user by ``channel``; no row = on."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", primary_key=True)
    kind: str = Field(max_length=64, primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)  # in_app, email
    enabled: bool = True


class EmailOutbox(SQLModel, table=True):
    """An e-mail to send. Workers lease rows (``leased_until``); a killed worker's lease
    runs out and another worker sends the row. Rows are kept as the delivery log."""

    __tablename__ = "email_outbox"
    __table_args__ = (sa.Index("ix_email_outbox_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int | None = Field(
        default=None, foreign_key="notification.id", ondelete="CASCADE", unique=True
    )
    to_address: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    body: str = Field(max_length=8000)
    status: str = Field(default="pending", max_length=16)  # pending, sent, dead
    attempts: int = 0
    due_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class WorkerCursor(SQLModel, table=True):
    """How far a consumer of the change feed has got; its row lock makes one consumer at a
    time (the others skip it, SKIP LOCKED)."""

    __tablename__ = "worker_cursor"

    name: str = Field(max_length=64, primary_key=True)
    position: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
