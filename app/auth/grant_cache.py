"""The callers' grants, cached in each worker and dropped the moment grants change (issue 21).

Why: every authenticated request resolved its caller (user, grants, own unit) with a query
of its own before its real work, so a primary-key read cost two round trips where one does.
The cache keeps what that query found, per token (user and password stamp) or per API key.

How a worker learns that grants changed, on every path that can change them (triggers on
users, role assignments, API keys and staff units, migration 0017):
- PostgreSQL: the triggers ``pg_notify('bdtx_grants')``; each worker LISTENs on a connection
  of its own and drops the whole cache when a notification arrives. While that connection is
  down (or was never opened: a command, a test without the app's lifespan) nothing is cached.
- SQLite: the triggers bump ``grant_version``. Before each lookup the worker asks
  ``PRAGMA data_version`` on a connection of its own (no table read: SQLite answers from its
  shared-memory index) whether another connection committed anything since it last looked,
  and reads the counter only then.
- Its own writes: a flush that touches those rows drops the cache at once, before any
  commit (a test's transaction never commits, and nothing else would tell this worker).

An entry carries the generation in which its load began; an invalidation while the load was
under way makes it stale before anyone can use it.
"""

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Hashable
from typing import Any

import psycopg
from sqlalchemy import event, inspect, make_url
from sqlalchemy.orm import Session

from app.auth.models import ApiKey, RoleAssignment, User
from app.staff.models import Staff

log = logging.getLogger("bdtx.grants")
CHANNEL = "bdtx_grants"
RECONNECT_AFTER_S = 1.0


class GrantCache:
    MAX_ENTRIES = 50_000  # a worker's callers; past it the cache starts over

    def __init__(self) -> None:
        self.generation = 0
        self.entries: dict[Hashable, tuple[int, Any]] = {}
        self.watch: SqliteWatch | PgListener | None = None
        self._lock = threading.Lock()

    def begin(self) -> int | None:
        """The generation a lookup (and a load after a miss) belongs to; None: no caching,
        because nothing would tell this worker of a change."""
        watch = self.watch
        if watch is None or not watch.fresh(self):
            return None
        return self.generation

    def get(self, key: Hashable, generation: int | None) -> Any:
        entry = self.entries.get(key)
        if entry is None or generation is None or entry[0] != generation:
            return None
        return entry[1]

    def put(self, key: Hashable, generation: int | None, value: Any) -> None:
        with self._lock:
            if generation is None or generation != self.generation:
                return  # grants changed while it was loaded
            if len(self.entries) >= self.MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = (generation, value)

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self.entries.clear()


CACHE = GrantCache()


class SqliteWatch:
    """Has anyone changed grants in this SQLite file since the last look?"""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        self.data_version: int | None = None
        self.version: int | None = None

    def fresh(self, cache: GrantCache) -> bool:
        with self.lock:
            try:
                seen = self.conn.execute("PRAGMA data_version").fetchone()[0]
                if seen == self.data_version:
                    return True
                row = self.conn.execute("SELECT version FROM grant_version").fetchone()
            except sqlite3.Error:  # not migrated yet, or the file went away: no caching
                self.data_version = None
                return False
            self.data_version = seen
            version = row[0] if row else None
            if version is None or version != self.version:
                self.version = version
                cache.invalidate()
            return True

    def close(self) -> None:
        self.conn.close()


class PgListener:
    """LISTEN on a connection of the worker's own; any notification drops the cache."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.live = False
        self.task: asyncio.Task[None] | None = None

    def fresh(self, _cache: GrantCache) -> bool:
        return self.live

    async def run(self, cache: GrantCache, ready: asyncio.Event) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    cache.invalidate()  # what changed while nobody listened
                    self.live = True
                    ready.set()
                    async for _ in conn.notifies():
                        cache.invalidate()
            except (psycopg.Error, OSError) as exc:
                log.warning("grant notifications lost, caching paused: %s", exc)
            finally:
                self.live = False
                cache.invalidate()
                ready.set()  # started, even if without the cache
            await asyncio.sleep(RECONNECT_AFTER_S)

    async def start(self, cache: GrantCache) -> None:
        ready = asyncio.Event()
        self.task = asyncio.create_task(self.run(cache, ready), name="grant-listener")
        await ready.wait()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        self.live = False


async def start(database_url: str, cache: GrantCache = CACHE) -> None:
    """Begin caching in this worker (the app's lifespan), with the watch the database has."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        listener = PgListener(url.set(drivername="postgresql").render_as_string(False))
        await listener.start(cache)
        cache.watch = listener
    elif url.database and url.database != ":memory:":
        cache.watch = SqliteWatch(url.database)
    cache.invalidate()


async def stop(cache: GrantCache = CACHE) -> None:
    watch, cache.watch = cache.watch, None
    if isinstance(watch, PgListener):
        await watch.stop()
    elif watch is not None:
        watch.close()
    cache.invalidate()


# --- this worker's own writes ------------------------------------------------------------

# The columns whose change changes a caller, as the triggers of migration 0017 watch them
# (None: any column).
_WATCHED: dict[type, frozenset[str] | None] = {
    User: frozenset({"username", "password_hash", "staff_id", "is_active"}),
    RoleAssignment: None,
    ApiKey: frozenset({"role", "unit_id", "key_hash", "prefix", "revoked_at"}),
    Staff: frozenset({"unit_id"}),
}


def _changes_grants(obj: object) -> bool:
    if type(obj) not in _WATCHED:
        return False
    columns = _WATCHED[type(obj)]
    attrs = inspect(obj).attrs
    return any(a.history.has_changes() for a in attrs if columns is None or a.key in columns)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # a new user, staff record or key changes nobody's grants yet; a new assignment does
    if (
        any(isinstance(o, RoleAssignment) for o in session.new)
        or any(type(o) in _WATCHED for o in session.deleted)
        or any(_changes_grants(o) for o in session.dirty)
    ):
        CACHE.invalidate()
