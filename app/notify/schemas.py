from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, create_model

from app.core.schemas import InputModel, ReadModel
from app.core.types import Id
from app.notify.kinds import KINDS, NotificationKind


class NotificationRead(ReadModel):
    id: int
    kind: NotificationKind = Field(description="What it is about; the kinds of the preferences.")
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


class ChannelSettings(BaseModel):
    in_app: bool = Field(description="Shown in the notification list.")
    email: bool = Field(description="Sent by e-mail as well.")


class ChannelChange(InputModel):
    in_app: bool | None = Field(default=None, description="Omit to leave as it is.")
    email: bool | None = Field(default=None, description="Omit to leave as it is.")


# One property per kind, so a generated client knows every kind and nothing else is accepted.
Preferences = create_model(
    "Preferences",
    __base__=BaseModel,
    **{kind: (ChannelSettings, Field(description=title)) for kind, title in KINDS.items()},
)
PreferencesChange = create_model(
    "PreferencesChange",
    __base__=InputModel,
    **{
        kind: (ChannelChange | None, Field(default=None, description=title))
        for kind, title in KINDS.items()
    },
)


class PreferencesRead(BaseModel):
    preferences: Preferences = Field(
        description="Every kind, each with its channels and whether they are on."
    )


class PreferencesUpdate(InputModel):
    preferences: PreferencesChange = Field(
        description="Only the kinds and channels to change, e.g. "
        '`{"session_amended": {"email": false}}`.'
    )

    def changes(self) -> dict[str, dict[str, bool]]:
        """kind → channel → on, for what the request names."""
        return self.preferences.model_dump(exclude_none=True)
