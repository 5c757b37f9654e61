"""Webhooks for integration keys (issue 20): the change feed pushed to a receiver, signed as
Standard Webhooks describes, at least once, in order per object, with retries."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select, update
from sqlmodel import Session

from app.changes.models import ChangeHorizon
from app.changes.service import decode_position
from app.core.config import Settings
from app.core.model_base import utcnow
from app.webhooks import service
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import make_tree
from tests.webhooks.conftest import make_worker
from tests.webhooks.receiver import Receiver

TOLERANCE = 5 * 60  # seconds: the specification's suggested replay window


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks verification, written from the specification, not from app code."""
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_") :])
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return True
    return False


def _key(client: TestClient, unit_id: int, role: str = "integration") -> dict[str, Any]:
    r = client.post("/api/v1/api-keys", json={"name": "SMAS", "role": role, "unit_id": unit_id})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _hook(client: TestClient, key_id: int, url: str, **extra: Any) -> dict[str, Any]:
    r = client.post(f"/api/v1/api-keys/{key_id}/webhooks", json={"url": url, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _rename(client: TestClient, unit_id: int, name: str) -> None:
    url = f"/api/v1/units/{unit_id}"
    r = client.patch(
        url, json={"name": name}, headers={"If-Match": client.get(url).headers["etag"]}
    )
    assert r.status_code == 200, r.text


def _log(client: TestClient, key_id: int, hook_id: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/api-keys/{key_id}/webhooks/{hook_id}/deliveries")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


@pytest.mark.usefixtures("allow_private")
def test_fails_twice_then_delivered_signed_with_the_change_as_the_feed_serves_it(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    assert hook["secret"].startswith("whsec_")
    _rename(client, tree["s1"].id or 0, "Trường THCS A1 (mới)")
    receiver.plan = [500, 503]

    rounds = [worker.run_once()["webhooks"] for _ in range(4)]
    assert rounds == [2, 1, 1, 0]  # queued + first attempt; second; third; nothing left
    assert len(receiver.got) == 3
    assert len(set(receiver.ids())) == 1  # one message, three attempts
    for attempt in receiver.got:
        assert verify(hook["secret"], attempt.headers, attempt.body)
        assert not verify(hook["secret"], attempt.headers, attempt.body + b" ")
    payload = json.loads(receiver.got[-1].body)
    assert payload["type"] == "unit.update"
    feed = client.get("/api/v1/changes", params={"resource": "unit"}).json()["items"]
    assert payload["data"] == feed[-1]  # the change row exactly as the feed serves it
    [logged] = _log(client, key["id"], hook["id"])
    assert logged["status"] == "delivered"
    assert logged["attempts"] == 3
    assert logged["last_status_code"] == 204
    assert logged["message_id"] == receiver.ids()[0]
    # the secret is shown once: never in a read, the audit log or the feed
    read = client.get(f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}").json()
    assert "secret" not in read
    assert hook["secret"] not in client.get("/api/v1/audit-log").text


@pytest.mark.usefixtures("allow_private")
def test_a_given_secret_is_used(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    hook = _hook(client, key["id"], receiver.url, secret=secret)
    assert hook["secret"] == secret
    _rename(client, tree["s1"].id or 0, "Tên mới")
    worker.run_once()
    assert verify(secret, receiver.got[0].headers, receiver.got[0].body)


def test_backoff_doubles_and_a_delivery_is_dead_after_the_last_attempt(
    session: Session,
    client: TestClient,
    connection: Connection,
    hook_settings: Settings,
    receiver: Receiver,
    allow_private: None,
) -> None:
    assert [service.backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert service.backoff(30, 30) == timedelta(hours=6)
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Lần 1")
    slow = make_worker(
        connection, hook_settings.model_copy(update={"webhook_backoff_seconds": 30}), "slow"
    )
    receiver.plan = [500]
    before = utcnow()
    slow.run_once()
    row = session.scalars(select(WebhookDelivery).execution_options(populate_existing=True)).one()
    assert row.status == "pending"
    assert row.due_at >= before + timedelta(seconds=29)  # not retried before its time
    assert slow.run_once()["webhooks"] == 0

    dying = make_worker(
        connection, hook_settings.model_copy(update={"webhook_max_attempts": 3}), "d"
    )
    session.execute(update(WebhookDelivery).values(due_at=utcnow()))
    receiver.plan = [500] * 10
    for _ in range(3):
        dying.run_once()
    [logged] = _log(client, key["id"], hook["id"])
    assert logged["status"] == "dead"
    assert logged["attempts"] == 3
    assert logged["last_error"] == "HTTP 500"
    assert len(receiver.got) == 3


@pytest.mark.usefixtures("allow_private")
def test_a_killed_worker_loses_nothing_and_the_resend_keeps_the_webhook_id(
    session: Session,
    client: TestClient,
    connection: Connection,
    hook_settings: Settings,
    receiver: Receiver,
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Trước khi dừng")
    killed = make_worker(connection, hook_settings, "killed")
    assert killed.queue_webhooks() == 1
    # the worker claims the delivery and sends it, then dies before recording the answer
    with killed._transaction() as s:
        [claimed] = service.claim(s, killed.name, 10, timedelta(seconds=120))
        targets = service.secrets_of(s, {claimed.subscription_id})
    url, secret = targets[claimed.subscription_id]
    assert killed.sender.post(url, secret, service.message_id(claimed), claimed.body.encode()).ok

    other = make_worker(connection, hook_settings, "other")
    assert other.run_once()["webhooks"] == 0  # the lease still holds: no double send
    session.execute(update(WebhookDelivery).values(leased_until=utcnow() - timedelta(seconds=1)))
    assert other.run_once()["webhooks"] == 1  # the lease ran out: sent again
    assert len(receiver.got) == 2
    assert receiver.ids()[0] == receiver.ids()[1]  # the receiver sees a duplicate by its id
    assert receiver.got[0].body == receiver.got[1].body
    [logged] = _log(client, key["id"], hook["id"])
    assert logged["status"] == "delivered"


@pytest.mark.usefixtures("allow_private")
def test_changes_of_one_object_arrive_in_feed_order_even_across_a_retry(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["d1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Một")
    _rename(client, tree["s1"].id or 0, "Hai")
    receiver.plan = [500]
    for _ in range(4):
        worker.run_once()
    names = [json.loads(r.body)["data"]["data"]["name"] for r in receiver.got]
    assert names == ["Một", "Một", "Hai"]
    assert [d["status"] for d in _log(client, key["id"], hook["id"])] == ["delivered"] * 2


@pytest.mark.usefixtures("allow_private")
def test_a_key_receives_only_what_its_scope_may_read_and_its_filters_keep(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["d1"].id or 0)
    _hook(client, key["id"], receiver.url, resources=["unit"], ops=["update"])
    _rename(client, tree["s1"].id or 0, "Trong phạm vi")  # d1's subtree
    _rename(client, tree["s2"].id or 0, "Ngoài phạm vi")  # d2's: the key may not read it
    r = client.post(
        "/api/v1/units",
        json={
            "name": "Trường mới",
            "kind": "school",
            "parent_id": tree["s1"].id,
            "external_code": "TM-01",
        },
    )
    assert r.status_code == 201, r.text  # a create: filtered out by ops
    for _ in range(3):
        worker.run_once()
    got = [json.loads(x.body) for x in receiver.got]
    assert [(g["type"], g["data"]["resource_id"]) for g in got] == [("unit.update", tree["s1"].id)]


@pytest.mark.usefixtures("allow_private")
def test_redeliver_sends_a_delivered_message_again_with_the_same_id(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Gửi lại")
    worker.run_once()
    [logged] = _log(client, key["id"], hook["id"])
    url = f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}/deliveries/{logged['id']}/redeliver"
    r = client.post(url)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"
    again = client.post(url)  # still pending: nothing to redo
    assert again.status_code == 409
    assert again.json()["code"] == "webhook_delivery_pending"
    worker.run_once()
    assert len(receiver.got) == 2
    assert receiver.ids()[0] == receiver.ids()[1]
    assert receiver.got[0].body == receiver.got[1].body


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",  # public, but plain http
    ],
)
def test_ssrf_urls_to_private_addresses_are_refused_naming_the_field(
    session: Session, client: TestClient, url: str
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    r = client.post(f"/api/v1/api-keys/{key['id']}/webhooks", json={"url": url})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "webhook_url_refused"
    assert problem["errors"][0]["loc"] == ["body", "url"]
    assert "url" in problem["detail"]
    assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_a_public_https_url_is_accepted(session: Session, client: TestClient) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    r = client.post(
        f"/api/v1/api-keys/{key['id']}/webhooks", json={"url": "https://93.184.215.14/hook"}
    )
    assert r.status_code == 201, r.text


@pytest.mark.usefixtures("allow_private")
def test_the_address_is_checked_again_before_each_attempt(
    session: Session,
    client: TestClient,
    connection: Connection,
    hook_settings: Settings,
    receiver: Receiver,
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Đổi tên")
    strict = make_worker(
        connection, hook_settings.model_copy(update={"webhook_allow_private": False}), "s"
    )
    strict.run_once()
    assert receiver.got == []
    [logged] = _log(client, key["id"], hook["id"])
    assert logged["last_error"].startswith("refused:")


def test_a_key_whose_role_cannot_read_the_feed_gets_no_webhook(
    session: Session, client: TestClient
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0, role="organizer")
    r = client.post(
        f"/api/v1/api-keys/{key['id']}/webhooks", json={"url": "https://93.184.215.14/h"}
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "webhook_key_cannot_read_changes"


def test_a_revoked_key_gets_no_webhook(session: Session, client: TestClient) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    assert client.post(f"/api/v1/api-keys/{key['id']}/revoke").status_code == 200
    r = client.post(
        f"/api/v1/api-keys/{key['id']}/webhooks", json={"url": "https://93.184.215.14/h"}
    )
    assert r.status_code == 409, r.text


@pytest.mark.usefixtures("allow_private")
def test_a_deleted_subscription_stops_and_a_revoked_key_is_not_pushed(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    assert client.post(f"/api/v1/api-keys/{key['id']}/revoke").status_code == 200
    _rename(client, tree["s1"].id or 0, "Sau khi thu hồi")
    worker.run_once()
    assert receiver.got == []
    r = client.delete(f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}")
    assert r.status_code == 204
    assert client.get(f"/api/v1/api-keys/{key['id']}/webhooks").json()["items"] == []


@pytest.mark.usefixtures("allow_private")
def test_a_stopped_worker_hands_back_what_it_claimed_without_counting_an_attempt(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    _rename(client, tree["s1"].id or 0, "Dừng êm")
    worker.queue_webhooks()
    worker.stop()
    assert worker.send_webhooks() == 0
    assert receiver.got == []
    [logged] = _log(client, key["id"], hook["id"])
    assert (logged["status"], logged["attempts"]) == ("pending", 0)
    worker.stop_event.clear()
    worker.run_once()
    assert len(receiver.got) == 1
    assert _log(client, key["id"], hook["id"])[0]["status"] == "delivered"


@pytest.mark.usefixtures("allow_private")
def test_a_paused_subscription_keeps_its_place_and_catches_up_in_order(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    url = f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}"
    paused = client.patch(url, json={"active": False})
    assert paused.status_code == 200, paused.text
    assert paused.json()["active"] is False
    _rename(client, tree["s1"].id or 0, "Trong lúc tạm dừng 1")
    _rename(client, tree["s1"].id or 0, "Trong lúc tạm dừng 2")
    worker.run_once()
    assert receiver.got == []
    assert client.patch(url, json={"active": True, "ops": ["update"]}).status_code == 200
    for _ in range(2):
        worker.run_once()
    names = [json.loads(x.body)["data"]["data"]["name"] for x in receiver.got]
    assert names == ["Trong lúc tạm dừng 1", "Trong lúc tạm dừng 2"]
    read = client.get(url).json()
    assert (read["active"], read["ops"]) == (True, ["update"])


@pytest.mark.usefixtures("allow_private")
def test_a_subscription_behind_the_feed_retention_pauses_and_cannot_resume(
    session: Session, client: TestClient, worker: Any, receiver: Receiver
) -> None:
    """The worker was stopped longer than the feed keeps changes: it cannot send them, so
    the subscription is paused (visible in the API) instead of failing every round."""
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], receiver.url)
    url = f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}"
    _rename(client, tree["s1"].id or 0, "Một")
    _rename(client, tree["s1"].id or 0, "Hai")
    newest = client.get("/api/v1/changes").json()["next_cursor"]
    newest_id = decode_position(newest)
    session.add(ChangeHorizon(dropped_through=newest_id))
    session.flush()
    assert worker.run_once()["webhooks"] == 0
    assert receiver.got == []
    assert client.get(url).json()["active"] is False
    r = client.patch(url, json={"active": True})
    assert r.status_code == 409
    assert r.json()["code"] == "webhook_behind_retention"
    assert client.get(url).json()["active"] is False


def test_a_new_address_is_checked_as_on_create(session: Session, client: TestClient) -> None:
    tree = make_tree(session)
    key = _key(client, tree["s1"].id or 0)
    hook = _hook(client, key["id"], "https://93.184.215.14/hook")
    url = f"/api/v1/api-keys/{key['id']}/webhooks/{hook['id']}"
    r = client.patch(url, json={"url": "https://127.0.0.1/hook"})
    assert r.status_code == 422
    assert r.json()["code"] == "webhook_url_refused"
    assert client.get(url).json()["url"] == "https://93.184.215.14/hook"
