"""Many rows into one table, handed to the database driver as data.

SQLAlchemy's Core ``executemany`` builds every row's full parameter set in Python (defaults,
each value through its type's bind processor), and on SQLite it cannot batch an ``INSERT ...
RETURNING`` whose ids must follow the rows' order: it runs one statement per row. Here each
column's values are bound once per distinct value object, then PostgreSQL takes the rows
through ``COPY`` and SQLite through one ``executemany`` of a single prepared statement. Used
by the bulk imports and by the audit log and the change feed, which write a row per change.

Values go through the same bind processors as in an INSERT; columns the rows leave out get
their Python-side default (the same value for every row), or the server's when they have none.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session

# From this many rows on, rows go to the driver as data; fewer take the ordinary statements.
MANY = 50
# Rows per INSERT ... RETURNING on other databases: under every bound-parameter limit.
_BATCH = 500

_UNSEEN = object()


def _bound(process: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``process`` over a column's values, once per run of the same object: the rows of an
    import share their timestamps and enum members, and a datetime's bind processing (to
    UTC, then to text on SQLite) costs more than the rest of its row."""
    out: list[Any] = []
    last: Any = _UNSEEN
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, process(value)
        out.append(done)
    return out


def _python_default(column: Any) -> bool:
    default = column.default
    return default is not None and bool(default.is_scalar or default.is_callable)


def _column_default(column: Any) -> Any:
    """The Python-side default an INSERT would fill in (``version``, an empty JSON list)."""
    default = column.default
    return default.arg(None) if default.is_callable else default.arg


def _driver_rows(
    conn: Connection, table: Any, params: list[dict[str, Any]], ids: Sequence[int] | None
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The column names and each row's values as the driver takes them; ``id`` first when
    ``ids`` are given, else left to the table's own default (its sequence, SQLite's rowid)."""
    keys = params[0]
    given = [c for c in table.columns if c.name in keys and c.name != "id"]
    filled = [c for c in table.columns if c.name not in keys and c.name != "id"]
    filled = [c for c in filled if _python_default(c)]
    dialect = conn.dialect
    columns: list[Iterable[Any]] = [] if ids is None else [ids]
    for col in given:
        process = col.type._cached_bind_processor(dialect)
        values = [row[col.name] for row in params]
        columns.append(_bound(process, values) if process else values)
    for col in filled:
        process = col.type._cached_bind_processor(dialect)
        value = _column_default(col)
        columns.append(repeat(process(value) if process else value, len(params)))
    names = [*([] if ids is None else ["id"]), *(c.name for c in given), *(c.name for c in filled)]
    return names, zip(*columns, strict=False)


def _copy(conn: Connection, table: Any, names: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    columns = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(
    conn: Connection, table: Any, names: list[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        cur.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)
    finally:
        cur.close()


def copy_returning(conn: Connection, table: Any, params: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: ids taken from the table's sequence in one statement, then ``COPY``.

    A multi-row INSERT of this size costs psycopg more to parse in Python than PostgreSQL to
    run (a quarter of an import's time, docs/performance.md); COPY sends the rows as data.
    """
    ids = sorted(
        conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(params)},
        ).scalars()
    )
    _copy(conn, table, *_driver_rows(conn, table, params, ids))
    return ids


def sqlite_returning(
    session: Session, conn: Connection, table: Any, params: list[dict[str, Any]]
) -> list[int]:
    """SQLite: the first row inserted as usual, the rest with ids assigned here.

    Once the first row is in, this transaction holds SQLite's only write lock, so every id
    above the table's current maximum stays free until the commit.
    """
    first = session.execute(insert(table).returning(table.c.id), params[0]).scalar_one()
    top = conn.execute(select(func.max(table.c.id))).scalar_one()
    ids = [first, *range(top + 1, top + len(params))]
    _executemany(conn, table, *_driver_rows(conn, table, params[1:], ids[1:]))
    return ids


def insert_many(session: Session, table: Any, params: list[dict[str, Any]]) -> None:
    """Insert ``params`` (same keys in each), ids from the table's own default, in order."""
    if not params:
        return
    conn = session.connection()
    if len(params) < MANY or conn.dialect.name not in ("postgresql", "sqlite"):
        session.execute(insert(table), params)
        return
    write = _copy if conn.dialect.name == "postgresql" else _executemany
    write(conn, table, *_driver_rows(conn, table, params, None))


def insert_returning(session: Session, table: Any, params: list[dict[str, Any]]) -> list[int]:
    """Insert ``params`` (same keys in each); the new ids in the order of ``params``.

    From ``MANY`` rows on, the rows go to the driver as data with their ids assigned here,
    else (and on other databases) as ``INSERT ... RETURNING`` statements.
    """
    if not params:
        return []
    conn = session.connection()
    if len(params) >= MANY and conn.dialect.name == "postgresql":
        return copy_returning(conn, table, params)
    if len(params) >= MANY and conn.dialect.name == "sqlite":
        return sqlite_returning(session, conn, table, params)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(params), _BATCH):
        ids += session.execute(stmt, params[start : start + _BATCH]).scalars().all()
    return ids
