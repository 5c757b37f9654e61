"""Fast row loading for the generator: COPY on PostgreSQL, Core executemany on SQLite.

Rows are dicts keyed by column name with their Python values; columns a row leaves out get
the column's default (``version`` 1, empty JSON lists, ...), so every NOT NULL column is
filled the way the ORM would fill it. Ids are assigned by the generator, which is why no
statement needs RETURNING and PostgreSQL can take the rows through COPY.
"""

import enum
import json
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, func, select, text

CHUNK = 5000


def _column_default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return None


def _copy_value(value: Any, is_json: bool) -> Any:
    if is_json:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, enum.Enum):
        return value.value
    return value


class Writer:
    """Buffers nothing: each ``insert`` writes its rows at once, in chunks."""

    def __init__(self, conn: Connection, progress: bool | Callable[[str], None] = True) -> None:
        self.conn = conn
        self.is_pg = conn.dialect.name == "postgresql"
        self.progress = progress
        self.started = time.perf_counter()
        self.counts: dict[str, int] = {}

    def next_id(self, table: sa.Table) -> int:
        """The first free id of ``table`` (1 on an empty database)."""
        return int(self.conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1

    def insert(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
        columns = list(table.columns)
        defaults = {c.name: _column_default(c) for c in columns}
        chunk: list[dict[str, Any]] = []
        written = 0
        for row in rows:
            chunk.append({name: row.get(name, default) for name, default in defaults.items()})
            if len(chunk) >= CHUNK:
                written += self._write(table, chunk)
                chunk = []
        if chunk:
            written += self._write(table, chunk)
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written

    def _write(self, table: sa.Table, rows: list[dict[str, Any]]) -> int:
        if self.is_pg:
            self._copy(table, rows)
        else:
            self.conn.execute(table.insert(), rows)
        return len(rows)

    def _copy(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        names = [c.name for c in table.columns]
        json_cols = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        raw = self.conn.connection.driver_connection
        assert raw is not None
        quoted = ", ".join(f'"{n}"' for n in names)
        with (
            raw.cursor() as cur,
            cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([_copy_value(row[n], n in json_cols) for n in names])

    def fix_sequences(self, tables: Iterable[sa.Table]) -> None:
        """PostgreSQL: move each id sequence past the ids the generator chose."""
        if not self.is_pg:
            return
        for table in tables:
            if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
                continue
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )

    def analyze(self) -> None:
        """Fresh planner statistics: the first reports after a load must not guess."""
        self.conn.execute(text("ANALYZE"))

    def say(self, phase: str, rows: int | None = None, since: float | None = None) -> None:
        if not self.progress:
            return
        now = time.perf_counter()
        line = f"[{now - self.started:6.1f} s] {phase}"
        if rows is not None:
            line += f": {rows:,} rows"
            if since is not None and now > since:
                line += f" ({rows / (now - since):,.0f} rows/s)"
        if callable(self.progress):  # the CLI draws its own progress line
            self.progress(line)
        else:
            print(line, file=sys.stderr, flush=True)


def as_json_safe(value: Any) -> Any:
    """Dates in JSON columns as ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
