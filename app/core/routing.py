"""The route class every router uses: one commit per request, before the response leaves.

Services only flush. After the endpoint has produced a successful response, the audit rows
for its writes, the ``Idempotency-Key`` record (if any) and the change-feed rows join the
same transaction, which is then committed; a failed commit becomes a problem response
instead of a 2xx that lied.
A refused write is rolled back and leaves exactly one audit row behind.
"""

import functools
import inspect
import re
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from app.audit import service as audit
from app.auth.actor import get_actor
from app.changes import service as feed
from app.core.db import SAFE_METHODS, get_session, open_session
from app.core.errors import AppError, Conflict, InvalidInput, problem_responses
from app.core.idempotency import IdempotencyContext, IdempotentReplay, remember


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


@contextmanager
def _request_session(request: Request) -> Iterator[Session]:
    """The request's session, or (when the body failed before it existed) a fresh one."""
    existing: Session | None = getattr(request.state, "db", None)
    if existing is not None:
        yield existing
        return
    override = request.app.dependency_overrides.get(get_session)
    if override is None:
        with open_session(request) as session:
            yield session
        return
    gen = override(request)  # the tests' sessions bound to their own transaction
    try:
        yield next(gen)
    finally:
        gen.close()


def _log_refusal(request: Request, exc: Exception) -> None:
    with _request_session(request) as session:
        session.rollback()
        audit.record_refusal(session, request, exc, _status_of(exc))
        session.commit()


_ID_PARAM = re.compile(r"\{(\w+_id)\}")


# `\u0000` after an even number of backslashes: an escaped NUL, not the text "\u0000"
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def _refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: a value with one fails in SQL (a 500), so it is a 422.

    In the query, and in a JSON body (where NUL can only be written `\u0000`). Bulk uploads
    (`.../bulk`) report it per row instead (`bulk_nul_character`), as their modes require."""
    where = None
    if "\x00" in unquote_plus(request.url.query):
        where = "query"
    elif not request.url.path.endswith("/bulk") and "json" in request.headers.get(
        "content-type", ""
    ):
        where = "body" if _JSON_NUL.search(await request.body()) else None
    if where is not None:
        item = {"loc": [where], "msg": "NUL character", "code": "nul_character"}
        raise InvalidInput(errors=[item], fields=where)


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint as a coroutine that runs it in the thread pool.

    Why: FastAPI runs a sync endpoint in the thread pool and then validates its return value
    in the thread pool again: two hops (and two loop wake-ups) per request where one does.
    The signature (``__wrapped__``) is the endpoint's, so parameters, dependencies, the
    response model and the OpenAPI document are unchanged.
    """
    if inspect.iscoroutinefunction(endpoint) or not inspect.isfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class TransactionalRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # `{unit_id}` matches digits only (Starlette's `:int`): `PATCH /units/bulk` then
        # reaches no `/units/{unit_id}` route and answers 405 with the right `Allow`, instead
        # of a 422 about an id nobody meant. The contract still reads `{unit_id}`.
        super().__init__(_ID_PARAM.sub(r"{\1:int}", path), _in_one_hop(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name = self.name

        async def route_handler(request: Request) -> Response:
            request.state.route_name = name
            try:
                await _refuse_nul(request)
                response = await handler(request)
            except IdempotentReplay:
                raise
            except Exception as exc:
                if request.method not in SAFE_METHODS:
                    await run_in_threadpool(_log_refusal, request, exc)
                raise
            session: Session | None = getattr(request.state, "db", None)
            if session is not None and response.status_code < 400 and _wrote(request, session):
                await run_in_threadpool(_finish, session, request, response)
            return response

        return route_handler


def operation_id(route: APIRoute) -> str:
    """Clean operation ids for generated clients: ``units-list``, ``staff-transfer``."""
    return route.name


class PrefixRouter(APIRouter):
    """A router that turns away a path outside its prefix before trying its routes.

    Why: FastAPI tries every route of every included router in turn, each a regular
    expression and a few Python calls; a path served by the twentieth router (the reports)
    spent a tenth of its request in route matching. None of a router's routes can match a
    path outside its prefix, fully or partially (a PARTIAL match is a path match with
    another method), so the answer is the same.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.prefix and not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        return super().matches(scope)


def api_router(prefix: str, tag: str, *, public: bool = False) -> APIRouter:
    """Every domain router: transactional, authenticated unless ``public``, shared problems.

    Authenticated routes may all answer 401, 403 (the role lacks the permission) and 404
    (the unit, or a unit named in the request, is outside the caller's scope).
    """
    return PrefixRouter(
        prefix=prefix,
        tags=[tag],
        route_class=TransactionalRoute,
        dependencies=[] if public else [Depends(get_actor)],
        responses=problem_responses(400, 422, 500)
        | ({} if public else problem_responses(401, 403, 404)),
    )


async def replay_handler(request: Request, exc: Exception) -> Response:
    """Answer a retried ``Idempotency-Key`` with the first response, byte for byte."""
    assert isinstance(exc, IdempotentReplay)
    record = exc.record
    headers = {**record.response_headers, "Idempotent-Replayed": "true"}
    return Response(record.response_body, status_code=record.status_code, headers=headers)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute of an app, also inside included routers (FastAPI no longer flattens)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from api_routes(original.routes)
