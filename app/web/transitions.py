"""One way to declare a state-transition endpoint: `POST /things/{thing_id}/approve`.

Every transition had the same shape written out by hand: take the session, the caller, the
object's id, `If-Match` and maybe a body; find the object in the caller's scope (404
otherwise); apply the service's transition with the expected version; answer the object with
its new `ETag`. ``transition`` says it once; each route names only what differs.
"""

import inspect
import re
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.actor import Actor, ActorDep
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.types import Id

T = TypeVar("T")
Loader = Callable[[Session, Actor, int], T]
# (session, caller, what the loader found, the body or None, the version `If-Match` names)
Action = Callable[[Session, Actor, T, Any, int], Any]

WRITE = problem_responses(403, 404, 409, 412, 428)
_PATH_ID = re.compile(r"\{(\w+_id)\}")
_KW = inspect.Parameter.KEYWORD_ONLY


def transition(
    router: APIRouter,
    path: str,
    name: str,
    *,
    read: type[BaseModel],
    load: Loader[T],
    act: Action[T],
    body: Any = None,
    body_optional: bool = False,
    doc: str | None = None,
    idempotent: bool = False,
) -> None:
    """Add ``POST path`` to ``router``: ``act`` on what ``load`` finds, answer ``read``.

    ``body`` is the request model (none when omitted); ``body_optional`` lets the request
    leave it out (``act`` then gets None). ``doc`` becomes the operation's description.
    """
    (id_name,) = _PATH_ID.findall(path)

    def endpoint(
        session: Session, actor: Actor, version: int, response: Response, **rest: Any
    ) -> Any:
        found = load(session, actor, rest[id_name])
        done = act(session, actor, found, rest.get("body"), version)
        set_etag(response, done.version)
        return read.model_validate(done)

    params = [
        inspect.Parameter("session", _KW, annotation=SessionDep),
        inspect.Parameter("actor", _KW, annotation=ActorDep),
        inspect.Parameter(id_name, _KW, annotation=Id),
        inspect.Parameter("version", _KW, annotation=IfMatchDep),
        inspect.Parameter("response", _KW, annotation=Response),
    ]
    if body is not None:
        default = None if body_optional else inspect.Parameter.empty
        annotation = body | None if body_optional else body
        params.append(inspect.Parameter("body", _KW, annotation=annotation, default=default))
    # FastAPI reads the parameters and the response model from this signature
    endpoint.__signature__ = inspect.Signature(params, return_annotation=read)  # type: ignore[attr-defined]
    endpoint.__name__ = name.replace("-", "_")
    endpoint.__doc__ = doc
    router.post(
        path,
        name=name,
        responses=WRITE,
        dependencies=[IdempotencyDep] if idempotent else None,
    )(endpoint)


def without_body(step: Callable[[Session, Actor, Any, int], Any]) -> Action[Any]:
    """A transition that takes nothing but the object and its version, e.g. `submit`."""
    return lambda session, actor, found, _body, version: step(session, actor, found, version)


def decision(
    decide: Callable[[Session, Actor, Any, bool, str | None, int], Any], approve: bool
) -> Action[Any]:
    """`approve` or `return`: one service call told which, with the body's optional `note`."""

    def act(session: Session, actor: Actor, found: Any, body: Any, version: int) -> Any:
        note = body.note if body is not None else None
        return decide(session, actor, found, approve, note, version)

    return act


def with_reason(step: Callable[[Session, Actor, Any, str, int], Any]) -> Action[Any]:
    """A transition whose body carries the `reason` it records, e.g. `reject`, `revoke`."""
    return lambda session, actor, found, body, version: step(
        session, actor, found, body.reason, version
    )
