"""Webhook subscriptions of integration keys and their deliveries (app.webhooks)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.changes.models import ChangeId
from app.core.model_base import UTCDateTime, utcnow


class WebhookSubscription(SQLModel, table=True):
    """Where an API key's changes are pushed. ``position`` is its own cursor in the change
    feed: the worker that locks the row turns the changes after it into deliveries and moves
    it in the same transaction, so nothing committed is skipped or queued twice."""

    __tablename__ = "webhook_subscription"

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_key.id", ondelete="CASCADE", index=True)
    url: str = Field(max_length=2000)
    # Fernet-encrypted ``whsec_…`` (app.documents.crypto): the worker needs the secret itself
    # to sign, so it cannot be hashed as API keys are
    secret_encrypted: bytes = Field(sa_type=sa.LargeBinary)
    # filters: feed resource names and ops (create, update, delete, moved_out); empty = all
    resources: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    ops: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    active: bool = True
    position: int = Field(default=0, sa_type=sa.BigInteger)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One change for one subscription, kept as the delivery log. Workers lease rows as they
    do e-mails; a delivery waits while an earlier one for the same object (``order_key``) is
    still pending, so each object's changes arrive in feed order."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "change_id", name="uq_webhook_delivery_once"),
        sa.Index("ix_webhook_delivery_due", "status", "due_at"),
        sa.Index("ix_webhook_delivery_order", "subscription_id", "order_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id", ondelete="CASCADE")
    change_id: int = Field(sa_type=ChangeId)
    order_key: str = Field(max_length=96)  # ``staff:12``: the object the change is about
    event_type: str = Field(max_length=96)  # ``staff.update``
    # the exact bytes signed and sent, so every attempt (and a redelivery) sends the same
    body: str = Field(sa_type=sa.Text)
    status: str = Field(default="pending", max_length=16)  # pending, delivered, dead
    attempts: int = 0
    due_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=64)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
