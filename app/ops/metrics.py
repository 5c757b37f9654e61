"""Prometheus metrics: requests, the database pool, the concurrency gate, the change feed
and how far the worker is behind it.

Off by default (``BDTX_METRICS_ENABLED``); when on, ``GET /metrics`` answers only clients
whose address is in ``BDTX_METRICS_ALLOW`` (loopback unless set), so turning it on never
publishes it. With several uvicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (an empty
directory) and the counters of every worker are summed at each scrape.
"""

import ipaddress
import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col
from starlette.exceptions import HTTPException

from app.changes.models import Change
from app.core.config import get_settings
from app.core.db import get_engine, get_loop_engine
from app.core.gate import GateStats
from app.notify.models import EmailOutbox, WorkerCursor
from app.webhooks.models import WebhookDelivery, WebhookSubscription

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "bdtx_http_requests_total",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "bdtx_http_request_duration_seconds",
    "Time from the first byte in to the response start and body out, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
STATEMENTS = Counter(
    "bdtx_db_statements_total",
    "SQL statements executed on behalf of requests, by route template",
    ["route"],
    registry=REGISTRY,
)
LOGIN_LOCKOUTS = Counter(
    "bdtx_login_lockouts_total",
    "Logins refused because the username is locked after repeated failures (429)",
    registry=REGISTRY,
)
TOKEN_ROUTE = "/api/v1/auth/token"


def observe_request(method: str, route: str, status: int, seconds: float, statements: int) -> None:
    requests, duration = _series(method, route, status)
    requests.inc()
    duration.observe(seconds)
    if statements:
        _statement_series(route).inc(statements)
    if route == TOKEN_ROUTE and status == 429:
        LOGIN_LOCKOUTS.inc()


@lru_cache(maxsize=4096)  # routes × methods × statuses: a few hundred in practice
def _series(method: str, route: str, status: int) -> tuple[Any, Any]:
    """A request's series, looked up once: ``labels()`` takes a lock and builds its key on
    every call, half of what measuring a request cost (issue 21)."""
    return REQUESTS.labels(method, route, str(status)), DURATION.labels(method, route)


@lru_cache(maxsize=1024)
def _statement_series(route: str) -> Any:
    return STATEMENTS.labels(route)


class StateCollector(Collector):
    """Gauges read at scrape time: nothing to update on the request path."""

    def collect(self) -> Iterator[Any]:
        # the writes' pool and the reads' (app.core.db.get_loop_engine), counted together
        pools = [p for p in (get_engine().pool, get_loop_engine().pool) if hasattr(p, "overflow")]
        if pools:
            yield _gauge(
                "bdtx_db_pool_in_use",
                "Connections checked out of the pools (writes and reads)",
                sum(p.checkedout() for p in pools),  # type: ignore[attr-defined]
            )
            yield _gauge(
                "bdtx_db_pool_overflow",
                "Connections open beyond the pools' size (above zero: a pool is saturated)",
                sum(max(0, p.overflow()) for p in pools),
            )
        yield _gauge(
            "bdtx_gate_in_flight", "Requests inside the concurrency gate", GateStats.in_flight
        )
        yield _gauge(
            "bdtx_gate_waiting",
            "Requests queued at the concurrency gate (the pool's waits happen here)",
            GateStats.waiting,
        )
        yield from _feed_gauges()


def _feed_gauges() -> Iterator[GaugeMetricFamily]:
    try:
        with get_engine().connect() as conn:
            last_id, last_at = conn.execute(
                select(func.max(Change.id), func.max(Change.committed_at))
            ).one()
            lag = _worker_lag(conn, last_id or 0)
            queued = _queued(conn)
    except SQLAlchemyError:  # the scrape still reports the rest; /readyz tells the outage
        yield _gauge("bdtx_db_up", "Whether the database answered this scrape", 0)
        return
    yield _gauge("bdtx_db_up", "Whether the database answered this scrape", 1)
    yield _gauge("bdtx_change_feed_last_id", "Newest change-feed position", last_id or 0)
    if last_at is not None:
        yield _gauge(
            "bdtx_change_feed_last_commit_timestamp_seconds",
            "When the newest change was committed (Unix time)",
            last_at.timestamp(),
        )
    yield lag
    yield queued


def _worker_lag(conn: Connection, last_id: int) -> GaugeMetricFamily:
    """Feed rows each consumer has still to read: the notification worker's cursor and the
    slowest active webhook subscription. A lag that only grows means no worker is running."""
    family = GaugeMetricFamily(
        "bdtx_worker_feed_lag",
        "Change-feed rows a worker has not yet consumed, per consumer",
        labels=["consumer"],
    )
    for name, position in conn.execute(select(col(WorkerCursor.name), col(WorkerCursor.position))):
        family.add_metric([name], max(0, last_id - position))
    slowest = conn.execute(
        select(func.min(WebhookSubscription.position)).where(col(WebhookSubscription.active))
    ).scalar()
    if slowest is not None:
        family.add_metric(["webhooks"], max(0, last_id - slowest))
    return family


def _queued(conn: Connection) -> GaugeMetricFamily:
    """Messages waiting to be sent (e-mails and webhook deliveries, retries included)."""
    family = GaugeMetricFamily(
        "bdtx_outbox_pending", "Messages waiting for the worker, per queue", labels=["queue"]
    )
    for queue, table in (("email", EmailOutbox), ("webhook", WebhookDelivery)):
        pending = conn.execute(
            select(func.count()).select_from(table).where(col(table.status) == "pending")
        ).scalar_one()
        family.add_metric([queue], pending)
    return family


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


REGISTRY.register(StateCollector())
REGISTRY.register(ProcessCollector(registry=None))


def _allowed(request: Request) -> bool:
    client = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in get_settings().metrics_allow)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics_endpoint(request: Request) -> Response:
    if not _allowed(request):
        raise HTTPException(404)  # the same answer as a path that does not exist
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector())
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
