"""Growth: do the audit log's query by target and the feed's next page stay flat over a year?

    .venv/bin/python -m bench.growth [--rows-per-month 250000] [--months 12]

On a fresh PostgreSQL database (migrated, so both tables are partitioned by month) it adds a
month of synthetic audit and feed rows at a time, oldest first, and after the first month
and after the last times the two statements the API runs (medians of 51 runs each, random
targets and cursors). "Flat" is the last figure over the first. The database is dropped.
"""

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, create_engine, make_url, text

from app.core.migrate import upgrade
from app.ops import partitions

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STAFF = 1_200_000  # national scale: targets drawn from this many staff ids
AUDIT_BY_TARGET = text(
    "SELECT * FROM audit_log WHERE target_type = 'staff' AND target_id = :target "
    "ORDER BY id DESC LIMIT 51"
)
FEED_PAGE = text("SELECT * FROM change WHERE id > :after ORDER BY id LIMIT 101")


def _fill_month(conn: Connection, month: datetime, rows: int) -> None:
    params = {"start": month, "rows": rows, "staff": STAFF}
    spread = "(:start + (random() * interval '27 days'))"
    conn.execute(
        text(
            "INSERT INTO audit_log (at, action, change, target_type, target_id, target_unit_id, "
            "outcome, status_code, after) "
            f"SELECT {spread}, 'staff-update', 'update', 'staff', "
            "(random() * :staff)::int + 1, (random() * 20000)::int + 1, 'ok', 200, "
            "json_build_object('full_name', 'Nguyễn Văn ' || g) FROM generate_series(1, :rows) g"
        ),
        params,
    )
    conn.execute(
        text(
            "INSERT INTO change (committed_at, op, resource, resource_id, unit_id, version, data) "
            f"SELECT {spread}, 'update', 'staff', (random() * :staff)::int + 1, "
            "(random() * 20000)::int + 1, 2, json_build_object('id', g) "
            "FROM generate_series(1, :rows) g"
        ),
        params,
    )
    conn.execute(text("ANALYZE audit_log; ANALYZE change"))


def _median_ms(conn: Connection, run: Callable[[], object], repeat: int = 51) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(conn: Connection, rng: random.Random) -> dict[str, float]:
    high = conn.execute(text("SELECT max(id) FROM change")).scalar() or 1
    return {
        "audit_by_target_ms": _median_ms(
            conn,
            lambda: conn.execute(AUDIT_BY_TARGET, {"target": rng.randint(1, STAFF)}).all(),
        ),
        "feed_next_page_ms": _median_ms(
            conn, lambda: conn.execute(FEED_PAGE, {"after": rng.randint(1, high)}).all()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows-per-month", type=int, default=250_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--pg", default=PG_URL)
    args = parser.parse_args()
    name = f"bdtx_growth_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    rng = random.Random(2025)
    try:
        upgrade(url)
        now = datetime.now(UTC)
        first = partitions.month_start(now.date(), -(args.months - 1))
        figures = {}
        for index in range(args.months):
            month = partitions.month_start(first, index)
            started = time.perf_counter()
            with engine.begin() as conn:
                partitions.prepare(conn, month, months_ahead=0)
                _fill_month(
                    conn, datetime(month.year, month.month, 1, tzinfo=UTC), args.rows_per_month
                )
            print(
                f"{month:%Y-%m}: +{args.rows_per_month:,} audit, +{args.rows_per_month:,} feed "
                f"({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            if index in (0, args.months - 1):
                with engine.connect() as conn:
                    figures[index + 1] = _measure(conn, rng)
        last = args.months
        for key in ("audit_by_target_ms", "feed_next_page_ms"):
            one, year = figures[1][key], figures[last][key]
            print(
                f"{key:<22} 1 month {one:7.2f} ms, {last} months {year:7.2f} ms: {year / one:.2f}x"
            )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
