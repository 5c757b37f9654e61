"""A per-worker cap on requests inside the app, below the connection pool and thread pool.

Why: a request checks its database connection out at its first query (authentication)
and keeps it across the several thread-pool hops FastAPI makes for sync dependencies, the
endpoint and the commit (``app.web.routing``). With more requests in flight than pooled
connections, requests that hold a connection wait for a worker thread while the threads
are held by requests waiting for a connection, until the pool's 30 s timeout answers 500.
Measured (issue 9): 100 concurrent nominators on 2 workers → p99 31 s and 31 answers 500.
Waiting here, before any thread or connection is taken, costs nothing while the app is
below the cap and turns the overload into a queue.
"""

import asyncio
import weakref
from typing import Any

from anyio import to_thread

from app.core.db import get_engine

Scope = dict[str, Any]
EXEMPT = frozenset({"/healthz"})  # liveness must answer even when the queue is long


class GateStats:
    """Requests of this process inside the gate and waiting at it (read by the metrics)."""

    in_flight = 0
    waiting = 0


def default_limit() -> int:
    """Two below the smaller of the pool (size + overflow) and the thread pool."""
    pool = get_engine().pool
    size = getattr(pool, "size", lambda: 5)()
    connections = size + max(0, int(getattr(pool, "_max_overflow", 0)))
    threads = int(to_thread.current_default_thread_limiter().total_tokens)
    return max(1, min(connections, threads) - 2)


class ConcurrencyGateMiddleware:
    def __init__(self, app: Any, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        # one semaphore per event loop: tests run several loops in one process
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            if self.limit is None:
                self.limit = default_limit()
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        return gate

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        gate = self._gate()
        GateStats.waiting += 1
        try:
            await gate.acquire()
        finally:
            GateStats.waiting -= 1
        GateStats.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            GateStats.in_flight -= 1
            gate.release()
