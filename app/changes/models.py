from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import UTCDateTime, utcnow

# 64-bit on PostgreSQL (a feed outlives any id range); SQLite's rowid is already 64-bit but
# only an ``INTEGER PRIMARY KEY`` column aliases it.
ChangeId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Change(SQLModel, table=True):
    """The change feed: one row per created, updated or deleted object, in commit order.

    Written by ``app.changes.service.record`` as the last statement of a request's
    transaction, under a lock that makes ids increase in commit order (see there). No foreign
    keys: the feed outlives the objects it names. AUTOINCREMENT on SQLite so ids are never
    reused, even after the newest rows are deleted; cursors stay valid forever.
    """

    __tablename__ = "change"
    __table_args__ = (
        sa.Index("ix_change_unit_id", "unit_id", "id"),
        sa.Index("ix_change_prev_unit_id", "prev_unit_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_type=ChangeId, primary_key=True)
    committed_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    op: str = Field(max_length=16)  # create, update, delete
    resource: str = Field(max_length=64)
    resource_id: int | None = None
    # the unit whose subtree sees the object now, and (when an update moved it) the unit
    # whose subtree saw it before: readers there get a ``moved_out`` item without the data
    unit_id: int | None = None
    prev_unit_id: int | None = None
    version: int | None = None
    data: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class ChangeHorizon(SQLModel, table=True):
    """The newest feed id that retention has dropped (one row, written by
    ``app.ops.partitions.drop_expired_feed``). A cursor before it would silently skip the
    dropped changes, so the feed answers it 410 and the reader resynchronises."""

    __tablename__ = "change_horizon"

    id: int = Field(default=1, primary_key=True)
    dropped_through: int = Field(default=0, sa_type=ChangeId)
