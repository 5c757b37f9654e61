"""Reports read a real streaming replica, and the primary when it lags or is down."""

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.auth.models import Role
from app.core import config, db, replica
from app.main import create_app
from app.synthetic.generate import generate
from tests.conftest import PG_URL
from tests.factories import auth_headers, make_user
from tests.ops.pgcluster import Cluster, pg_bin, primary_and_replica

pytestmark = pytest.mark.skipif(
    not PG_URL or pg_bin() is None, reason="PostgreSQL run only (needs the server binaries)"
)


FIRST_OPEN = "SELECT * FROM violation WHERE status <> 'dismissed' ORDER BY id LIMIT 1"


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Cluster, Cluster]]:
    # not pytest's tmp_path: under root that directory is closed to the postgres user
    with primary_and_replica(Path(tempfile.mkdtemp(prefix="bdtx-pg-"))) as clusters:
        yield clusters


def _caught_up(primary: Cluster, standby: Cluster) -> None:
    with create_engine(primary.url(), isolation_level="AUTOCOMMIT").connect() as p:
        target = p.execute(text("SELECT pg_current_wal_lsn()")).scalar()
    with create_engine(standby.url(), isolation_level="AUTOCOMMIT").connect() as r:
        for _ in range(100):
            done = r.execute(
                text("SELECT pg_last_wal_replay_lsn() >= CAST(:t AS pg_lsn)"), {"t": target}
            ).scalar()
            if done:
                return
            time.sleep(0.1)
    raise TimeoutError("the replica did not catch up")


def _replay(standby: Cluster, action: str) -> None:
    with create_engine(standby.url(), isolation_level="AUTOCOMMIT").connect() as r:
        r.execute(text(f"SELECT pg_wal_replay_{action}()"))


@pytest.fixture
def service(
    pair: tuple[Cluster, Cluster], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Cluster, Cluster]]:
    primary, standby = pair
    with create_engine(primary.url(), isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bdtx WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE bdtx"))
    generate(primary.url("bdtx"), "tiny", progress=False)
    monkeypatch.setenv("BDTX_DATABASE_URL", primary.url("bdtx"))
    monkeypatch.setenv("BDTX_REPLICA_DATABASE_URL", standby.url("bdtx"))
    monkeypatch.setenv("BDTX_REPLICA_MAX_LAG_SECONDS", "3600")
    for cached in (config.get_settings, db.get_engine, db.get_write_engine):
        cached.cache_clear()
    replica.forget_replica_state()
    try:
        with Session(db.get_engine()) as s:
            headers = auth_headers(make_user(s, [(Role.admin, None)]))
            s.commit()
        _caught_up(primary, standby)
        with TestClient(create_app(), headers=headers, raise_server_exceptions=False) as c:
            yield c, primary, standby
    finally:
        _replay(standby, "resume")
        db.get_engine().dispose()
        engine = replica.get_replica_engine()
        if engine is not None:
            engine.dispose()
        monkeypatch.undo()
        for cached in (config.get_settings, db.get_engine, db.get_write_engine):
            cached.cache_clear()
        replica.forget_replica_state()


def _violations(c: TestClient, primary: Cluster) -> int:
    """Violations in the emulation report for the year the copied row belongs to."""
    with create_engine(primary.url("bdtx")).connect() as conn:
        year = conn.execute(text(FIRST_OPEN.replace("*", "school_year"))).scalar()
    report = c.get("/api/v1/reports/emulation", params={"school_year": year})
    assert report.status_code == 200, report.text
    return int(report.json()["totals"]["violations"])


def _new_violation(primary: Cluster) -> None:
    """A write the report counts, straight on the primary (the API path is not under test)."""
    with create_engine(primary.url("bdtx")).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO violation (kind, status, school_year, unit_id, staff_id, note, "
                "created_at, updated_at, version) "
                "SELECT 'nomination_mismatch', 'open', school_year, unit_id, staff_id, "
                "'kiểm thử bản sao', created_at, updated_at, 1 "
                + FIRST_OPEN.removeprefix("SELECT * ")
            )
        )


def test_reports_read_the_replica_while_it_is_fresh(
    service: tuple[TestClient, Cluster, Cluster],
) -> None:
    c, primary, standby = service
    before = _violations(c, primary)
    assert before > 0
    _replay(standby, "pause")
    _new_violation(primary)
    time.sleep(replica.CHECK_EVERY_S + 0.1)
    # the replica has not replayed the new row and is still within the allowed lag: the
    # report comes from it, and the primary's own count shows the difference
    assert _violations(c, primary) == before
    _replay(standby, "resume")
    _caught_up(primary, standby)
    time.sleep(replica.CHECK_EVERY_S + 0.1)
    assert _violations(c, primary) == before + 1


def test_reports_fall_back_to_the_primary_when_the_replica_lags(
    service: tuple[TestClient, Cluster, Cluster], monkeypatch: pytest.MonkeyPatch
) -> None:
    c, primary, standby = service
    before = _violations(c, primary)
    _replay(standby, "pause")
    _new_violation(primary)
    monkeypatch.setenv("BDTX_REPLICA_MAX_LAG_SECONDS", "0.5")
    config.get_settings.cache_clear()
    time.sleep(max(replica.CHECK_EVERY_S, 0.5) + 0.2)
    assert _violations(c, primary) == before + 1  # lag over the limit: the primary answered
    _replay(standby, "resume")
    _caught_up(primary, standby)
    time.sleep(replica.CHECK_EVERY_S + 0.1)
    assert _violations(c, primary) == before + 1  # caught up: the replica again, with the row


def test_reports_answer_from_the_primary_when_the_replica_is_down(
    service: tuple[TestClient, Cluster, Cluster],
) -> None:
    c, primary, standby = service
    before = _violations(c, primary)
    standby.stop()
    try:
        time.sleep(replica.CHECK_EVERY_S + 0.1)
        _new_violation(primary)
        assert _violations(c, primary) == before + 1
    finally:
        standby.start()
