"""PostgreSQL: the audit log and change feed by month, across month boundaries, with
retention for the feed and an archive for the audit log."""

import csv
import gzip
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from app.core.db import make_engine
from app.core.migrate import alembic_config
from app.core.model_base import utcnow
from app.ops import partitions
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="partitions exist on PostgreSQL only")


@pytest.fixture
def pg(fresh_database_url: Callable[[], str]) -> Iterator[Engine]:
    from alembic import command

    engine = make_engine(fresh_database_url())
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    yield engine
    engine.dispose()


def _audit(engine: Engine, at: datetime, action: str = "test-partition") -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, action, outcome, status_code) "
                "VALUES (:at, :action, 'ok', 200)"
            ),
            {"at": at, "action": action},
        )


def _home(engine: Engine, table: str, where: str, params: dict[str, object]) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(f"SELECT tableoid::regclass::text FROM {table} WHERE {where}"), params
            ).scalars()
        )


def test_tables_are_partitioned_by_month_ahead(pg: Engine) -> None:
    this_month = partitions.month_start(utcnow().date())
    with pg.connect() as conn:
        for table in partitions.TABLES:
            assert partitions.is_partitioned(conn, table)
            months = {p.lower for p in partitions.partitions(conn, table)}
            assert {partitions.month_start(this_month, k) for k in range(4)} <= months


def test_a_row_on_each_side_of_a_month_boundary(pg: Engine) -> None:
    boundary = datetime.combine(
        partitions.month_start(utcnow().date(), 1), datetime.min.time(), UTC
    )
    _audit(pg, boundary - timedelta(microseconds=1), "before-boundary")
    _audit(pg, boundary, "at-boundary")
    old = f"audit_log_p{partitions.month_start(utcnow().date()):%Y_%m}"
    new = f"audit_log_p{boundary:%Y_%m}"
    assert _home(pg, "audit_log", "action = :a", {"a": "before-boundary"}) == [old]
    assert _home(pg, "audit_log", "action = :a", {"a": "at-boundary"}) == [new]


def test_a_month_not_prepared_waits_in_default_then_moves(pg: Engine) -> None:
    later = partitions.month_start(utcnow().date(), 6)
    at = datetime.combine(later, datetime.min.time(), UTC) + timedelta(days=3)
    _audit(pg, at, "far-ahead")
    assert _home(pg, "audit_log", "action = 'far-ahead'", {}) == ["audit_log_default"]
    with pg.begin() as conn:
        created = partitions.prepare(conn, later, months_ahead=0)
    assert created == [f"audit_log_p{later:%Y_%m}", f"change_p{later:%Y_%m}"]
    assert _home(pg, "audit_log", "action = 'far-ahead'", {}) == [f"audit_log_p{later:%Y_%m}"]
    # the moved row is as append-only as ever, and so is the next one that waits in DEFAULT
    _audit(pg, at + timedelta(days=62), "farther-ahead")
    for table in (f"audit_log_p{later:%Y_%m}", "audit_log_default"):
        with pytest.raises(DBAPIError, match="append-only"), pg.begin() as conn:
            conn.execute(text(f"DELETE FROM {table}"))
    with pg.begin() as conn:  # a second run creates nothing
        assert partitions.prepare(conn, later, months_ahead=0) == []


def test_feed_retention_drops_whole_old_months(pg: Engine) -> None:
    today = utcnow().date()
    old = partitions.month_start(today, -14)
    with pg.begin() as conn:
        partitions.prepare(conn, old, months_ahead=0)
        conn.execute(
            text(
                "INSERT INTO change (committed_at, op, resource) VALUES "
                "(:old, 'create', 'staff'), (:now, 'create', 'staff')"
            ),
            {"old": datetime.combine(old, datetime.min.time(), UTC), "now": utcnow()},
        )
        old_id = conn.execute(text("SELECT min(id) FROM change")).scalar()
    assert partitions.maintain(pg, today, keep_feed_months=12) == [f"-change_p{old:%Y_%m}"]
    with pg.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM change")).scalar()
        assert left == 1
        # the feed remembers what it dropped: older cursors are answered 410
        horizon = conn.execute(text("SELECT dropped_through FROM change_horizon")).scalar()
        assert horizon == old_id
        assert partitions.maintain(pg, today, keep_feed_months=0) == []  # 0 keeps all


def test_audit_archive_writes_then_drops_old_months(pg: Engine, tmp_path: Path) -> None:
    old = partitions.month_start(utcnow().date(), -3)
    with pg.begin() as conn:
        partitions.prepare(conn, old, months_ahead=0)
    base = datetime.combine(old, datetime.min.time(), UTC)
    for i in range(3):
        _audit(pg, base + timedelta(hours=i), f"archived-{i}")
    lines: list[str] = []
    written = partitions.archive_audit(pg, date(old.year, old.month, 2), tmp_path, lines.append)
    assert written == []  # the month has not ended before that date: kept
    written = partitions.archive_audit(pg, partitions.month_start(old, 1), tmp_path, lines.append)
    assert [p.name for p in written] == [f"audit_log_p{old:%Y_%m}.csv.gz"]
    with gzip.open(written[0], "rt", encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    assert sorted(r["action"] for r in records) == ["archived-0", "archived-1", "archived-2"]
    with pg.connect() as conn:
        names = [p.name for p in partitions.partitions(conn, "audit_log")]
    assert f"audit_log_p{old:%Y_%m}" not in names
    assert "3 dòng" in lines[0]
