"""External events: an approval recorded after the activity began (R-EXT-2)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:00:00

An approval does not permit an activity retroactively; when one is recorded after the fact
the event keeps it on file and the self-organising case stays recordable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approved_after_start", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.drop_column("approved_after_start")
