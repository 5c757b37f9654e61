"""Who is calling: the user or API key behind a request, and the roles they hold where."""

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.auth.grant_cache import CACHE
from app.auth.models import ApiKey, Role, RoleAssignment, User
from app.core.db import open_session, run_db
from app.core.errors import Unauthorized
from app.core.model_base import utcnow
from app.core.routing import api_routes
from app.core.security import (
    API_KEY_PREFIX,
    decode_access_token,
    hash_api_key,
    password_stamp,
)
from app.staff.models import Staff

AuthMethod = Literal["password", "api_key", "system"]
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Grant:
    role: Role
    unit_id: int | None  # None only for a system-wide admin
    event_id: int | None = None  # an organizer bound to one event


@dataclass
class Actor:
    name: str
    auth_method: AuthMethod
    # R-GOV-2: grants over a unit's subtree. Event-bound grants are kept apart, in
    # ``event_grants``, so no check that walks the unit tree can ever see one.
    grants: tuple[Grant, ...]
    user_id: int | None = None
    api_key_id: int | None = None
    staff_id: int | None = None
    staff_unit_id: int | None = None
    # grants bound to one event (an organizer's): they reach that event and nothing else
    event_grants: tuple[Grant, ...] = ()
    # The grant that authorised the current write (for the audit log).
    acting: Grant | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """Stable identity, e.g. for Idempotency-Key scoping."""
        return f"user:{self.user_id}" if self.user_id is not None else f"key:{self.api_key_id}"

    @property
    def is_global_admin(self) -> bool:
        return any(g.role == Role.admin and g.unit_id is None for g in self.grants)

    def roots(self, roles: frozenset[Role]) -> list[int]:
        """Units at whose subtree the actor holds one of ``roles``."""
        return sorted({g.unit_id for g in self.grants if g.role in roles and g.unit_id})

    def has_role(self, roles: frozenset[Role]) -> bool:
        return any(g.role in roles for g in self.grants)


def system_actor(name: str = "system") -> Actor:
    """Internal work (demo data, command line, imports run by an operator): system-wide."""
    return Actor(name=name, auth_method="system", grants=(Grant(Role.admin, None),))


# The two ways to authenticate, as the contract declares them (``declare_security``); the
# credentials are read from the headers by ``get_actor`` itself: as dependencies of their
# own they cost FastAPI two more dependency solves on every request (a tenth of a read).
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)
SECURITY: list[dict[str, list[str]]] = [
    {scheme.scheme_name: []} for scheme in (oauth2_scheme, api_key_scheme)
]


def declare_security(app: FastAPI) -> Callable[[dict[str, Any]], None]:
    """An OpenAPI refinement: the security schemes, and on every operation that
    authenticates (its dependencies include ``get_actor``) the requirement of either."""

    def refine(schema: dict[str, Any]) -> None:
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {
            s.scheme_name: s.model.model_dump(mode="json", by_alias=True, exclude_none=True)
            for s in (oauth2_scheme, api_key_scheme)
        }
        for route in api_routes(app.routes):
            if _authenticates(route.dependant):
                for method in route.methods:
                    operation = schema["paths"][route.path_format][method.lower()]
                    operation["security"] = SECURITY

    return refine


def _authenticates(dependant: Dependant) -> bool:
    return dependant.call is get_actor or any(_authenticates(d) for d in dependant.dependencies)


def _credential(request: Request) -> str | None:
    """``X-API-Key``, else the ``Authorization: Bearer`` value (a token or an API key)."""
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, value = get_authorization_scheme_param(request.headers.get("authorization"))
    return value if scheme.lower() == "bearer" and value else None


def _unauthorized(code: str = "unauthorized") -> Unauthorized:
    return Unauthorized(code, headers={"WWW-Authenticate": "Bearer"})


