"""The nation-scale BDTX report served from a streaming replica (issue 23).

    .venv/bin/python -m bench.replica [--scale nation] [--runs 7]

Builds a throwaway PostgreSQL primary and its streaming replica on free ports (the same
clusters the replica tests use, tests/ops/pgcluster.py), generates the scale into the
primary, waits until the replica has replayed it, then serves the API with
``BDTX_REPLICA_DATABASE_URL`` and times ``GET /api/v1/reports/bdtx`` for the whole country
over HTTP (medians). The same report is timed with the replica unset, on the primary, and the
replica's own counters (pg_stat_database) show that the first series was read there.
Everything is removed at the end. Needs the PostgreSQL server binaries (initdb).
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.__main__ import serve
from bench.figures import World
from bench.load import Client
from tests.ops.pgcluster import Cluster, primary_and_replica

DATABASE = "bdtx"
# the replica's reads of the report database: rows handed out by its scans and index reads
READS_SQL = text("SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = :db")


def _replica_reads(replica: Cluster) -> int:
    engine = create_engine(replica.url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        value = conn.execute(READS_SQL, {"db": DATABASE}).scalar()
    engine.dispose()
    return int(value or 0)


def _wait_replayed(primary: Cluster, replica: Cluster, timeout_s: float = 600) -> float:
    """Seconds until the replica has replayed everything the primary has written."""
    started = time.perf_counter()
    source = create_engine(primary.url("postgres"), isolation_level="AUTOCOMMIT")
    target = create_engine(replica.url("postgres"), isolation_level="AUTOCOMMIT")
    with source.connect() as p, target.connect() as r:
        lsn = p.execute(text("SELECT pg_current_wal_lsn()")).scalar()
        while time.perf_counter() - started < timeout_s:
            done = r.execute(
                text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn}
            ).scalar()
            if done:
                break
            time.sleep(0.5)
    source.dispose()
    target.dispose()
    return time.perf_counter() - started


def _series(port: int, world: World, path: str, runs: int) -> dict[str, Any]:
    client = Client(port, world.headers(world.admin_id))
    client.get(path)  # warm-up: connections, caches
    replies = [client.get(path) for _ in range(runs)]
    client.close()
    ms = sorted(r.seconds * 1000 for r in replies)
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "max_ms": round(ms[-1], 1),
        "status_200": all(r.status == 200 for r in replies),
    }


def measure(scale: str, runs: int, workdir: Path) -> dict[str, Any]:
    from app.synthetic.generate import generate

    with primary_and_replica(workdir) as (primary, replica):
        admin = create_engine(primary.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        url = primary.url(DATABASE)
        print(f"== sinh dữ liệu quy mô {scale} vào máy chủ chính ...", flush=True)
        started = time.perf_counter()
        counts = generate(url, scale, seed=1)
        out: dict[str, Any] = {"generate_s": round(time.perf_counter() - started, 1)}
        out["staff"] = counts.get("staff")
        out["replay_wait_s"] = round(_wait_replayed(primary, replica), 1)
        world = World.load(url)
        path = f"/api/v1/reports/bdtx?school_year={world.done_year}&unit_id={world.ministry_id}"
        replica_env = {"BDTX_REPLICA_DATABASE_URL": replica.url(DATABASE)}
        print("== báo cáo BDTX toàn quốc từ bản sao ...", flush=True)
        before = _replica_reads(replica)
        with serve("app.main:app", url, 1, replica_env) as port:
            out["from_replica"] = _series(port, world, path, runs)
        time.sleep(11)  # backends flush their statistics when idle
        out["replica_rows_read"] = _replica_reads(replica) - before
        print("== cùng báo cáo từ máy chủ chính ...", flush=True)
        before = _replica_reads(replica)
        with serve("app.main:app", url, 1, {}) as port:
            out["from_primary"] = _series(port, world, path, runs)
        time.sleep(11)
        out["replica_rows_read_without_it"] = _replica_reads(replica) - before
        world.dispose()
    out["served_by_replica"] = (
        out["replica_rows_read"] > 100 * out["replica_rows_read_without_it"] + 1000
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="nation", help="synthetic scale (default nation)")
    parser.add_argument("--runs", type=int, default=7, help="requests per series")
    args = parser.parse_args()
    # its own directory under /tmp: the clusters run as postgres, who must reach it
    # (primary_and_replica hands it to postgres and removes it at the end)
    result = measure(args.scale, args.runs, Path(tempfile.mkdtemp(prefix="bdtx-replica-")))
    for key, value in result.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
