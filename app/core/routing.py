"""The route class every router uses: one commit per request, before the response leaves.

Services only flush. Here, after the endpoint has produced a successful response, the
``Idempotency-Key`` record (if any) is added to the same transaction and the session is
committed; a failed commit becomes a problem response instead of a 2xx that lied.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.errors import Conflict, problem_responses
from app.core.idempotency import IdempotencyContext, IdempotentReplay, remember


def _finish(session: Session, request: Request, response: Response) -> None:
    ctx: IdempotencyContext | None = getattr(request.state, "idempotency", None)
    if ctx is not None and response.status_code < 300:
        try:
            remember(session, ctx, response.status_code, bytes(response.body), response.headers)
        except IntegrityError as exc:
            session.rollback()
            raise Conflict("idempotency_in_progress") from exc
    session.commit()


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            response = await handler(request)
            session: Session | None = getattr(request.state, "db", None)
            if session is not None and response.status_code < 400:
                await run_in_threadpool(_finish, session, request, response)
            return response

        return route_handler


def operation_id(route: APIRoute) -> str:
    """Clean operation ids for generated clients: ``units-list``, ``staff-transfer``."""
    return route.name


def api_router(prefix: str, tag: str) -> APIRouter:
    """Every domain router: transactional routes and the problem shapes all of them share."""
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=TransactionalRoute,
        responses=problem_responses(400, 422, 500),
    )


async def replay_handler(request: Request, exc: Exception) -> Response:
    """Answer a retried ``Idempotency-Key`` with the first response, byte for byte."""
    assert isinstance(exc, IdempotentReplay)
    record = exc.record
    headers = {**record.response_headers, "Idempotent-Replayed": "true"}
    return Response(record.response_body, status_code=record.status_code, headers=headers)
