from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.schemas import InputModel, ReadModel
from app.core.types import Id


class NotificationRead(ReadModel):
    id: int
    kind: str = Field(description="What it is about; the kinds are those of the preferences.")
    subject: str = Field(description="The object it is about, e.g. `event:12`.")
    step: str = Field(description="For reminders: which one of a series, e.g. `d3`.")
    title: str
    body: str
    data: dict[str, Any] | None
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkAsRead(InputModel):
    ids: list[Id] | None = Field(
        default=None,
        max_length=500,
        description="These notifications (all must be yours); omit to mark all read.",
    )


class MarkedRead(BaseModel):
    marked: int = Field(description="How many were unread and are now read.")


Preferences = dict[str, dict[str, bool]]


class PreferencesRead(BaseModel):
    preferences: Preferences = Field(
        description="kind → channel (`in_app`, `email`) → on. Every kind is listed."
    )


class PreferencesUpdate(InputModel):
    preferences: dict[str, dict[str, bool]] = Field(
        description="Only the kinds and channels to change, e.g. "
        '`{"session_amended": {"email": false}}`.'
    )
