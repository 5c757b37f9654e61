"""``bdtx backup`` / ``bdtx restore``: a consistent copy of a running service's database.

PostgreSQL: ``pg_dump --format=custom`` (one snapshot, readers and writers go on) and
``pg_restore``. SQLite: the online backup API, which copies a consistent snapshot page by
page while the service keeps writing (WAL), never a file copy that could tear.
A restore goes into an empty database unless ``force``: restoring over live data by mistake
is the one operation here nobody can undo.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, make_url

from app.core.db import make_engine

Progress = Callable[[int, int], None]  # pages done, pages in all (SQLite only)


class BackupError(Exception):
    """A failure the command reports in one line (exit code 1)."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite phải là một tệp.")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump reads it (no ``+psycopg``), the password in the environment."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            f"Không tìm thấy {tool}: cài gói postgresql-client cùng phiên bản máy chủ."
        )
    result = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} thất bại: {result.stderr.strip().splitlines()[-1:]}")


def backup(url: str, target: Path, progress: Progress | None = None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"Không có tệp cơ sở dữ liệu {source}.")
        _sqlite_copy(source, target, progress)
        return target
    dsn, env = _libpq(url)
    _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target), dsn], env)
    return target


def restore(
    url: str, source: Path, *, force: bool = False, progress: Progress | None = None
) -> None:
    if not source.exists():
        raise BackupError(f"Không có tệp sao lưu {source}.")
    if not force and _has_tables(url):
        raise BackupError(
            "Cơ sở dữ liệu đích đã có dữ liệu; khôi phục vào cơ sở trống, hoặc thêm --force."
        )
    if url.startswith("sqlite"):
        _sqlite_copy(source, _sqlite_path(url), progress)
        return
    dsn, env = _libpq(url)
    args = ["--no-owner", "--exit-on-error", "--dbname", dsn, str(source)]
    if force:
        args = ["--clean", "--if-exists", *args]
    _run("pg_restore", args, env)


def _has_tables(url: str) -> bool:
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        return False
    engine = make_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, target: Path, progress: Progress | None) -> None:
    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        # 1,024 pages a step: other connections may write between steps (online backup)
        src.backup(dst, pages=1024, progress=report)
