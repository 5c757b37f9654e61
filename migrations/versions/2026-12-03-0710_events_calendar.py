"""events meet the calendar: cancelled sessions, quota targets above the unit, replacements

Revision ID: 0013_events_calendar
Revises: 0012_notifications
Create Date: 2026-12-03 07:00:00

- ``event_session.cancelled_at``: a session cancelled by an amended summons (R-ATT-3).
- ``nomination.target_unit_id``: the summoned unit whose quota a nomination uses, which may
  be an office above the nominee's unit (R-NOM-1); existing rows used their own unit's.
- ``nomination.replaced_by_id``: the forward link of a substitution (R-NOM-2), filled for
  existing substitutions from the replacement's ``substitutes_id``.
- The year's BDTX policy now carries ``left_early_counts_as_attended`` (it already carried
  ``excuse_grace_days``): the settings BDTX_EXCUSE_GRACE_DAYS and
  BDTX_LEFT_EARLY_COUNTS_AS_ATTENDED are gone, and their values, when set at upgrade time,
  are written into every stored policy revision that did not say otherwise.
"""

import json
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_events_calendar"
down_revision: str | None = "0012_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_session") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("nomination") as batch:
        batch.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("target_unit_id", sa.Integer(), nullable=True))
    op.execute("UPDATE nomination SET target_unit_id = unit_id")
    op.execute(
        "UPDATE nomination SET replaced_by_id = (SELECT n.id FROM nomination n "
        "WHERE n.substitutes_id = nomination.id) WHERE status = 'substituted'"
    )
    with op.batch_alter_table("nomination") as batch:
        batch.alter_column("target_unit_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_nomination_replaced_by_id_nomination"),
            "nomination",
            ["replaced_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_nomination_target_unit_id_unit"),
            "unit",
            ["target_unit_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    _settings_into_policies()


def _settings_into_policies() -> None:
    """Carry the retired settings into the policies they used to override."""
    grace = os.environ.get("BDTX_EXCUSE_GRACE_DAYS")
    left_early = os.environ.get("BDTX_LEFT_EARLY_COUNTS_AS_ATTENDED", "false")
    conn = op.get_bind()
    policy = sa.table("bdtx_policy", sa.column("id", sa.Integer), sa.column("rules", sa.JSON))
    for row in conn.execute(sa.select(policy.c.id, policy.c.rules)).all():
        rules = dict(row.rules if isinstance(row.rules, dict) else json.loads(row.rules))
        rules.setdefault("left_early_counts_as_attended", left_early.lower() in ("1", "true"))
        if grace is not None and grace.isdigit():
            rules["excuse_grace_days"] = int(grace)
        conn.execute(policy.update().where(policy.c.id == row.id).values(rules=rules))


def downgrade() -> None:
    with op.batch_alter_table("nomination") as batch:
        batch.drop_constraint(batch.f("fk_nomination_target_unit_id_unit"), type_="foreignkey")
        batch.drop_constraint(
            batch.f("fk_nomination_replaced_by_id_nomination"), type_="foreignkey"
        )
        batch.drop_column("target_unit_id")
        batch.drop_column("replaced_by_id")
    with op.batch_alter_table("event_session") as batch:
        batch.drop_column("cancelled_at")
