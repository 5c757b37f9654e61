from typing import Annotated

from fastapi import Depends, Query, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.actor import ActorDep
from app.auth.models import ApiKey, User
from app.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    GrantCreate,
    GrantRead,
    HeldRole,
    MeRead,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from app.core.concurrency import IfMatchDep, set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.idempotency import IdempotencyDep
from app.core.pagination import PageDep
from app.core.schemas import Page, whole
from app.core.text import nfc
from app.core.types import Id
from app.staff.schemas import StaffRead
from app.staff.service import get_staff
from app.web.routing import api_router

auth_router = api_router("/api/v1/auth", "auth", public=True)
me_router = api_router("/api/v1/me", "auth")
users_router = api_router("/api/v1/users", "users")
keys_router = api_router("/api/v1/api-keys", "api-keys")
WRITE_PROBLEMS = problem_responses(403, 404, 409, 412, 428)


@auth_router.post(
    "/token", name="auth-token", response_model=TokenRead, responses=problem_responses(401, 429)
)
def token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenRead:
    """OAuth2 password flow: a short-lived bearer token (`expires_in` seconds)."""
    access, expires_in = service.login(session, nfc(form.username).lower(), form.password)
    return TokenRead(access_token=access, expires_in=expires_in)


def _user_read(user: User, roles: list[GrantRead] | None = None) -> UserRead:
    return UserRead.model_validate(user).model_copy(update={"roles": roles or []})


def _with_roles(session: SessionDep, users: list[User]) -> list[UserRead]:
    by_user = service.roles_of(session, [u.id for u in users if u.id is not None])
    return [_user_read(u, [GrantRead.model_validate(r) for r in by_user[u.id or 0]]) for u in users]


@me_router.get("", name="me-get")
def me(session: SessionDep, actor: ActorDep) -> MeRead:
    """Who the caller is: the user or API key, the linked staff record, the roles held."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    key = session.get(ApiKey, actor.api_key_id) if actor.api_key_id else None
    staff = get_staff(session, actor, actor.staff_id) if actor.staff_id else None
    return MeRead(
        auth_method=actor.auth_method,
        user=_with_roles(session, [user])[0] if user else None,
        api_key=ApiKeyRead.model_validate(key) if key else None,
        staff=StaffRead.model_validate(staff) if staff else None,
        roles=[
            HeldRole(role=g.role, unit_id=g.unit_id, event_id=g.event_id)
            for g in (*actor.grants, *actor.event_grants)
        ],
    )


@users_router.get("", name="users-list", response_model=Page[UserRead])
def list_users(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=64, description="Part of a username")] = None,
) -> Page[UserRead]:
    items, cursor = service.list_users(session, actor, page, q)
    return Page(items=_with_roles(session, list(items)), next_cursor=cursor)


@users_router.post(
    "",
    name="users-create",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=problem_responses(403, 409),
)
def create_user(
    session: SessionDep, actor: ActorDep, body: UserCreate, response: Response
) -> UserRead:
    user = service.create_user(session, actor, body)
    response.headers["Location"] = f"{users_router.prefix}/{user.id}"
    set_etag(response, user.version)
    return _with_roles(session, [user])[0]


@users_router.get("/{user_id}", name="users-get", responses=problem_responses(404))
def get_user(session: SessionDep, actor: ActorDep, user_id: Id, response: Response) -> UserRead:
    user = service.get_user(session, actor, user_id)
    set_etag(response, user.version)
    return _with_roles(session, [user])[0]


@users_router.patch("/{user_id}", name="users-update", responses=WRITE_PROBLEMS)
def update_user(
    session: SessionDep,
    actor: ActorDep,
    user_id: Id,
    body: UserUpdate,
    version: IfMatchDep,
    response: Response,
) -> UserRead:
    user = service.get_user(session, actor, user_id)
    user = service.update_user(session, actor, user, body, version)
    set_etag(response, user.version)
    return _with_roles(session, [user])[0]


@users_router.get(
    "/{user_id}/roles",
    name="users-roles-list",
    response_model=Page[GrantRead],
    responses=problem_responses(404),
)
def list_roles(session: SessionDep, actor: ActorDep, user_id: Id) -> Page[GrantRead]:
    service.get_user(session, actor, user_id)  # 404 unless visible
    return whole(
        [GrantRead.model_validate(r) for r in service.roles_of(session, [user_id])[user_id]]
    )


@users_router.post(
    "/{user_id}/roles",
    name="users-roles-grant",
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotencyDep],
    responses=WRITE_PROBLEMS,
)
def grant_role(session: SessionDep, actor: ActorDep, user_id: Id, body: GrantCreate) -> GrantRead:
    """Grant a role over a unit's subtree; never wider than the caller's own."""
    user = service.get_user(session, actor, user_id)
    return GrantRead.model_validate(service.grant_role(session, actor, user, body))


@users_router.delete(
    "/{user_id}/roles/{assignment_id}",
    name="users-roles-revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRITE_PROBLEMS,
)
def revoke_role(session: SessionDep, actor: ActorDep, user_id: Id, assignment_id: Id) -> Response:
    service.revoke_role(session, actor, service.get_user(session, actor, user_id), assignment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@keys_router.get("", name="api-keys-list", response_model=Page[ApiKeyRead])
def list_keys(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[ApiKeyRead]:
    items, cursor = service.list_api_keys(session, actor, page)
    return Page(items=[ApiKeyRead.model_validate(k) for k in items], next_cursor=cursor)


# No Idempotency-Key here: replaying would mean storing the key itself, which we never do.
@keys_router.post(
    "",
    name="api-keys-create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def create_key(
    session: SessionDep, actor: ActorDep, body: ApiKeyCreate, response: Response
) -> ApiKeyCreated:
    """Create a key for an integrating system; the key is in this response and nowhere else."""
    api_key, key = service.create_api_key(session, actor, body)
    response.headers["Location"] = f"{keys_router.prefix}/{api_key.id}"
    return ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(api_key).model_dump(), "key": key}
    )


@keys_router.get("/{key_id}", name="api-keys-get", responses=problem_responses(404))
def get_key(session: SessionDep, actor: ActorDep, key_id: Id) -> ApiKeyRead:
    return ApiKeyRead.model_validate(service.get_api_key(session, actor, key_id))


@keys_router.post(
    "/{key_id}/revoke", name="api-keys-revoke", responses=problem_responses(403, 404, 409)
)
def revoke_key(session: SessionDep, actor: ActorDep, key_id: Id) -> ApiKeyRead:
    api_key = service.revoke_api_key(session, actor, service.get_api_key(session, actor, key_id))
    return ApiKeyRead.model_validate(api_key)
