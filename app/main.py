"""Application factory."""

from fastapi import FastAPI

from app.core.errors import install_error_handlers
from app.core.health import router as health_router
from app.core.idempotency import IdempotentReplay
from app.core.middleware import RequestIdMiddleware
from app.core.routing import operation_id, replay_handler
from app.staff.router import router as staff_router
from app.units.router import router as units_router

DESCRIPTION = """
REST API for governing staff training in Vietnamese education authorities (Sở GD&ĐT,
district and commune offices, schools): units and staff, summons and attendance, external
events, violations, and the yearly BDTX cycle.

Conventions: errors are `application/problem+json` with a stable `code`; lists use keyset
pagination (`limit`, `cursor` → `next_cursor`); writes to versioned resources need
`If-Match` with the `ETag` from the last read; `POST` accepts `Idempotency-Key`.
"""


def create_app() -> FastAPI:
    app = FastAPI(
        title="bdtx-api",
        version="0.1.0",
        description=DESCRIPTION,
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app)
    app.add_exception_handler(IdempotentReplay, replay_handler)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    app.include_router(units_router)
    app.include_router(staff_router)
    return app


app = create_app()
