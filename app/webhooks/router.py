from typing import Annotated

from fastapi import Query, Response, status

from app.auth.actor import ActorDep
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.core.types import Id
from app.web.routing import api_router
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryRead,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

# a plain prefix: PrefixRouter matches it literally, so the key id goes in each path
router = api_router("/api/v1/api-keys", "webhooks")
HOOKS = "/{key_id}/webhooks"
READ = problem_responses(403, 404)


@router.get(HOOKS, name="webhooks-list", response_model=Page[WebhookRead], responses=READ)
def list_webhooks(
    session: SessionDep, actor: ActorDep, key_id: Id, page: PageDep
) -> Page[WebhookRead]:
    """The key's webhook subscriptions (for those who manage the key)."""
    items, cursor = service.list_webhooks(session, actor, key_id, page)
    return Page(items=[WebhookRead.model_validate(w) for w in items], next_cursor=cursor)


@router.post(
    HOOKS,
    name="webhooks-create",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses=problem_responses(403, 404, 409, 422),
)
def create_webhook(
    session: SessionDep, actor: ActorDep, key_id: Id, body: WebhookCreate
) -> WebhookCreated:
    """Push the key's changes to a URL from now on, as the change feed serves them to the key
    (its scope, these filters), signed as Standard Webhooks describes. The secret is in this
    answer only."""
    webhook, secret = service.create_webhook(session, actor, key_id, body)
    return WebhookCreated(**WebhookRead.model_validate(webhook).model_dump(), secret=secret)


@router.get(
    HOOKS + "/{webhook_id}", name="webhooks-get", response_model=WebhookRead, responses=READ
)
def get_webhook(session: SessionDep, actor: ActorDep, key_id: Id, webhook_id: Id) -> WebhookRead:
    return WebhookRead.model_validate(service.get_webhook(session, actor, key_id, webhook_id))


@router.patch(
    HOOKS + "/{webhook_id}",
    name="webhooks-update",
    response_model=WebhookRead,
    responses=problem_responses(403, 404, 409, 422),
)
def update_webhook(
    session: SessionDep, actor: ActorDep, key_id: Id, webhook_id: Id, body: WebhookUpdate
) -> WebhookRead:
    """Change the address or filters; `active: false` pauses (the subscription keeps its
    place in the feed), `true` resumes and catches up in order. 409
    `webhook_behind_retention` when the feed has dropped changes it never sent."""
    webhook = service.get_webhook(session, actor, key_id, webhook_id)
    return WebhookRead.model_validate(service.update_webhook(session, actor, webhook, body))


@router.delete(
    HOOKS + "/{webhook_id}",
    name="webhooks-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=READ,
)
def delete_webhook(session: SessionDep, actor: ActorDep, key_id: Id, webhook_id: Id) -> Response:
    """Stop pushing; pending deliveries and the log go with it."""
    service.delete_webhook(session, actor, service.get_webhook(session, actor, key_id, webhook_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    HOOKS + "/{webhook_id}/deliveries",
    name="webhooks-deliveries-list",
    response_model=Page[DeliveryRead],
    responses=READ,
)
def list_deliveries(
    session: SessionDep,
    actor: ActorDep,
    key_id: Id,
    webhook_id: Id,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only this status")] = None,
) -> Page[DeliveryRead]:
    """The delivery log, newest first: each change sent, its attempts and last answer."""
    webhook = service.get_webhook(session, actor, key_id, webhook_id)
    items, cursor = service.list_deliveries(session, webhook, page, status)
    return Page(items=[DeliveryRead.of(d) for d in items], next_cursor=cursor)


@router.post(
    HOOKS + "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    name="webhooks-deliveries-redeliver",
    response_model=DeliveryRead,
    responses=problem_responses(403, 404, 409),
)
def redeliver(
    session: SessionDep, actor: ActorDep, key_id: Id, webhook_id: Id, delivery_id: Id
) -> DeliveryRead:
    """Send a delivered or dead delivery again, unchanged: same `webhook-id`, same body
    (a fresh timestamp and signature). A pending one is 409."""
    webhook = service.get_webhook(session, actor, key_id, webhook_id)
    return DeliveryRead.of(service.redeliver(session, actor, webhook, delivery_id))
