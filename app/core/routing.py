"""Routing pieces every router shares and that know no domain.

The route class that commits each request (audit, idempotency record, change feed) is glue
between the domains and lives above them, in ``app.web.routing``.
"""

import functools
import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.util import greenlet_spawn
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from app.core.errors import InvalidInput
from app.core.idempotency import IdempotentReplay

ID_PARAM = re.compile(r"\{(\w+_id)\}")


# `\u0000` after an even number of backslashes: an escaped NUL, not the text "\u0000"
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: a value with one fails in SQL (a 500), so it is a 422.

    In the query, and in a JSON body (where NUL can only be written `\u0000`). Bulk uploads
    (`.../bulk`) report it per row instead (`bulk_nul_character`), as their modes require."""
    where = None
    # on the raw bytes: NUL reaches a decoded query only as %00 (``request.url`` would parse
    # the whole URL on every request for this)
    query = request.scope["query_string"]
    if b"%00" in query or b"\x00" in query:
        where = "query"
    elif not request.scope["path"].endswith("/bulk") and "json" in request.headers.get(
        "content-type", ""
    ):
        where = "body" if _JSON_NUL.search(await request.body()) else None
    if where is not None:
        item = {"loc": [where], "msg": "NUL character", "code": "nul_character"}
        raise InvalidInput(errors=[item], fields=where)


def in_one_hop(endpoint: Callable[..., Any], on_loop: bool) -> Callable[..., Any]:
    """A sync endpoint as a coroutine: on the event loop in a greenlet (``on_loop``), else in
    the thread pool.

    Why: FastAPI runs a sync endpoint in the thread pool and then validates its return value
    in the thread pool again: two hops (and two loop wake-ups) per request where one does.
    A read needs none: its session is on the asynchronous driver (``app.core.db.
    make_loop_engine``), so its statements await the database from the greenlet and the loop
    serves other requests meanwhile. Writes keep their thread: they hold row locks and wait
    on them, and their services were written for a transaction of their own per thread.
    The signature (``__wrapped__``) is the endpoint's, so parameters, dependencies, the
    response model and the OpenAPI document are unchanged.
    """
    if inspect.iscoroutinefunction(endpoint) or not inspect.isfunction(endpoint):
        return endpoint
    runner = greenlet_spawn if on_loop else run_in_threadpool

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await runner(endpoint, *args, **kwargs)

    return run


def typed_ids(path: str) -> str:
    """`{unit_id}` matches digits only (Starlette's `:int`): `PATCH /units/bulk` then reaches
    no `/units/{unit_id}` route and answers 405 with the right `Allow`, instead of a 422 about
    an id nobody meant. The contract still reads `{unit_id}`."""
    return ID_PARAM.sub(r"{\1:int}", path)


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
