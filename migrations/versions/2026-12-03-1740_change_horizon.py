"""change_horizon: the newest change-feed id dropped by retention (older cursors get 410)

Revision ID: 0016_change_horizon
Revises: 0015_webhooks
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_change_horizon"
down_revision: str | None = "0015_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "dropped_through",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_horizon")),
    )


def downgrade() -> None:
    op.drop_table("change_horizon")
