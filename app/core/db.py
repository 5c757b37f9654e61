"""Engine and session handling.

The request's session is committed exactly once, by the route class in ``app.web.routing``,
before the response is sent; services only ``flush()``.
"""

import time
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from psycopg.pq import TransactionStatus
from pydantic_core import from_json
from sqlalchemy import Connection, Dialect, Engine, create_engine, event, exc, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import greenlet_spawn
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.config import get_settings
from app.core.pg_cursor import LazyDescriptionCursor

WRITE_OPTION = "bdtx_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


T = TypeVar("T")


# JSON columns (a person's subjects, audit payloads) parsed by pydantic's compiled parser,
# not ``json.loads``: a page of 50 people parsed 50 documents in Python (issue 21)
JSON_OPTIONS = {"json_deserializer": from_json}


def make_engine(url: str, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **JSON_OPTIONS
        )
        return _sqlite_events(engine)
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, **JSON_OPTIONS)
    return _pool_events(engine)


def make_loop_engine(engine: Engine) -> Engine:
    """``engine``'s twin on the asynchronous driver (psycopg's async connection, aiosqlite),
    for the requests that run on the event loop (``runs_on_loop``).

    It is the async engine's synchronous face: the services stay written once, as plain
    calls, and run inside ``greenlet_spawn``, where every statement awaits the driver
    without a thread (SQLAlchemy's own asyncio layer works the same way)."""
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
        loop = create_async_engine(
            url, echo=engine.echo, connect_args={"timeout": 30}, **JSON_OPTIONS
        )
        return _sqlite_events(loop.sync_engine)
    # Reads only (``runs_on_loop``), so every connection of the pool is in autocommit from
    # the start (see ``get_read_engine``): an autocommit option per checkout would switch
    # each connection into autocommit and back, two more awaits per request.
    url = url.set(drivername="postgresql+psycopg")
    loop = create_async_engine(
        url,
        echo=engine.echo,
        pool_size=10,
        max_overflow=20,
        isolation_level="AUTOCOMMIT",
        connect_args={"cursor_factory": LazyDescriptionCursor},
        **JSON_OPTIONS,
    )
    _rollback_unless_idle(loop.sync_engine.dialect)
    return _pool_events(loop.sync_engine)


def _rollback_unless_idle(dialect: Dialect) -> None:
    """Skip the ROLLBACKs SQLAlchemy asks for when a read's connection holds no transaction.

    In autocommit a read's session ends with two of them (the connection's, then the pool's
    reset), and psycopg would return at once from each, but only after taking the
    connection's lock and a greenlet switch to the loop and back: about 15 µs of a 750 µs
    read (issue 21). A read that did open a transaction (a report's snapshot) is rolled
    back as before."""
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        status = dbapi_connection.driver_connection.info.transaction_status
        if status != TransactionStatus.IDLE:
            rollback(dbapi_connection)

    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def make_test_loop_engine(engine: Engine) -> Engine:
    """The tests' reads: the engine's own synchronous driver, whose statements run in the
    greenlet without awaiting. The tests run an event loop per TestClient, several at once
    in threads, and an async engine belongs to one loop: its first connections wait on an
    asyncio lock (SQLAlchemy's once-per-engine setup), which then belongs to whichever loop
    took it first, and a request from another loop waited for ever or failed ("bound to a
    different event loop"; tests/changes/test_reorganisation.py). A service runs one loop
    per process; the servers the tests start run as a service does (tests/test_readme.py,
    the two workers of tests/auth/test_grant_cache.py)."""
    return autocommit(engine)


def _sqlite_events(engine: Engine) -> Engine:
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _pool_events(engine: Engine) -> Engine:
    event.listen(engine.pool, "connect", _note_checkin)  # a fresh connection needs no ping
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


# A pooled connection that has been idle this long is pinged before use: the server may
# have restarted or a firewall dropped it meanwhile. One in steady use is not (SQLAlchemy's
# pool_pre_ping pings on every checkout: a round trip on every request, a fifth of a
# primary-key read, docs/performance.md). A connection that breaks mid-use is still
# detected by SQLAlchemy and discarded with the rest of its pool.
PING_AFTER_IDLE_S = 5.0


def _note_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("checked_in_at")
    if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dialect.do_ping(dbapi_conn)  # as pool_pre_ping would: in autocommit, no transaction left
    except Exception as error:
        # the pool discards this connection and checks out (or opens) another
        raise exc.DisconnectionError() from error


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


def get_loop_engine() -> Engine:
    """The request engine of routes that run on the event loop (``make_loop_engine``)."""
    return loop_twin(get_engine())


@lru_cache
def loop_twin(engine: Engine) -> Engine:
    """``engine``'s twin on the asynchronous driver, one per engine."""
    make = make_test_loop_engine if get_settings().env == "test" else make_loop_engine
    return make(engine)


def get_read_engine() -> Engine:
    """Reads on PostgreSQL run without BEGIN and ROLLBACK: two of the five round trips of a
    primary-key read (docs/performance.md). READ COMMITTED gives each statement its own
    snapshot inside a transaction too, so a read sees the same. Autoflush is off for reads:
    their only write (an API key's ``last_used_at``) is flushed by the route's commit, after
    a successful response, as before."""
    return autocommit(get_engine())


@lru_cache
def autocommit(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def runs_on_loop(request: Request) -> bool:
    """Whether the request's route runs its endpoint on the event loop (reads, see
    ``app.core.routing.in_one_hop``); the others run in the thread pool."""
    return bool(getattr(request.scope.get("route"), "on_loop", False))


async def run_db(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, plain database code, where the request's session can run it: in a
    greenlet on the loop for a route on the loop, else in the thread pool."""
    if runs_on_loop(request):
        return await greenlet_spawn(fn, *args)
    return await run_in_threadpool(fn, *args)


def open_session(request: Request) -> Session:
    """The request's session, opened at the first ask: no I/O until its first statement.

    ``get_session`` and ``get_actor`` (which needs it only when the caller is not cached)
    share it. ``app.state.session_factory``, when set, makes it instead (the tests bind
    their sessions to a transaction they roll back)."""
    existing: Session | None = getattr(request.state, "db", None)
    if existing is not None:
        return existing
    factory = getattr(request.app.state, "session_factory", None)
    session = _new_session(request) if factory is None else factory(request)
    request.state.db = session
    return session


def _new_session(request: Request) -> Session:
    safe = request.method in SAFE_METHODS
    if runs_on_loop(request):
        bind = get_loop_engine()
    else:
        bind = get_read_engine() if safe else get_write_engine()
    return Session(bind, expire_on_commit=False, autoflush=not safe)


async def get_session(request: Request) -> Session:
    """One session per request; committed and closed by ``TransactionalRoute`` once the
    endpoint has answered (``app.web.routing``), which every route taking it uses
    (tests/test_read_path.py).

    A plain coroutine on purpose: FastAPI runs a generator dependency's exit through an
    exit stack and a shielded context manager, as much Python as a read's own endpoint
    (issue 21). Opening does no I/O; closing hands the connection back to the pool.
    """
    return open_session(request)


async def close_session(request: Request, session: Session) -> None:
    """Close ``session``: on the loop in a greenlet (its driver awaits), else directly."""
    if runs_on_loop(request):
        await greenlet_spawn(session.close)
    else:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