# The user, their role assignments and their staff record's unit in one round trip: this
# runs on every authenticated request, where two or three statements were a third of a
# primary-key read's time (docs/performance.md).
_USERS = User.__table__
_GRANTS = RoleAssignment.__table__
_STAFF = Staff.__table__
_ACTOR_QUERY = (
    select(
        _USERS.c.username,
        _USERS.c.is_active,
        _USERS.c.password_hash,
        _USERS.c.staff_id,
        _STAFF.c.unit_id.label("staff_unit_id"),
        _GRANTS.c.role,
        _GRANTS.c.unit_id,
        _GRANTS.c.event_id,
    )
    .select_from(_USERS)
    .outerjoin(_STAFF, _STAFF.c.id == _USERS.c.staff_id)
    .outerjoin(_GRANTS, _GRANTS.c.user_id == _USERS.c.id)
    .where(_USERS.c.id == bindparam("user_id"))
)


def _actor_for_user(session: Session, user_id: int, stamp: str) -> Actor:
    # on the session's connection: a Core statement needs none of the ORM's execution layer
    rows = session.connection().execute(_ACTOR_QUERY, {"user_id": user_id}).all()
    # a deactivated user, or a token issued before the password last changed: refused at once
    if (
        not rows
        or not rows[0].is_active
        or not hmac.compare_digest(password_stamp(rows[0].password_hash), stamp)
    ):
        raise _unauthorized("invalid_token")
    first = rows[0]
    held = [Grant(Role(r.role), r.unit_id, r.event_id) for r in rows if r.role]
    return Actor(
        name=first.username,
        auth_method="password",
        grants=tuple(g for g in held if g.event_id is None),
        event_grants=tuple(g for g in held if g.event_id is not None),
        user_id=user_id,
        staff_id=first.staff_id,
        staff_unit_id=first.staff_unit_id,
    )


def _actor_for_api_key(session: Session, key: str) -> tuple[Actor, datetime | None]:
    """The key's caller, and when the key was last used if that need not be written now."""
    prefix = key[: len(API_KEY_PREFIX) + 8]
    found = session.execute(
        select(ApiKey, User.is_active)
        .outerjoin(User, User.id == ApiKey.created_by_user_id)
        .where(ApiKey.prefix == prefix)
    ).first()
    api_key, creator_active = found if found else (None, None)
    if (
        api_key is None
        or api_key.revoked_at is not None
        # a key stops with the account of the person who issued it
        or creator_active is False
        or not hmac.compare_digest(api_key.key_hash, hash_api_key(key))
    ):
        raise _unauthorized("invalid_api_key")
    now, last_used = utcnow(), api_key.last_used_at
    # at most one write a minute per key, so reads stay reads
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        api_key.last_used_at, last_used = now, None
    actor = Actor(
        name=api_key.name,
        auth_method="api_key",
        grants=(Grant(Role(api_key.role), api_key.unit_id),),
        api_key_id=api_key.id,
    )
    return actor, last_used


async def get_actor(request: Request) -> Actor:
    """Authenticate the request (bearer JWT, bearer API key or X-API-Key); 401 otherwise.

    The caller's grants come from the worker's cache when it holds them
    (``app.auth.grant_cache``): then authentication sends no statement at all."""
    credential = _credential(request)
    if not credential:
        raise _unauthorized()
    generation = CACHE.begin()
    if credential.startswith(API_KEY_PREFIX):
        actor = await _api_key_actor(request, credential, generation)
    else:
        claims = decode_access_token(credential)
        if claims is None or not str(claims["sub"]).isdigit():
            raise _unauthorized("invalid_token")
        key = (int(claims["sub"]), str(claims["pwd"]))
        actor = CACHE.get(key, generation)
        if actor is None:
            actor = await run_db(request, _actor_for_user, open_session(request), *key)
            CACHE.put(key, generation, actor)
    actor = replace(actor)  # this request's own: ``acting`` is set per request
    request.state.actor = actor
    request.state.actor_key = actor.key
    return actor


async def _api_key_actor(request: Request, credential: str, generation: int | None) -> Actor:
    """A key's caller, cached until a minute after its last recorded use: then it is read
    again, which writes ``last_used_at`` (``_actor_for_api_key``). A read that writes it is
    not cached: its write lands only if the request succeeds."""
    key = ("api_key", hash_api_key(credential))
    cached = CACHE.get(key, generation)
    if cached is not None and utcnow() - cached[1] <= LAST_USED_RESOLUTION:
        return cached[0]
    session = open_session(request)
    actor, last_used = await run_db(request, _actor_for_api_key, session, credential)
    if last_used is not None:
        CACHE.put(key, generation, (actor, last_used))
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
