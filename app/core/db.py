"""Engine and session handling.

The request's session is committed exactly once, by the route class in ``app.core.routing``,
before the response is sent; services only ``flush()``.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlmodel import Session

from app.core.config import get_settings

WRITE_OPTION = "bdtx_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see make_engine)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # pysqlite's own transaction handling is off (see _sqlite_pragmas); a writing request takes
    # the write lock up front, so two writers queue on busy_timeout instead of one failing
    # with "database is locked" when it upgrades a read lock. Readers never wait (WAL).
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, settings.sql_echo)


@lru_cache
def get_write_engine() -> Engine:
    return get_engine().execution_options(**{WRITE_OPTION: True})


def get_read_engine() -> Engine:
    """Reads on PostgreSQL run without BEGIN and ROLLBACK: two of the five round trips of a
    primary-key read (docs/performance.md). READ COMMITTED gives each statement its own
    snapshot inside a transaction too, so a read sees the same. Autoflush is off for reads:
    their only write (an API key's ``last_used_at``) is flushed by the route's commit, after
    a successful response, as before."""
    return _autocommit(get_engine())


@lru_cache
def _autocommit(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; committed by ``TransactionalRoute``, closed here."""
    safe = request.method in SAFE_METHODS
    bind = get_read_engine() if safe else get_write_engine()
    with Session(bind, expire_on_commit=False, autoflush=not safe) as session:
        request.state.db = session
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
