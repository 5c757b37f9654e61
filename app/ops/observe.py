"""One pure ASGI middleware that measures every request: Prometheus metrics and one log line.

Why one middleware for both: they need the same facts (route template, status, duration,
statements, who acted), gathered once per request. The route template (``/api/v1/staff/
{staff_id}``) and not the path labels the metrics, so a million staff ids make one series.
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.ops import metrics

access_log = logging.getLogger("bdtx.access")


@dataclass
class _Counter:
    statements: int = 0


# A mutable holder: the thread pool runs endpoints in a copy of this context, so a counter
# object set here is the same object there and its increments come back.
_statements: ContextVar[_Counter | None] = ContextVar("bdtx_statements", default=None)


def _count_statement(*_: Any) -> None:
    counter = _statements.get()
    if counter is not None:
        counter.statements += 1


event.listen(Engine, "before_cursor_execute", _count_statement)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


def _who(state: dict[str, Any]) -> dict[str, Any]:
    actor = state.get("actor")
    if actor is None:
        return {}
    acting = getattr(actor, "acting", None)
    return {
        "user_id": actor.user_id,
        "api_key_id": actor.api_key_id,
        "acting_unit_id": getattr(acting, "unit_id", None),
    }


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = _Counter()
        token = _statements.set(counter)
        status = 500  # what the client sees if the app raises before answering
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            _statements.reset(token)
            self._record(scope, status, time.perf_counter() - started, counter.statements)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float, statements: int) -> None:
        route = _route_template(scope)
        method = scope["method"]
        metrics.observe_request(method, route, status, seconds, statements)
        if access_log.isEnabledFor(logging.INFO):
            state = scope.get("state", {})
            access_log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "event": "request",
                    "request_id": state.get("request_id"),
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "db_statements": statements,
                    **_who(state),
                },
            )


def otel_config(enabled: bool) -> Any:
    """FastAPI's ``telemetry`` setting: its OpenTelemetry on (spans, metrics and logs to the
    providers the process configured, as FastAPI does by default) or off.

    Off by default: this service measures itself with ``/metrics`` and its request log, and
    FastAPI looks up the three global providers on every request to find that none is set."""
    if enabled:
        return None
    return {"tracing": False, "metrics": False, "logs": False}
