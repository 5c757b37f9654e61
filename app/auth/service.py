"""Users, roles, API keys and login."""

import math
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import exists, or_, select
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.models import ApiKey, LoginThrottle, Role, RoleAssignment, User
from app.auth.policies import (
    PERMISSIONS,
    RANK,
    Permission,
    authorize,
    grants_covering,
    require_global_admin,
    unit_filter,
)
from app.auth.schemas import ApiKeyCreate, GrantCreate, UserCreate, UserUpdate
from app.core.concurrency import check_version
from app.core.config import get_settings
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.core.model_base import utcnow
from app.core.pagination import PageParams, paginate
from app.core.security import (
    create_access_token,
    dummy_hash,
    hash_password,
    new_api_key,
    verify_password,
)
from app.staff.models import Staff
from app.staff.service import get_staff
from app.units.service import require_unit


class TooManyAttempts(AppError):
    status, code = 429, "too_many_attempts"


# --- login -------------------------------------------------------------------------------


def login(session: Session, username: str, password: str) -> tuple[str, int]:
    """A token for valid credentials. Failures are counted (and committed, since the
    request itself will fail) so that guessing is throttled across workers."""
    now = utcnow()
    throttle = session.get(LoginThrottle, username)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        seconds = math.ceil((throttle.locked_until - now).total_seconds())
        raise TooManyAttempts(headers={"Retry-After": str(seconds)}, seconds=seconds)
    user = session.scalar(select(User).where(User.username == username))
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if not (user and valid and user.is_active):
        _count_failure(session, throttle, username)
        session.commit()
        raise Unauthorized("invalid_credentials", headers={"WWW-Authenticate": "Bearer"})
    if throttle is not None:
        session.delete(throttle)
    assert user.id is not None
    return create_access_token(user.id, user.password_hash)


def _count_failure(session: Session, throttle: LoginThrottle | None, username: str) -> None:
    settings = get_settings()
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    if throttle is None:
        throttle = LoginThrottle(username=username, failures=0, window_started_at=now)
        session.add(throttle)
    if now - throttle.window_started_at > window:
        throttle.failures, throttle.window_started_at = 0, now
    throttle.failures += 1
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
        throttle.failures, throttle.window_started_at = 0, now
    session.flush()


# --- users -------------------------------------------------------------------------------


def _visible_users(actor: Actor, permission: Permission = Permission.read) -> object:
    """Users holding a role in scope, linked to staff in scope, or the caller."""
    in_scope = unit_filter(actor, RoleAssignment.unit_id, permission)
    has_role_here = exists().where(RoleAssignment.user_id == User.id, in_scope)
    staff_here = User.staff_id.in_(
        select(Staff.id).where(unit_filter(actor, Staff.unit_id, permission))
    )
    return or_(has_role_here, staff_here, User.id == actor.user_id)


def get_user(
    session: Session, actor: Actor, user_id: int, permission: Permission = Permission.read
) -> User:
    clause = _visible_users(actor, permission) if not actor.is_global_admin else True
    user = session.scalar(select(User).where(User.id == user_id, clause))
    if user is None:
        raise NotFound("user", user_id)
    return user


def list_users(
    session: Session, actor: Actor, page: PageParams, q: str | None = None
) -> tuple[Sequence[User], str | None]:
    stmt = select(User)
    if not actor.is_global_admin:
        stmt = stmt.where(_visible_users(actor))
    if q:
        stmt = stmt.where(User.username.contains(q.lower()))
    return paginate(session, stmt, User.id, page)


def roles_of(session: Session, user_ids: Sequence[int]) -> dict[int, list[RoleAssignment]]:
    """Role assignments of several users in one query (no N+1 on lists)."""
    out: dict[int, list[RoleAssignment]] = {uid: [] for uid in user_ids}
    rows = session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.user_id.in_(list(user_ids)))
        .order_by(RoleAssignment.id)
    )
    for row in rows:
        out[row.user_id].append(row)
    return out


def _ensure_grantable(session: Session, actor: Actor, role: Role, unit_id: int | None) -> None:
    """Nobody grants a role wider than their own: in rank, or beyond their subtree."""
    if unit_id is None:
        if role != Role.admin:
            raise InvalidInput(
                "validation_error",
                errors=[{"loc": ["body", "unit_id"], "msg": "required", "code": "missing"}],
                fields="unit_id",
            )
        require_global_admin(actor)
        return
    require_unit(session, actor, unit_id, "unit_id")
    grants = grants_covering(session, actor, Permission.manage_users, unit_id)
    if not grants:
        raise Forbidden("forbidden", permission=Permission.manage_users.value)
    best = max(grants, key=lambda g: RANK[g.role])
    if RANK[role] > RANK[best.role]:
        raise Forbidden("role_too_wide", role=role.value)
    actor.acting = best


def _link_staff(session: Session, actor: Actor, user: User, staff_id: int | None) -> None:
    if staff_id is not None:
        staff = get_staff(session, actor, staff_id)
        authorize(session, actor, Permission.manage_users, staff.unit_id)
        taken = session.scalar(select(User.id).where(User.staff_id == staff_id, User.id != user.id))
        if taken is not None:
            raise Conflict("staff_already_linked", staff_id=staff_id)
    user.staff_id = staff_id


