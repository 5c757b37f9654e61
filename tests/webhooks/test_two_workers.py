"""Two workers on PostgreSQL share one subscription's deliveries with no duplicate and no
loss (SKIP LOCKED on the subscription's cursor and on the deliveries' leases)."""

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlmodel import Session, SQLModel

from app.auth.models import ApiKey, Role
from app.changes.models import Change
from app.core.config import get_settings
from app.core.model_base import utcnow
from app.core.security import new_api_key
from app.documents import crypto
from app.notify.worker import Worker
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.signing import new_secret
from tests.conftest import PG_URL
from tests.factories import make_tree
from tests.webhooks.receiver import Receiver

CHANGES = 600


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    yield engine
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name == "unit":
                conn.execute(table.update().values(head_staff_id=None, parent_id=None))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "audit_log":
                conn.execute(table.delete())


def _seed(engine: Engine, url: str) -> None:
    """A key over the whole Sở, its subscription, and CHANGES committed changes to distinct
    objects (so order per object holds nothing back)."""
    with Session(engine) as s:
        so = make_tree(s)["so"]
        _, prefix, key_hash = new_api_key()
        key = ApiKey(
            name="SMAS",
            prefix=prefix,
            key_hash=key_hash,
            role=Role.integration,
            unit_id=so.id or 0,
        )
        s.add(key)
        s.flush()
        s.add(
            WebhookSubscription(
                api_key_id=key.id or 0,
                url=url,
                secret_encrypted=crypto.encrypt(new_secret().encode()),
            )
        )
        now = utcnow()
        rows = [
            {
                "committed_at": now,
                "op": "update",
                "resource": "staff",
                "resource_id": 100_000 + i,
                "unit_id": so.id,
                "version": 2,
                "data": {"id": 100_000 + i, "full_name": f"Giáo viên {i}"},
            }
            for i in range(CHANGES)
        ]
        s.execute(insert(Change), rows)
        s.commit()


@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED sharing is PostgreSQL's")
def test_two_workers_deliver_every_change_once(committed: Engine, receiver: Receiver) -> None:
    _seed(committed, receiver.url)
    settings = get_settings().model_copy(
        update={
            "webhook_allow_private": True,
            "smtp_host": None,
            "worker_batch": 25,
            "worker_poll_seconds": 0.05,
        }
    )
    workers = [Worker(committed, settings, name=f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run) for w in workers]
    started = time.monotonic()
    for t in threads:
        t.start()
    deadline = started + 120
    while len(receiver.got) < CHANGES and time.monotonic() < deadline:
        time.sleep(0.1)
    seconds = time.monotonic() - started
    for w in workers:
        w.stop()
    for t in threads:
        t.join(30)

    counts = Counter(receiver.ids())
    assert len(counts) == CHANGES  # no loss
    assert max(counts.values()) == 1  # no duplicate
    with Session(committed) as s:
        per_worker = dict(
            s.execute(
                select(WebhookDelivery.lease_owner, func.count()).group_by(
                    WebhookDelivery.lease_owner
                )
            ).all()
        )
        pending = s.scalar(select(func.count()).where(WebhookDelivery.status != "delivered"))
    assert pending == 0
    assert per_worker.get("w0", 0) > 0
    assert per_worker.get("w1", 0) > 0  # both shared the work
    print(f"\n{CHANGES / seconds:.0f} webhook deliveries/s with 2 workers {per_worker}")
