"""Webhook subscriptions (managed by whoever manages the key) and the worker's side of
delivery: turning the change feed into deliveries, claiming and recording them.

Deliveries are at-least-once: a worker killed between sending and recording sends the same
message again after its lease, with the same ``webhook-id`` (``bdtx-<subscription>-<change>``),
which is how receivers recognise a duplicate.
"""

import json
import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.auth import service as auth
from app.auth.actor import Actor, Grant
from app.auth.models import ApiKey, Role, User
from app.auth.policies import Permission, authorize
from app.changes import service as feed
from app.changes.models import Change
from app.changes.schemas import ChangeRead
from app.core.config import Settings, get_settings
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.model_base import utcnow
from app.core.pagination import PageParams, paginate
from app.documents import crypto
from app.webhooks import signing, urls
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import WebhookCreate, WebhookUpdate
from app.webhooks.sender import Outcome

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
log = logging.getLogger(__name__)


# --- subscriptions (API) ----------------------------------------------------------------


def key_actor(key: ApiKey) -> Actor:
    """The key as the feed sees it: a delivery carries only what the key may read."""
    return Actor(
        name=key.name,
        auth_method="api_key",
        grants=(Grant(Role(key.role), key.unit_id),),
        api_key_id=key.id,
    )


def _refused(field: str, reason: str) -> InvalidInput:
    item = {"loc": ["body", field], "msg": reason, "code": "webhook_url_refused"}
    return InvalidInput("webhook_url_refused", errors=[item], field=field)


def check_url(url: str) -> None:
    try:
        urls.check(url, get_settings().webhook_allow_private)
    except urls.RefusedUrl as exc:
        raise _refused("url", str(exc)) from exc


def list_webhooks(
    session: Session, actor: Actor, key_id: int, page: PageParams
) -> tuple[list[WebhookSubscription], str | None]:
    auth.get_api_key(session, actor, key_id)
    stmt = select(WebhookSubscription).where(WebhookSubscription.api_key_id == key_id)
    return paginate(session, stmt, WebhookSubscription.id, page)


def get_webhook(
    session: Session, actor: Actor, key_id: int, webhook_id: int
) -> WebhookSubscription:
    auth.get_api_key(session, actor, key_id)
    found = session.get(WebhookSubscription, webhook_id)
    if found is None or found.api_key_id != key_id:
        raise NotFound("webhook", webhook_id)
    return found


def create_webhook(
    session: Session, actor: Actor, key_id: int, data: WebhookCreate
) -> tuple[WebhookSubscription, str]:
    """A subscription from now on (the feed's current end); returns it and its secret."""
    key = auth.get_api_key(session, actor, key_id)
    authorize(session, actor, Permission.manage_users, key.unit_id)
    if key.revoked_at is not None:
        raise Conflict("api_key_revoked")
    if not feed.may_read(key_actor(key)):
        raise Conflict("webhook_key_cannot_read_changes", role=key.role.value)
    check_url(str(data.url))
    secret = data.secret or signing.new_secret()
    webhook = WebhookSubscription(
        api_key_id=key_id,
        url=str(data.url),
        secret_encrypted=crypto.encrypt(secret.encode()),
        resources=sorted(set(data.resources)),
        ops=sorted(set(data.ops)),
        position=session.scalar(select(func.max(Change.id))) or 0,
        created_by_user_id=actor.user_id,
    )
    session.add(webhook)
    session.flush()
    return webhook, secret


