from typing import Annotated

from fastapi import Query

from app.auth.actor import ActorDep
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.notify import service
from app.notify.schemas import (
    MarkAsRead,
    MarkedRead,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    UnreadCount,
)
from app.web.routing import api_router

router = api_router("/api/v1/notifications", "notifications")
OWN = problem_responses(403)


@router.get("", name="notifications-list", response_model=Page[NotificationRead], responses=OWN)
def list_notifications(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    unread: Annotated[bool | None, Query(description="true: unread only; false: read")] = None,
    kind: Annotated[str | None, Query(max_length=64, description="One kind")] = None,
) -> Page[NotificationRead]:
    """The caller's own notifications, newest first (API keys have none: 403)."""
    items, cursor = service.list_own(session, actor, page, unread, kind)
    return Page(items=[NotificationRead.model_validate(n) for n in items], next_cursor=cursor)


@router.get(
    "/unread-count", name="notifications-unread-count", response_model=UnreadCount, responses=OWN
)
def unread_count(session: SessionDep, actor: ActorDep) -> UnreadCount:
    return UnreadCount(unread=service.count_unread(session, actor))


@router.post(
    "/read",
    name="notifications-mark-read",
    response_model=MarkedRead,
    responses=problem_responses(403, 404),
)
def mark_read(session: SessionDep, actor: ActorDep, body: MarkAsRead) -> MarkedRead:
    """Mark some (`ids`) or all of the caller's notifications read; another's id is 404."""
    return MarkedRead(marked=service.mark_read(session, actor, body.ids))


@router.get(
    "/preferences",
    name="notifications-preferences-get",
    response_model=PreferencesRead,
    responses=OWN,
)
def get_preferences(session: SessionDep, actor: ActorDep) -> PreferencesRead:
    """Which kinds reach the caller by which channel (every kind is listed)."""
    return PreferencesRead(preferences=service.preferences(session, actor))


@router.put(
    "/preferences",
    name="notifications-preferences-put",
    response_model=PreferencesRead,
    responses=problem_responses(403, 422),
)
def put_preferences(
    session: SessionDep, actor: ActorDep, body: PreferencesUpdate
) -> PreferencesRead:
    """Turn kinds on or off per channel (`in_app`, `email`); unnamed ones stay as they are."""
    return PreferencesRead(preferences=service.set_preferences(session, actor, body.changes()))
