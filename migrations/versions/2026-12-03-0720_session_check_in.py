"""session check-in: a mark's source, and each session's check-in window and code secret

Revision ID: 0014_check_in
Revises: 0013_events_calendar
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_check_in"
down_revision: str | None = "0013_events_calendar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARK_SOURCE = sa.Enum(
    "check_in",
    "organizer",
    "import",
    name="mark_source",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def upgrade() -> None:
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        # marks made before check-in existed were the organisers' (by hand or by import;
        # the two were not told apart)
        batch_op.add_column(
            sa.Column("source", MARK_SOURCE, server_default="organizer", nullable=False)
        )
    op.create_table(
        "session_check_in",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("step_seconds", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_user_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "closes_at > opens_at", name=op.f("ck_session_check_in_closes_after_open")
        ),
        sa.CheckConstraint("step_seconds > 0", name=op.f("ck_session_check_in_step_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_session_check_in_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_session_check_in_opened_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_session_check_in_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_check_in")),
    )
    with op.batch_alter_table("session_check_in", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_check_in_event_id"), ["event_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("session_check_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_check_in_event_id"))
    op.drop_table("session_check_in")
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        # the enum's CHECK first: SQLite's table copy would keep it, naming a dropped column
        batch_op.drop_constraint(op.f("ck_attendance_mark_mark_source"), type_="check")
        batch_op.drop_column("source")
