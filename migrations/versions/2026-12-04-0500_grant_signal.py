"""grant_signal: every change to who may do what tells the workers' grant caches (issue 21)

Triggers, so that every path that writes these tables is seen (the ORM, Core, bulk COPY, a
person at psql): users (name, password, staff record, active), role assignments, API keys
(not their ``last_used_at``), and a staff record's unit (the caller's own unit).
PostgreSQL: ``pg_notify('bdtx_grants')``, delivered to the listening workers at commit.
SQLite: a counter in ``grant_version``, which the workers read only after
``PRAGMA data_version`` says another connection committed something.

Revision ID: 0017_grant_signal
Revises: 0016_change_horizon
Create Date: 2026-12-04 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_grant_signal"
down_revision: str | None = "0016_change_horizon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the events that change a caller's grants)
WATCHED = (
    ("app_user", "UPDATE OF username, password_hash, staff_id, is_active OR DELETE"),
    ("role_assignment", "INSERT OR UPDATE OR DELETE"),
    ("api_key", "INSERT OR DELETE OR UPDATE OF role, unit_id, key_hash, prefix, revoked_at"),
    ("staff", "UPDATE OF unit_id OR DELETE"),
)


def upgrade() -> None:
    op.create_table(
        "grant_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_version")),
    )
    op.execute("INSERT INTO grant_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bdtx_grants_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_notify('bdtx_grants', TG_TABLE_NAME); RETURN NULL; END $$"
        )
        for table, events in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_grants_changed AFTER {events} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bdtx_grants_changed()"
            )
        return
    for table, events in WATCHED:
        # SQLite: one trigger per event kind, FOR EACH ROW only
        for n, kind in enumerate(events.split(" OR ")):
            op.execute(
                f"CREATE TRIGGER {table}_grants_changed_{n} AFTER {kind} ON {table} "
                "BEGIN INSERT INTO grant_version (id, version) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = version + 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _ in WATCHED:
            op.execute(f"DROP TRIGGER {table}_grants_changed ON {table}")
        op.execute("DROP FUNCTION bdtx_grants_changed()")
    else:
        for table, events in WATCHED:
            for n in range(len(events.split(" OR "))):
                op.execute(f"DROP TRIGGER {table}_grants_changed_{n}")
    op.drop_table("grant_version")
