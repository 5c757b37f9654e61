"""PostgreSQL: audit log and change feed partitioned by month

Revision ID: 0009_partitions
Revises: 0008
Create Date: 2026-12-03 06:10:00

Both tables only grow (one row per write); at national scale a year is hundreds of millions
of rows. Monthly range partitions keep each index small, let the feed's retention and the
audit log's archive drop a month as a file operation instead of deleting rows one by one,
and let a query bounded in time read only its months. Each table also gets a DEFAULT
partition, so a row outside the prepared months is stored, never refused
(``app.ops.partitions`` moves such rows when it prepares their month).
SQLite, the embedded default for small installations, keeps plain tables.

The conversion copies month by month and prints its progress: on a large database it runs
for minutes. Indexes and triggers (the audit log's append-only guard) are recreated from
the old table's own definitions, so nothing is lost in translation.
"""

import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009_partitions"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"audit_log": "at", "change": "committed_at"}
MONTHS_AHEAD = 3


def _month(d: date, add: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def _definitions(conn: sa.Connection, table: str) -> tuple[list[str], list[str]]:
    indexes = conn.execute(
        sa.text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = :t AND indexname NOT IN ("
            "  SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)"
            "  AND contype = 'p')"
        ),
        {"t": table},
    ).scalars()
    triggers = conn.execute(
        sa.text(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal AND tgparentid = 0"
        ),
        {"t": table},
    ).scalars()
    return list(indexes), list(triggers)


def _swap(conn: sa.Connection, table: str, column: str, partitioned: bool) -> None:
    q = f'"{table}"'
    indexes, triggers = _definitions(conn, table)
    old = f"{table}_old"
    conn.execute(sa.text(f'ALTER TABLE {q} RENAME TO "{old}"'))
    for name in conn.execute(
        sa.text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": old}
    ).scalars():
        conn.execute(sa.text(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_old"'))
    conn.execute(sa.text(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY NONE'))
    if partitioned:
        conn.execute(
            sa.text(
                f'CREATE TABLE {q} (LIKE "{old}" INCLUDING DEFAULTS, '
                f'PRIMARY KEY (id, "{column}")) PARTITION BY RANGE ("{column}")'
            )
        )
        _copy_by_month(conn, table, column, old)
    else:
        conn.execute(
            sa.text(f'CREATE TABLE {q} (LIKE "{old}" INCLUDING DEFAULTS, PRIMARY KEY (id))')
        )
        conn.execute(sa.text(f'INSERT INTO {q} SELECT * FROM "{old}"'))
    conn.execute(sa.text(f'DROP TABLE "{old}"'))
    conn.execute(sa.text(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY {q}.id'))
    for definition in indexes + triggers:
        # a partitioned table's indexes read "ON ONLY": that would skip the partitions
        conn.execute(sa.text(definition.replace(f"ON ONLY public.{table} ", f"ON public.{q} ")))


def _copy_by_month(conn: sa.Connection, table: str, column: str, old: str) -> None:
    first = conn.execute(sa.text(f'SELECT min("{column}") FROM "{old}"')).scalar()
    today = datetime.now(UTC).date()
    start = _month(first.date() if first else today)
    conn.execute(sa.text(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT'))
    month = start
    while month <= _month(today, MONTHS_AHEAD):
        upper = _month(month, 1)
        name = f"{table}_p{month:%Y_%m}"
        conn.execute(
            sa.text(
                f'CREATE TABLE "{name}" PARTITION OF "{table}" '
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{upper.isoformat()}')"
            )
        )
        copied = conn.execute(
            sa.text(
                f'INSERT INTO "{table}" SELECT * FROM "{old}" '
                f'WHERE "{column}" >= :lo AND "{column}" < :hi'
            ),
            {"lo": month, "hi": upper},
        ).rowcount
        if copied:
            print(f"{table}: {month:%Y-%m} {copied:,} dòng", file=sys.stderr)
        month = upper


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table, column in TABLES.items():
        _swap(conn, table, column, partitioned=True)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table, column in TABLES.items():
        _swap(conn, table, column, partitioned=False)
