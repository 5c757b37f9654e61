"""The route class every router uses: one commit per request, before the response leaves.

Services only flush. After the endpoint has produced a successful response, the audit rows
for its writes, the ``Idempotency-Key`` record (if any) and the change-feed rows join the
same transaction, which is then committed; a failed commit becomes a problem response
instead of a 2xx that lied.
A refused write is rolled back and leaves exactly one audit row behind.

This is glue between domains (audit, auth, changes), so it sits above them: ``app.core``
imports no domain, and no domain service imports this module; only routers do.
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from fastapi import APIRouter, Depends, Request, Response, params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.audit import service as audit
from app.auth.actor import get_actor
from app.changes import service as feed
from app.core.db import SAFE_METHODS, close_session, open_session, run_db
from app.core.errors import AppError, Conflict, problem_responses
from app.core.idempotency import IdempotencyContext, IdempotentReplay, remember
from app.core.routing import PrefixRouter, in_one_hop, refuse_nul, typed_ids


def _finish(session: Session, request: Request, response: Response) -> None:
    session.flush()  # reads do not autoflush (app.core.db): their writes reach the audit too
    changes = audit.record_changes(session, request, response.status_code)
    ctx: IdempotencyContext | None = getattr(request.state, "idempotency", None)
    if ctx is not None and response.status_code < 300:
        try:
            remember(session, ctx, response.status_code, bytes(response.body), response.headers)
        except IntegrityError as exc:
            session.rollback()
            raise Conflict("idempotency_in_progress") from exc
    # last before the commit: the feed's ordering lock is held only for this insert + commit
    feed.record(session, changes)
    session.commit()


def _wrote(request: Request, session: Session) -> bool:
    """Whether the request may have written: always for unsafe methods; for a read, when
    anything was flushed (an API key's ``last_used_at``) or is pending. A clean read skips
    ``_finish`` and its thread hop: closing the session ends its transaction."""
    if request.method not in SAFE_METHODS:
        return True
    return bool(
        audit.CHANGES_KEY in session.info or session.new or session.dirty or session.deleted
    )


def _status_of(exc: Exception) -> int:
    if isinstance(exc, AppError):
        return exc.status
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, IntegrityError):
        return 409
    if isinstance(exc, StaleDataError):
        return 412
    return 500


def _log_refusal(request: Request, exc: Exception) -> None:
    # the request's session, or (when the body failed before it existed) a fresh one; the
    # route handler closes it either way
    session = open_session(request)
    session.rollback()
    audit.record_refusal(session, request, exc, _status_of(exc))
    session.commit()


def _param_dependencies(endpoint: Callable[..., Any]) -> set[Any]:
    """The callables the endpoint's own parameters depend on (``Annotated[..., Depends(f)]``)."""
    hints = get_type_hints(endpoint, include_extras=True)
    return {
        extra.dependency
        for hint in hints.values()
        if get_origin(hint) is Annotated
        for extra in get_args(hint)[1:]
        if isinstance(extra, params.Depends)
    }


class AuthenticatedRouter(PrefixRouter):
    """Every route authenticates: ``get_actor`` first, before the route's own dependencies
    (the ``Idempotency-Key`` is the caller's). A route whose endpoint takes the caller as a
    parameter and has no dependencies of its own gets nothing added: as a dependency of the
    whole router, ``get_actor`` was solved twice for most routes, with all below it."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        own = kwargs.get("dependencies") or []
        if own or get_actor not in _param_dependencies(endpoint):
            kwargs["dependencies"] = [Depends(get_actor), *own]
        super().add_api_route(path, endpoint, **kwargs)


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # reads run on the event loop (app.core.db.runs_on_loop), writes in the thread pool
        self.on_loop = set(kwargs.get("methods") or ()) <= SAFE_METHODS and not getattr(
            endpoint, "in_thread", False
        )
        super().__init__(typed_ids(path), in_one_hop(endpoint, self.on_loop), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name = self.name

        async def route_handler(request: Request) -> Response:
            request.state.route_name = name
            try:
                return await _answer(handler, request)
            finally:
                # the session ``get_session`` opened, if any: its connection back to the pool
                session: Session | None = getattr(request.state, "db", None)
                if session is not None:
                    await close_session(request, session)

        return route_handler


async def _answer(
    handler: Callable[[Request], Coroutine[Any, Any, Response]], request: Request
) -> Response:
    """The endpoint's response, committed (``_finish``) when it wrote; a refused write leaves
    its audit row (``_log_refusal``)."""
    try:
        await refuse_nul(request)
        response = await handler(request)
    except IdempotentReplay:
        raise
    except Exception as exc:
        if request.method not in SAFE_METHODS:
            await run_in_threadpool(_log_refusal, request, exc)
        raise
    session: Session | None = getattr(request.state, "db", None)
    if session is not None and response.status_code < 400 and _wrote(request, session):
        await run_db(request, _finish, session, request, response)
    return response


def api_router(prefix: str, tag: str, *, public: bool = False) -> APIRouter:
    """Every domain router: transactional, authenticated unless ``public``, shared problems.

    Authenticated routes may all answer 401, 403 (the role lacks the permission) and 404
    (the unit, or a unit named in the request, is outside the caller's scope).
    """
    router = PrefixRouter if public else AuthenticatedRouter
    return router(
        prefix=prefix,
        tags=[tag],
        route_class=TransactionalRoute,
        responses=problem_responses(400, 422, 500)
        | ({} if public else problem_responses(401, 403, 404)),
    )