def _require_user_manager(actor: Actor) -> None:
    if not (actor.is_global_admin or actor.has_role(PERMISSIONS[Permission.manage_users])):
        raise Forbidden("forbidden", permission=Permission.manage_users.value)


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    _require_user_manager(actor)
    if not (actor.is_global_admin or data.roles or data.staff_id):
        raise InvalidInput("user_needs_scope")
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise Conflict("username_taken", value=data.username)
    user = User(
        username=data.username,
        password_hash=hash_password(data.password.get_secret_value()),
        full_name=data.full_name,
    )
    _link_staff(session, actor, user, data.staff_id)
    session.add(user)
    session.flush()
    for grant in data.roles:
        grant_role(session, actor, user, grant)
    return user


def _authorize_user_change(session: Session, actor: Actor, user: User) -> None:
    """403 unless the caller manages users where this user has a role or a staff record."""
    _require_user_manager(actor)
    if actor.is_global_admin:
        require_global_admin(actor)
        return
    managed = session.scalar(
        select(User.id).where(User.id == user.id, _visible_users(actor, Permission.manage_users))
    )
    if managed is None:
        raise Forbidden("forbidden", permission=Permission.manage_users.value)


def update_user(
    session: Session, actor: Actor, user: User, data: UserUpdate, expected_version: int
) -> User:
    """People change their own name and password; managers change everyone in scope."""
    changes = data.model_dump(exclude_unset=True)
    if user.id != actor.user_id or {"is_active", "staff_id"} & changes.keys():
        _authorize_user_change(session, actor, user)
    check_version(user.version, expected_version)
    if "staff_id" in changes:
        _link_staff(session, actor, user, changes.pop("staff_id"))
    if "password" in changes:
        user.password_hash = hash_password(changes.pop("password").get_secret_value())
    for field, value in changes.items():
        setattr(user, field, value)
    session.flush()
    return user


def _bind_event(session: Session, actor: Actor, data: GrantCreate) -> GrantCreate:
    """An organizer bound to one event holds the role at the event's organising unit."""
    if data.event_id is None:
        return data
    from app.events.service import get_event  # events build on auth, not the reverse

    event = get_event(session, actor, data.event_id)
    return data.model_copy(update={"unit_id": event.organizer_unit_id})


def grant_role(session: Session, actor: Actor, user: User, data: GrantCreate) -> RoleAssignment:
    data = _bind_event(session, actor, data)
    _ensure_grantable(session, actor, data.role, data.unit_id)
    duplicate = session.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == data.role,
            RoleAssignment.unit_id.is_(None)
            if data.unit_id is None
            else RoleAssignment.unit_id == data.unit_id,
            RoleAssignment.event_id.is_(None)
            if data.event_id is None
            else RoleAssignment.event_id == data.event_id,
        )
    )
    if duplicate is not None:
        raise Conflict("role_already_granted")
    assert user.id is not None
    assignment = RoleAssignment(
        user_id=user.id,
        role=data.role,
        unit_id=data.unit_id,
        event_id=data.event_id,
        granted_by_user_id=actor.user_id,
    )
    session.add(assignment)
    session.flush()
    return assignment


def revoke_role(session: Session, actor: Actor, user: User, assignment_id: int) -> None:
    assignment = session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.id == assignment_id, RoleAssignment.user_id == user.id
        )
    )
    if assignment is None:
        raise NotFound("role_assignment", assignment_id)
    _ensure_grantable(session, actor, Role(assignment.role), assignment.unit_id)
    session.delete(assignment)
    session.flush()


# --- API keys ----------------------------------------------------------------------------


def list_api_keys(
    session: Session, actor: Actor, page: PageParams
) -> tuple[Sequence[ApiKey], str | None]:
    _require_user_manager(actor)
    stmt = select(ApiKey).where(unit_filter(actor, ApiKey.unit_id, Permission.manage_users))
    return paginate(session, stmt, ApiKey.id, page)


def get_api_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    _require_user_manager(actor)
    stmt = select(ApiKey).where(
        ApiKey.id == key_id, unit_filter(actor, ApiKey.unit_id, Permission.manage_users)
    )
    key = session.scalar(stmt)
    if key is None:
        raise NotFound("api_key", key_id)
    return key


def create_api_key(session: Session, actor: Actor, data: ApiKeyCreate) -> tuple[ApiKey, str]:
    if actor.auth_method != "password":
        raise Forbidden("forbidden", permission=Permission.manage_users.value)
    _ensure_grantable(session, actor, data.role, data.unit_id)
    key, prefix, key_hash = new_api_key()
    api_key = ApiKey(
        name=data.name,
        prefix=prefix,
        key_hash=key_hash,
        role=data.role,
        unit_id=data.unit_id,
        created_by_user_id=actor.user_id,
    )
    session.add(api_key)
    session.flush()
    return api_key, key


def revoke_api_key(session: Session, actor: Actor, api_key: ApiKey) -> ApiKey:
    authorize(session, actor, Permission.manage_users, api_key.unit_id)
    if api_key.revoked_at is not None:
        raise Conflict("api_key_revoked")
    api_key.revoked_at = utcnow()
    session.flush()
    return api_key


# --- bootstrap ---------------------------------------------------------------------------


def create_admin(session: Session, username: str, password: str) -> User:
    """A system-wide admin (no unit): used by `bdtx create-admin` and the start-up bootstrap."""
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("username_taken", value=username)
    user = User(username=username, password_hash=hash_password(password), full_name=username)
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(RoleAssignment(user_id=user.id, role=Role.admin, unit_id=None))
    session.flush()
    return user


def admin_exists(session: Session) -> bool:
    return session.scalar(select(exists().where(RoleAssignment.role == Role.admin))) or False
