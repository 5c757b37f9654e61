"""Who is calling: the user or API key behind a request, and the roles they hold where."""

import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.auth.models import ApiKey, Role, RoleAssignment, User
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.model_base import utcnow
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


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


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


def _actor_for_api_key(session: Session, key: str) -> Actor:
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
    now = utcnow()
    # at most one write a minute per key, so reads stay reads
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
    return Actor(
        name=api_key.name,
        auth_method="api_key",
        grants=(Grant(Role(api_key.role), api_key.unit_id),),
        api_key_id=api_key.id,
    )


def get_actor(
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)] = None,
    x_api_key: Annotated[str | None, Depends(api_key_scheme)] = None,
) -> Actor:
    """Authenticate the request (bearer JWT, bearer API key or X-API-Key); 401 otherwise."""
    credential = x_api_key or bearer
    if not credential:
        raise _unauthorized()
    if credential.startswith(API_KEY_PREFIX):
        actor = _actor_for_api_key(session, credential)
    else:
        claims = decode_access_token(credential)
        if claims is None or not str(claims["sub"]).isdigit():
            raise _unauthorized("invalid_token")
        actor = _actor_for_user(session, int(claims["sub"]), str(claims["pwd"]))
    request.state.actor = actor
    request.state.actor_key = actor.key
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
