"""Application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlmodel import Session

from app.audit import service as audit
from app.audit.router import router as audit_router
from app.auth import grant_cache
from app.auth.actor import declare_security
from app.auth.router import auth_router, keys_router, me_router, users_router
from app.auth.service import admin_exists, create_admin
from app.bdtx import router as bdtx
from app.bdtx.document_router import router as bdtx_documents_router
from app.bulk.engine import BulkRejected
from app.bulk.http import bulk_rejected_handler
from app.bulk.router import router as bulk_router
from app.changes.contract import type_feed_items
from app.changes.router import router as changes_router
from app.core import param_facts
from app.core.config import get_settings
from app.core.db import get_engine
from app.core.errors import install_error_handlers
from app.core.gate import ConcurrencyGateMiddleware
from app.core.health import router as health_router
from app.core.idempotency import IdempotentReplay
from app.core.middleware import (
    AnswerHeadersMiddleware,
    BodySizeLimitMiddleware,
)
from app.core.model_base import utcnow
from app.core.openapi import install_openapi
from app.core.routing import operation_id, replay_handler
from app.core.tcp import ensure_tcp_nodelay
from app.criticisms.router import router as criticisms_router
from app.documents.router import router as documents_router
from app.events import router as events
from app.events.checkin_router import router as checkin_router
from app.external.router import (
    external_events_router,
    participation_router,
    violations_router,
)
from app.notify.router import router as notifications_router
from app.notify.worker import start_in_thread
from app.ops import metrics, partitions
from app.ops.logs import configure_logging
from app.ops.observe import ObservabilityMiddleware, otel_config
from app.reports.router import router as reports_router
from app.staff.router import router as staff_router
from app.units.router import router as units_router
from app.violations.router import router as violations_manual_router
from app.web import enum_labels
from app.web.docs import install_docs
from app.web.operation_docs import document
from app.web.problems import router as problems_router
from app.webhooks.router import router as webhooks_router

log = logging.getLogger("bdtx")

DESCRIPTION = """
REST API for governing staff training in Vietnamese education authorities (Sở GD&ĐT,
district and commune offices, schools): units and staff, summons and attendance, external
events, violations, and the yearly BDTX cycle.

Conventions: errors are `application/problem+json` with a stable `code`; lists use keyset
pagination (`limit`, `cursor` → `next_cursor`); writes to versioned resources need
`If-Match` with the `ETag` from the last read; `POST` accepts `Idempotency-Key`.
Authenticate with `POST /api/v1/auth/token` (bearer JWT) or an API key
(`Authorization: Bearer bdtx_…` or `X-API-Key`). Objects outside the caller's units are 404.
"""


def bootstrap_admin() -> None:
    """Create the first admin from BDTX_ADMIN_USERNAME / BDTX_ADMIN_PASSWORD, once."""
    settings = get_settings()
    if not (settings.admin_username and settings.admin_password):
        return
    with Session(get_engine()) as session:
        if admin_exists(session):
            return
        create_admin(session, settings.admin_username, settings.admin_password.get_secret_value())
        session.commit()
    log.info("created the first admin %s", settings.admin_username)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    ensure_tcp_nodelay()  # each worker process: see app.core.tcp
    bootstrap_admin()
    settings = get_settings()
    partitions.maintain(get_engine(), utcnow().date(), settings.change_retention_months)
    # SQLite: the embedded default runs its worker in the service, so one command is enough;
    # PostgreSQL deployments run `bdtx worker` beside the service (README). Tests start
    # workers themselves.
    embedded = settings.is_sqlite and settings.embedded_worker and settings.env != "test"
    worker = start_in_thread(get_engine(), settings)[0] if embedded else None
    await grant_cache.start(settings.database_url)
    yield
    await grant_cache.stop()
    if worker is not None:
        worker.stop()  # the message in hand is finished; claimed ones are handed back


def create_app() -> FastAPI:
    settings = get_settings()  # refuse to start on bad settings (default secret in production)
    audit.install()
    param_facts.install()
    configure_logging(settings.log_format, settings.log_level)
    production = settings.env == "production"
    app = FastAPI(
        title="bdtx-api",
        version="0.1.0",
        description=DESCRIPTION,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        # served from the package's own files (app.web.docs), not FastAPI's CDN pages
        docs_url=None,
        redoc_url=None,
        telemetry=otel_config(settings.otel_enabled),
    )
    if not production:  # the contract stays at /openapi.json; the pages go in production
        install_docs(app, "bdtx-api")
    install_error_handlers(app)
    app.add_exception_handler(IdempotentReplay, replay_handler)
    app.add_exception_handler(BulkRejected, bulk_rejected_handler)
    app.add_middleware(ConcurrencyGateMiddleware)  # innermost: see app.core.gate
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        import_max_bytes=settings.import_max_bytes,
    )
    app.add_middleware(ObservabilityMiddleware)  # inside the request id: its lines carry it
    app.add_middleware(AnswerHeadersMiddleware, hsts=production)
    # outermost: the answers of every other middleware (413, 503 from the gate) carry the
    # CORS headers too, or a browser sees a network error instead of the problem
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-API-Key",
                "X-Request-ID",
                "Accept-Language",
            ],
            # what a browser client reads besides the body (Retry-After on 429/503, the
            # file name of an export)
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Idempotent-Replayed",
                "Retry-After",
                "Content-Disposition",
            ],
        )
    for router in (
        health_router,
        auth_router,
        me_router,
        users_router,
        keys_router,
        units_router,
        documents_router,
        staff_router,
        events.router,
        events.nominations_router,
        events.excuses_router,
        events.reports_router,
        events.record_router,
        checkin_router,
        audit_router,
        changes_router,
        notifications_router,
        webhooks_router,
        bulk_router,
        external_events_router,
        participation_router,
        violations_router,
        violations_manual_router,
        criticisms_router,
        reports_router,
        bdtx.policy_router,
        bdtx.router,
        bdtx_documents_router,
        bdtx.reports_router,
        bdtx.public_router,
        problems_router,
    ):
        app.include_router(router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    document(app)
    install_openapi(
        app,
        (enum_labels.NAMED, enum_labels.INLINE),
        refine=[type_feed_items, declare_security(app)],
    )
    return app


app = create_app()
