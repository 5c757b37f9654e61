"""violations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:35:17.621551
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "violation",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "unexcused_absence",
                "nomination_mismatch",
                "unapproved_participation",
                "unapproved_organising",
                name="violation_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "cited",
                "closed",
                "dismissed",
                name="violation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_violation_recorded_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_violation_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_violation_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation")),
    )
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violation_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_violation_unit_year", ["unit_id", "school_year"], unique=False)
        batch_op.create_index(
            "uq_violation_absence",
            ["kind", "event_id", "session_id", "staff_id"],
            unique=True,
            sqlite_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_violation_absence",
            sqlite_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL AND session_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_violation_unit_year")
        batch_op.drop_index(batch_op.f("ix_violation_event_id"))

    op.drop_table("violation")
