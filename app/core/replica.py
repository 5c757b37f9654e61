"""Reports and exports read a streaming replica when one is configured and fresh enough.

Why only they: a report scans a province's rows, the load a replica exists to take; every
other read may follow the caller's own write (create, then read back) and a replica lags by
design, so those read the primary. A replica that lags more than
``BDTX_REPLICA_MAX_LAG_SECONDS`` or fails to answer is skipped, never an error: the primary
answers instead. Its state is checked at most once a second per process, so a report pays
one cheap query a second, not one per request.
"""

import logging
import threading
import time
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.config import get_settings
from app.core.db import (
    SessionDep,
    autocommit,
    close_session,
    loop_twin,
    make_engine,
    runs_on_loop,
)

log = logging.getLogger("bdtx.replica")
CHECK_EVERY_S = 1.0

# Seconds the replica is behind: zero when it has replayed all it received (an idle primary
# sends nothing, so the last replay time alone would read as lag); otherwise the age of the
# last replayed commit. NULL on a server that is not a standby.
LAG_SQL = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


@lru_cache
def get_replica_engine() -> Engine | None:
    configured = get_settings().replica_database_url
    if not configured:
        return None
    url = make_url(configured)
    if url.get_backend_name() == "postgresql":
        # a short connect timeout: a replica that is down must not hold a report for long
        # (in the URL, so the engine for reads on the loop has it too: app.core.db.loop_twin)
        url = url.update_query_dict({"connect_timeout": "2"})
    return autocommit(make_engine(url.render_as_string(hide_password=False)))


class _Health:
    lock = threading.Lock()
    checked_at = float("-inf")
    usable = False


def replica_lag(engine: Engine) -> float | None:
    with engine.connect() as conn:
        lag = conn.execute(LAG_SQL).scalar()
    return None if lag is None else float(lag)


def fresh_replica() -> Engine | None:
    """The replica engine if it answers and lags no more than allowed, else None."""
    engine = get_replica_engine()
    if engine is None:
        return None
    with _Health.lock:
        if time.monotonic() - _Health.checked_at >= CHECK_EVERY_S:
            _Health.usable = _check(engine)
            _Health.checked_at = time.monotonic()
        return engine if _Health.usable else None


def _check(engine: Engine) -> bool:
    try:
        lag = replica_lag(engine)
    except SQLAlchemyError as exc:
        log.warning("replica unreachable, reports read the primary: %s", exc.__class__.__name__)
        return False
    limit = get_settings().replica_max_lag_seconds
    if lag is None or lag > limit:
        log.warning("replica lag %s s over %s s, reports read the primary", lag, limit)
        return False
    return True


def forget_replica_state() -> None:
    """Tests and settings changes: check again on the next report."""
    _Health.checked_at = float("-inf")
    get_replica_engine.cache_clear()


async def get_report_session(request: Request, primary: SessionDep) -> AsyncIterator[Session]:
    """The session a report reads with: the replica's when fresh, else the request's own.
    The replica's health is checked in the thread pool (it may take a connect timeout)."""
    engine = None if get_replica_engine() is None else await run_in_threadpool(fresh_replica)
    if engine is None:
        yield primary
        return
    session = Session(loop_twin(engine) if runs_on_loop(request) else engine, autoflush=False)
    try:
        yield session
    finally:
        await close_session(request, session)


ReportSessionDep = Annotated[Session, Depends(get_report_session)]
