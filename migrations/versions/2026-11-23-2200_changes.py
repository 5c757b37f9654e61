"""change feed: one row per committed create, update and delete, in commit order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        # BIGINT on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the rowid, and
        # AUTOINCREMENT keeps ids from ever being reused (cursors stay valid forever)
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("prev_unit_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        # a scoped reader: the rows of the units in its subtree, in id order
        batch_op.create_index("ix_change_unit_id", ["unit_id", "id"], unique=False)
        batch_op.create_index("ix_change_prev_unit_id", ["prev_unit_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_prev_unit_id")
        batch_op.drop_index("ix_change_unit_id")
    op.drop_table("change")
