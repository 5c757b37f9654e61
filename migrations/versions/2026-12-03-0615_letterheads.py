"""letterheads: each issuing unit's heading data (NĐ 30/2020); letters keep their managing body

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_letterhead",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("managing_body", sa.String(length=255), nullable=True),
        sa.Column("abbreviation", sa.String(length=20), nullable=False),
        sa.Column("drafting_unit", sa.String(length=20), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_unit_letterhead_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_letterhead")),
    )
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managing_body", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.drop_column("managing_body")
    op.drop_table("unit_letterhead")
