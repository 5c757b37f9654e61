from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints

from app.changes.schemas import Op, Resource
from app.core.types import patterned
from app.webhooks.models import WebhookDelivery
from app.webhooks.signing import SECRET_PATTERN

WebhookUrl = Annotated[AnyUrl, UrlConstraints(max_length=2000, allowed_schemes=["https", "http"])]
DeliveryStatus = Literal["pending", "delivered", "dead"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(
        description="Where to POST; https, and not to loopback, private or link-local "
        "addresses unless the server allows it (`BDTX_WEBHOOK_ALLOW_PRIVATE`)."
    )
    secret: Annotated[str, patterned(SECRET_PATTERN)] | None = Field(
        default=None,
        description="`whsec_` and the base64 of 24–64 random bytes; omit to have one "
        "generated. Shown once, in this answer.",
    )
    resources: list[Resource] = Field(
        default_factory=list, max_length=100, description="Only these resources; empty: all."
    )
    ops: list[Op] = Field(
        default_factory=list, max_length=4, description="Only these ops; empty: all."
    )


class WebhookUpdate(BaseModel):
    """Only the fields given change. A paused subscription (`active: false`) keeps its place
    in the feed: resumed, it sends what happened meanwhile, in order."""

    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl | None = Field(default=None, description="A new address, checked as on create.")
    resources: list[Resource] | None = Field(
        default=None, max_length=100, description="Only these resources; empty: all."
    )
    ops: list[Op] | None = Field(
        default=None, max_length=4, description="Only these ops; empty: all."
    )
    active: bool | None = Field(default=None, description="false pauses, true resumes.")


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    api_key_id: int
    url: str
    resources: list[str]
    ops: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Verify signatures with it; it is not shown again.")


class DeliveryRead(BaseModel):
    id: int
    webhook_id: int
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    change_id: int
    event_type: str = Field(description="`<resource>.<op>`, e.g. `staff.update`.")
    status: DeliveryStatus
    attempts: int
    due_at: datetime
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, d: WebhookDelivery) -> "DeliveryRead":
        return cls(
            id=d.id or 0,
            webhook_id=d.subscription_id,
            message_id=f"bdtx-{d.subscription_id}-{d.change_id}",
            change_id=d.change_id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            due_at=d.due_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            last_attempt_at=d.last_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
        )
