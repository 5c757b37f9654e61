"""``python -m bench`` (or ``bench/run``): issue 9's figures, each beside its baseline.

For each backend (PostgreSQL, then SQLite): a fresh database, the province generated into
it, the app (uvicorn, 2 workers) and the raw-driver baseline (uvicorn, 2 workers) started
side by side, then the measurements. Prints a table and writes JSON to bench/results/.
"""

import argparse
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# Before any app import: the bench process signs tokens the servers must accept.
SECRET = "bench-" + secrets.token_hex(32)
SERVER_ENV = {
    "BDTX_ENV": "production",
    "BDTX_SECRET_KEY": SECRET,
    "BDTX_ACCESS_TOKEN_MINUTES": "600",
    "BDTX_IMPORT_MAX_ROWS": "50000",
    "BDTX_PAGE_MAX": "500",
}
os.environ.update(SERVER_ENV)

from bench import figures  # noqa: E402
from bench.load import Client  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fresh_database(kind: str, pg_admin: str) -> Iterator[str]:
    """An empty database, dropped (or deleted) afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bdtx-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, make_url, text

    name = f"bdtx_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(pg_admin), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serve(target: str, url: str, workers: int, extra: dict[str, str]) -> Iterator[int]:
    """``uvicorn target`` on a free port; yields the port once /healthz answers."""
    port = _free_port()
    env = {**os.environ, **SERVER_ENV, **extra, "BDTX_DATABASE_URL": url}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if Client(port).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{target} did not start")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


FIGURES = ("reads", "attendance", "reports", "concurrency", "import")


def wanted(args: argparse.Namespace, figure: str) -> bool:
    return args.only is None or figure in args.only.split(",")


def run_backend(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    from app.synthetic.generate import generate

    out: dict[str, Any] = {"backend": kind}
    with fresh_database(kind, args.pg) as url:
        print(f"\n== {kind}: sinh dữ liệu tỉnh ==", flush=True)
        started = time.perf_counter()
        counts = generate(url, "province", seed=args.seed)
        out["generate_province_s"] = round(time.perf_counter() - started, 1)
        out["rows"] = counts
        world = figures.World.load(url)
        extra = {"BENCH_SCOPE_ROOT": str(world.department_id)}
        with (
            serve("app.main:app", url, args.workers, extra) as app_port,
            serve("bench.peer_app:app", url, args.workers, extra) as peer_port,
            serve("bench.raw_app:app", url, args.workers, extra) as raw_port,
        ):
            if wanted(args, "reads"):
                out["reads"] = figures.reads(world, (app_port, peer_port, raw_port), args)
            if wanted(args, "attendance"):
                out["attendance"] = figures.attendance(world, app_port)
            if wanted(args, "reports"):
                out["reports"] = figures.reports(world, app_port, args)
            if wanted(args, "concurrency"):
                out["concurrency"] = figures.concurrency(world, app_port, args)
        if wanted(args, "import"):
            out["import"] = figures.imports(world, args)
        world.dispose()
    return out


def run_nation(args: argparse.Namespace) -> dict[str, Any]:
    from app.synthetic.generate import generate

    with fresh_database("postgresql", args.pg) as url:
        print("\n== postgresql: sinh dữ liệu toàn quốc ==", flush=True)
        started = time.perf_counter()
        counts = generate(url, "nation", seed=args.seed)
        out: dict[str, Any] = {"generate_nation_s": round(time.perf_counter() - started, 1)}
        out["rows"] = counts
        world = figures.World.load(url)
        out["report"] = figures.nation_report(world, args)
        world.dispose()
    return out


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "note": "other agents share these cores: prefer the ratios to the absolute figures",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--nation", action="store_true", help="also generate the nation (PG)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6.0, help="per read measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="read load threads")
    parser.add_argument("--clients", type=int, default=100, help="concurrent nominators (PG)")
    parser.add_argument(
        "--sqlite-clients",
        type=int,
        default=100,
        help="concurrent nominators on SQLite (writers queue: one at a time)",
    )
    parser.add_argument("--naive-rows", type=int, default=5000)
    parser.add_argument("--import-rows", type=int, default=25000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help=f"a comma-separated subset of {', '.join(FIGURES)}")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "args": vars(args) | {"pg": "<redacted>"},
        "backends": [],
    }
    for kind in filter(None, (k.strip() for k in args.backends.split(","))):
        report["backends"].append(run_backend(kind, args))
    if args.nation:
        report["nation"] = run_nation(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print()
    print(figures.table(report))
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return 0 if figures.all_checks_pass(report) else 1


if __name__ == "__main__":
    raise SystemExit(main())
