"""Monthly partitions of the audit log and the change feed (PostgreSQL; see migration 0009).

``prepare`` creates the partitions of this month and the next ``MONTHS_AHEAD`` (at start-up,
by ``bdtx migrate`` and ``bdtx partitions``, and daily by the worker); a row that arrives
for a month not yet prepared waits in the DEFAULT partition and is moved when its month is
prepared. ``drop_expired_feed`` applies ``BDTX_CHANGE_RETENTION_MONTHS``; ``archive_audit``
writes whole months of the audit log to compressed CSV files and only then drops them.
SQLite keeps plain tables: every function here does nothing there.
"""

import csv
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

TABLES = {"audit_log": "at", "change": "committed_at"}
MONTHS_AHEAD = 3
Say = Callable[[str], None]


def month_start(d: date, add: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    lower: date
    upper: date


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t)"),
        {"t": f'"{table}"'},
    ).first()
    return found is not None


def partitions(conn: Connection, table: str) -> list[Partition]:
    """The month partitions of ``table``, oldest first (not the DEFAULT one)."""
    rows = conn.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t) "
            "ORDER BY c.relname"
        ),
        {"t": f'"{table}"'},
    ).all()
    found = []
    for name, bound in rows:
        if bound == "DEFAULT":
            continue
        # FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')
        lower, upper = (part.split("'")[1][:10] for part in bound.split(" TO "))
        found.append(Partition(table, name, date.fromisoformat(lower), date.fromisoformat(upper)))
    return sorted(found, key=lambda p: p.lower)


def prepare(conn: Connection, today: date, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the missing month partitions from ``today``'s month on; names created."""
    created: list[str] = []
    for table, column in TABLES.items():
        if not is_partitioned(conn, table):
            continue
        have = {p.lower for p in partitions(conn, table)}
        for ahead in range(months_ahead + 1):
            lower = month_start(today, ahead)
            if lower not in have:
                created.append(_create(conn, table, column, lower))
    return created


def _create(conn: Connection, table: str, column: str, lower: date) -> str:
    """One month's partition, taking over the rows that waited for it in DEFAULT.

    PostgreSQL refuses to create a partition whose range has rows in the DEFAULT partition,
    so the rows go into a plain table first, which is then attached. Moving them out of
    DEFAULT is a DELETE there: the audit log's append-only trigger is set aside for exactly
    that statement, inside the same transaction.
    """
    upper = month_start(lower, 1)
    name = f"{table}_p{lower:%Y_%m}"
    default = f'"{table}_default"'
    bounds = {"lo": lower, "hi": upper}
    conn.execute(text(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS)'))
    waiting = conn.execute(
        text(f'SELECT 1 FROM {default} WHERE "{column}" >= :lo AND "{column}" < :hi LIMIT 1'),
        bounds,
    ).first()
    if waiting:
        conn.execute(text(f"ALTER TABLE {default} DISABLE TRIGGER USER"))
        conn.execute(
            text(
                f'WITH moved AS (DELETE FROM {default} WHERE "{column}" >= :lo '
                f'AND "{column}" < :hi RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'
            ),
            bounds,
        )
        conn.execute(text(f"ALTER TABLE {default} ENABLE TRIGGER USER"))
    conn.execute(
        text(
            f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" '
            f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
        )
    )
    return name


def drop_expired_feed(conn: Connection, today: date, keep_months: int) -> list[str]:
    """Drop change-feed months that ended before the retention window; names dropped."""
    if keep_months <= 0 or not is_partitioned(conn, "change"):
        return []
    horizon = month_start(today, -keep_months)
    dropped = []
    for part in partitions(conn, "change"):
        if part.upper <= horizon:
            _raise_horizon(conn, part.name)
            conn.execute(text(f'DROP TABLE "{part.name}"'))
            dropped.append(part.name)
    return dropped


def _raise_horizon(conn: Connection, partition: str) -> None:
    """Remember the newest id about to be dropped, so the feed can tell a reader whose
    cursor lies before it that changes are gone (410) instead of skipping them silently."""
    conn.execute(
        text(
            f"INSERT INTO change_horizon (id, dropped_through) SELECT 1, coalesce(max(id), 0) "
            f'FROM "{partition}" ON CONFLICT (id) DO UPDATE SET dropped_through = '
            "greatest(change_horizon.dropped_through, excluded.dropped_through)"
        )
    )


def archive_audit(engine: Engine, before: date, out: Path, say: Say = print) -> list[Path]:
    """Write each audit month that ends on or before ``before`` to ``out/<name>.csv.gz``,
    check the file's row count against the table, then drop that month. A month whose file
    cannot be written or checked stays in the database."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        months = [p for p in partitions(conn, "audit_log") if p.upper <= before]
    for part in months:
        path = out / f"{part.name}.csv.gz"
        with engine.begin() as conn:
            rows = _write_csv(conn, part.name, path)
            count = conn.execute(text(f'SELECT count(*) FROM "{part.name}"')).scalar()
            if rows != count:
                raise RuntimeError(f"{path}: {rows} dòng, bảng có {count}: giữ lại tháng này")
            conn.execute(text(f'DROP TABLE "{part.name}"'))
        say(f"{part.name}: {rows:,} dòng → {path}")
        written.append(path)
    return written


def _write_csv(conn: Connection, table: str, path: Path) -> int:
    """COPY the month out as CSV with a header; the number of records written."""
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    sql = f'COPY "{table}" TO STDOUT WITH (FORMAT csv, HEADER true)'
    with gzip.open(path, "wb") as f, cursor, cursor.copy(sql) as copy:
        for data in copy:
            f.write(bytes(data))
    # records, not lines: a JSON value with a newline inside quotes is one record
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def maintain(engine: Engine, today: date, keep_feed_months: int) -> list[str]:
    """What start-up, ``bdtx migrate`` and the worker run: prepare, then apply retention."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as conn:
        done = prepare(conn, today)
        done += [f"-{name}" for name in drop_expired_feed(conn, today, keep_feed_months)]
    return done