def update_webhook(
    session: Session, actor: Actor, webhook: WebhookSubscription, data: WebhookUpdate
) -> WebhookSubscription:
    """Change the address or filters, pause or resume. Resuming behind what the feed's
    retention dropped is 409: those changes cannot be sent; subscribe afresh and resync."""
    key = session.get(ApiKey, webhook.api_key_id)
    authorize(session, actor, Permission.manage_users, key.unit_id if key else None)
    if data.url is not None:
        check_url(str(data.url))
        webhook.url = str(data.url)
    if data.resources is not None:
        webhook.resources = sorted(set(data.resources))
    if data.ops is not None:
        webhook.ops = sorted(set(data.ops))
    if data.active and not webhook.active and feed.behind_horizon(session, webhook.position):
        raise Conflict("webhook_behind_retention")
    if data.active is not None:
        webhook.active = data.active
    session.add(webhook)
    session.flush()
    return webhook


def delete_webhook(session: Session, actor: Actor, webhook: WebhookSubscription) -> None:
    key = session.get(ApiKey, webhook.api_key_id)
    authorize(session, actor, Permission.manage_users, key.unit_id if key else None)
    session.delete(webhook)
    session.flush()


def list_deliveries(
    session: Session, webhook: WebhookSubscription, page: PageParams, status: str | None
) -> tuple[list[WebhookDelivery], str | None]:
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook.id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    return paginate(session, stmt, WebhookDelivery.id, page, newest_first=True)


def redeliver(
    session: Session, actor: Actor, webhook: WebhookSubscription, delivery_id: int
) -> WebhookDelivery:
    """Send a delivered or dead delivery again, as it was (same webhook-id and body)."""
    key = session.get(ApiKey, webhook.api_key_id)
    authorize(session, actor, Permission.manage_users, key.unit_id if key else None)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != webhook.id:
        raise NotFound("webhook_delivery", delivery_id)
    if delivery.status == PENDING:
        raise Conflict("webhook_delivery_pending")
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.due_at = utcnow()
    delivery.leased_until = None
    delivery.lease_owner = None
    session.add(delivery)
    session.flush()
    return delivery


# --- the worker: feed -> deliveries ------------------------------------------------------


def message_id(delivery: WebhookDelivery) -> str:
    """The ``webhook-id``: one per (subscription, change), the same on every attempt."""
    return f"bdtx-{delivery.subscription_id}-{delivery.change_id}"


def _body(change: ChangeRead) -> str:
    """The Standard Webhooks envelope; ``data`` is the change exactly as the feed serves it."""
    payload = {
        "type": f"{change.resource}.{change.op}",
        "timestamp": change.committed_at.isoformat().replace("+00:00", "Z"),
        "data": change.model_dump(mode="json"),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _live_key(session: Session, webhook: WebhookSubscription) -> ApiKey | None:
    """The key, unless revoked or its issuer deactivated (then it reads nothing)."""
    found = session.execute(
        select(ApiKey, User.is_active)
        .outerjoin(User, User.id == ApiKey.created_by_user_id)
        .where(ApiKey.id == webhook.api_key_id)
    ).first()
    if found is None:
        return None
    key, creator_active = found
    return None if key.revoked_at is not None or creator_active is False else key


def subscription_ids(session: Session) -> Sequence[int]:
    stmt = select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True))
    return [i for i in session.scalars(stmt) if i is not None]


def enqueue(session: Session, webhook_id: int, limit: int = 500) -> int:
    """Deliveries for the changes after the subscription's position that its key may read;
    the position moves in the same transaction (the caller commits). A subscription another
    worker holds is skipped (SKIP LOCKED). Returns how many deliveries were made."""
    webhook = session.scalar(
        select(WebhookSubscription)
        .where(WebhookSubscription.id == webhook_id, WebhookSubscription.active.is_(True))
        .with_for_update(skip_locked=True)
    )
    if webhook is None:
        return 0
    key = _live_key(session, webhook)
    actor = key_actor(key) if key else None
    if actor is None or not feed.may_read(actor):
        return 0
    if feed.behind_horizon(session, webhook.position):
        # the worker was stopped for longer than the feed's retention: what was dropped
        # cannot be sent; pausing says so in the API instead of failing every round
        log.warning("webhook %s paused: behind the change feed's retention", webhook.id)
        webhook.active = False
        session.add(webhook)
        session.flush()
        return 0
    query = feed.FeedQuery(after=webhook.position, limit=limit, resources=webhook.resources)
    items, position, _more = feed.read_feed(session, actor, query)
    made = 0
    for item in items:
        change = ChangeRead.of(item)
        if webhook.ops and change.op not in webhook.ops:
            continue
        session.add(
            WebhookDelivery(
                subscription_id=webhook.id or 0,
                change_id=change.id,
                order_key=f"{change.resource}:{change.resource_id}"[:96],
                event_type=f"{change.resource}.{change.op}"[:96],
                body=_body(change),
            )
        )
        made += 1
    if position != webhook.position:
        webhook.position = position
        session.add(webhook)
    session.flush()
    return made


