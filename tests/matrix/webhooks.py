"""Route matrix cases for webhooks: managed by whoever manages the key (user managers over
its unit), so an office beside it does not find them and an inspector is refused."""

from sqlalchemy import select

from app.auth.models import Role
from app.documents import crypto
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.matrix.base import Case, World

BASE = "/api/v1/api-keys/{key_id}/webhooks"


def _hook(w: World) -> WebhookSubscription:
    """The world's key's subscription, made on first use, with one delivered change."""
    found = w.session.scalar(
        select(WebhookSubscription).where(WebhookSubscription.api_key_id == w.key.id)
    )
    if found is not None:
        return found
    hook = WebhookSubscription(
        api_key_id=w.key.id or 0,
        url="https://93.184.215.14/hook",
        secret_encrypted=crypto.encrypt(b"whsec_" + b"A" * 44),
    )
    w.session.add(hook)
    w.session.flush()
    w.session.add(
        WebhookDelivery(
            subscription_id=hook.id or 0,
            change_id=1,
            order_key="unit:1",
            event_type="unit.update",
            body="{}",
            status="delivered",
            attempts=1,
        )
    )
    w.session.flush()
    return hook


def _url(w: World, tail: str = "") -> str:
    return f"/api/v1/api-keys/{w.key.id}/webhooks{tail}"


def _delivery(w: World) -> int:
    hook = _hook(w)
    found = w.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == hook.id)
    ).one()
    return found.id or 0


CASES = [
    Case(
        "GET",
        BASE,
        Role.department_officer,
        lambda w: (_url(w), None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        BASE,
        Role.department_officer,
        lambda w: (_url(w), {"url": "https://93.184.215.14/hook"}, {}),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        BASE + "/{webhook_id}",
        Role.department_officer,
        lambda w: (_url(w, f"/{_hook(w).id}"), None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "PATCH",
        BASE + "/{webhook_id}",
        Role.department_officer,
        lambda w: (_url(w, f"/{_hook(w).id}"), {"active": False}, {}),
        wrong=Role.inspector,
    ),
    Case(
        "DELETE",
        BASE + "/{webhook_id}",
        Role.department_officer,
        lambda w: (_url(w, f"/{_hook(w).id}"), None, {}),
        expect=204,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        BASE + "/{webhook_id}/deliveries",
        Role.department_officer,
        lambda w: (_url(w, f"/{_hook(w).id}/deliveries"), None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        BASE + "/{webhook_id}/deliveries/{delivery_id}/redeliver",
        Role.department_officer,
        lambda w: (_url(w, f"/{_hook(w).id}/deliveries/{_delivery(w)}/redeliver"), None, {}),
        wrong=Role.inspector,
    ),
]