# --- the worker: claiming and recording ---------------------------------------------------


def _sendable() -> object:
    """The subscription is active and its key still live."""
    sub = WebhookSubscription
    return exists(
        select(sub.id)
        .join(ApiKey, ApiKey.id == sub.api_key_id)
        .where(sub.id == WebhookDelivery.subscription_id, sub.active.is_(True))
        .where(ApiKey.revoked_at.is_(None))
    )


def claim(session: Session, owner: str, limit: int, lease: timedelta) -> list[WebhookDelivery]:
    """Due deliveries no live lease holds and no earlier pending delivery of the same object
    precedes (order per object), leased to ``owner``; the caller commits at once."""
    now = utcnow()
    earlier = aliased(WebhookDelivery)
    waiting = exists(
        select(earlier.id).where(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.order_key == WebhookDelivery.order_key,
            earlier.status == PENDING,
            earlier.id < WebhookDelivery.id,
        )
    )
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == PENDING,
            WebhookDelivery.due_at <= now,
            or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
            ~waiting,
            _sendable(),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(
            leased_until=now + lease,
            lease_owner=owner,
            attempts=WebhookDelivery.attempts + 1,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def secrets_of(session: Session, subscription_ids: set[int]) -> dict[int, tuple[str, str]]:
    """(url, secret) per subscription, decrypted once per batch."""
    rows = session.execute(
        select(
            WebhookSubscription.id, WebhookSubscription.url, WebhookSubscription.secret_encrypted
        ).where(WebhookSubscription.id.in_(subscription_ids))
    ).all()
    return {r.id: (r.url, crypto.decrypt(r.secret_encrypted).decode()) for r in rows}


def backoff(attempts: int, base: float) -> timedelta:
    """base, 2×base, 4×base … capped at 6 h."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _mine(owner: str, delivery_id: int) -> object:
    return and_(WebhookDelivery.id == delivery_id, WebhookDelivery.lease_owner == owner)


def record(
    session: Session,
    owner: str,
    delivery: WebhookDelivery,
    outcome: Outcome,
    settings: Settings,
) -> None:
    """The attempt's outcome, if the lease is still this worker's."""
    ok, status_code, error = outcome.ok, outcome.status_code, outcome.error
    now = utcnow()
    values: dict[str, object] = {
        "leased_until": None,
        "last_status_code": status_code,
        "last_error": (error or "")[:1000] or None,
    }
    if ok:
        values |= {"status": DELIVERED, "delivered_at": now}
    else:
        dead = delivery.attempts >= settings.webhook_max_attempts
        wait = backoff(delivery.attempts, settings.webhook_backoff_seconds)
        values |= {"status": DEAD if dead else PENDING, "due_at": now + wait}
    session.execute(update(WebhookDelivery).where(_mine(owner, delivery.id or 0)).values(**values))


def release(session: Session, owner: str, ids: list[int]) -> None:
    """Hand back claimed deliveries unsent (graceful stop): no attempt is counted."""
    if ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.lease_owner == owner)
            .values(leased_until=None, lease_owner=None, attempts=WebhookDelivery.attempts - 1)
        )
