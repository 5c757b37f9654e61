"""The worker: turns the change feed into notifications, scans reminders, sends e-mail.

Several workers may run against one PostgreSQL database. Sharing is done with row locks and
``FOR UPDATE SKIP LOCKED``, not a job-queue library: the work already lives in our own
tables (the feed, the outbox), so a queue such as procrastinate would add a second copy of
each job and a second schema to migrate, for what three short statements do here.

- Feed: one cursor row (``worker_cursor``); the worker that locks it consumes a batch and
  moves it, in one transaction with the notifications it made. Others skip it.
- Reminders: a second cursor row serialises the scan the same way; each reminder is unique
  per (user, kind, subject, step), so even overlapping scans add nothing twice.
- Webhooks (app.webhooks): each subscription's row is its feed cursor, locked the same way
  while its changes become deliveries; deliveries are leased like e-mails.
- E-mail: rows are claimed with a lease (``leased_until``) in a short transaction; sending
  happens outside it; success or failure is recorded per row. A worker killed mid-batch
  leaves leases that run out, and the rows are claimed again (at-least-once: a message sent
  just before the kill is sent again, with the same Message-ID). A graceful stop sends
  nothing new and hands back the rows it claimed but did not send.
On SQLite (one writer at a time) the same code runs; the locks are simply not needed.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.changes.models import Change
from app.core.config import Settings, get_settings
from app.core.db import WRITE_OPTION
from app.core.model_base import utcnow
from app.notify import feed, reminders
from app.notify.mailer import Mailer
from app.notify.models import EmailOutbox, WorkerCursor
from app.notify.service import deliver
from app.webhooks import service as webhooks
from app.webhooks.sender import Sender

log = logging.getLogger("bdtx.worker")
FEED_CURSOR = "notify"
REMINDER_CURSOR = "reminders"
REMINDER_EVERY = timedelta(minutes=1)
# Sent e-mails are recorded in groups: one commit per message halved the throughput; a
# worker killed mid-group sends at most this many again (same Message-ID) after its lease.
RECORD_EVERY = 20


def _lock_cursor(session: Session, name: str) -> WorkerCursor | None:
    """The cursor row, locked for this transaction; None when another worker holds it."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    session.execute(
        insert(WorkerCursor)
        .values(name=name, position=0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["name"])
    )
    stmt = select(WorkerCursor).where(WorkerCursor.name == name)
    return session.scalar(stmt.with_for_update(skip_locked=True))


def consume_feed(session: Session, limit: int = 500) -> tuple[int, int]:
    """Notifications for the next committed changes; (changes read, notifications made).

    The caller commits: the cursor moves in the same transaction as what it produced."""
    cursor = _lock_cursor(session, FEED_CURSOR)
    if cursor is None:
        return 0, 0
    changes = session.scalars(
        select(Change).where(Change.id > cursor.position).order_by(Change.id).limit(limit)
    ).all()
    made = 0
    for change in changes:
        made += deliver(session, feed.drafts_for(session, change))
    if changes:
        cursor.position = changes[-1].id or cursor.position
        cursor.updated_at = utcnow()
    session.flush()
    return len(changes), made


def scan_reminders(session: Session, now: datetime | None = None, force: bool = False) -> int:
    """Reminders due now (at most once a minute across workers); new notifications made."""
    cursor = _lock_cursor(session, REMINDER_CURSOR)
    moment = now or utcnow()
    if cursor is None:
        return 0
    if not force and cursor.position and moment - cursor.updated_at < REMINDER_EVERY:
        return 0
    made = deliver(session, reminders.scan(session, moment))
    cursor.position += 1  # scans run; also marks that a scan has happened
    cursor.updated_at = moment
    session.flush()
    return made


def claim_emails(session: Session, owner: str, limit: int, lease: timedelta) -> list[EmailOutbox]:
    """Due e-mails no live lease holds, leased to ``owner``; the caller commits at once."""
    now = utcnow()
    due = (
        select(EmailOutbox.id)
        .where(
            EmailOutbox.status == "pending",
            EmailOutbox.due_at <= now,
            or_(EmailOutbox.leased_until.is_(None), EmailOutbox.leased_until < now),
        )
        .order_by(EmailOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id.in_(ids))
        .values(leased_until=now + lease, lease_owner=owner, attempts=EmailOutbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(EmailOutbox)
        .where(EmailOutbox.id.in_(ids))
        .order_by(EmailOutbox.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _mine(owner: str, outbox_id: int) -> Any:
    return and_(EmailOutbox.id == outbox_id, EmailOutbox.lease_owner == owner)


def record_sent(session: Session, owner: str, outbox_ids: list[int]) -> None:
    session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id.in_(outbox_ids), EmailOutbox.lease_owner == owner)
        .values(status="sent", sent_at=utcnow(), leased_until=None, last_error=None)
    )


def record_failure(
    session: Session, owner: str, row: EmailOutbox, error: str, max_attempts: int
) -> None:
    dead = row.attempts >= max_attempts
    session.execute(
        update(EmailOutbox)
        .where(_mine(owner, row.id or 0))
        .values(
            status="dead" if dead else "pending",
            due_at=utcnow() + backoff(row.attempts),
            leased_until=None,
            last_error=error[:1000],
        )
    )


def release(session: Session, owner: str, ids: list[int]) -> None:
    """Hand back claimed rows unsent (graceful stop): no attempt is counted."""
    if ids:
        session.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id.in_(ids), EmailOutbox.lease_owner == owner)
            .values(leased_until=None, lease_owner=None, attempts=EmailOutbox.attempts - 1)
        )


class Worker:
    """One worker: ``run_once`` does a round of each job; ``run`` loops until stopped."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings | None = None,
        name: str | None = None,
        mailer: Mailer | None = None,
        sessions: Callable[[], Session] | None = None,
    ) -> None:
        # SQLite: take the write lock up front (BEGIN IMMEDIATE), as writing requests do
        self.engine = engine.execution_options(**{WRITE_OPTION: True})
        self.settings = settings or get_settings()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.mailer = mailer or Mailer(self.settings)
        self.sender = Sender(self.settings)
        self.stop_event = threading.Event()
        self.sessions = sessions or (lambda: Session(self.engine, expire_on_commit=False))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session
            session.commit()

    def send_batch(self) -> int:
        """Claim, send and record one batch of e-mails; how many were sent."""
        if not self.mailer.configured:
            return 0
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        with self._transaction() as session:
            batch = claim_emails(session, self.name, self.settings.worker_batch, lease)
        done: list[int] = []
        for i, row in enumerate(batch):
            if self.stop_event.is_set():
                with self._transaction() as session:
                    release(session, self.name, [r.id or 0 for r in batch[i:]])
                break
            try:
                self.mailer.send(row.id or 0, row.to_address, row.subject, row.body)
            except Exception as exc:  # any failure of the server or the network: retry later
                log.warning("e-mail %s failed: %s", row.id, exc)
                error = f"{type(exc).__name__}: {exc}"
                with self._transaction() as session:
                    record_failure(
                        session, self.name, row, error, self.settings.worker_max_attempts
                    )
                continue
            done.append(row.id or 0)
            if len(done) % RECORD_EVERY == 0:
                self._record(done[-RECORD_EVERY:])
        self._record(done[len(done) - len(done) % RECORD_EVERY :])
        self.mailer.close()
        return len(done)

    def queue_webhooks(self) -> int:
        """Changes after each subscription's cursor become deliveries (one commit each)."""
        with self._transaction() as session:
            ids = webhooks.subscription_ids(session)
        made = 0
        for webhook_id in ids:
            with self._transaction() as session:
                made += webhooks.enqueue(session, webhook_id)
        return made

    def send_webhooks(self) -> int:
        """Claim, send and record one batch of deliveries; how many attempts were made."""
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        with self._transaction() as session:
            batch = webhooks.claim(session, self.name, self.settings.worker_batch, lease)
            targets = webhooks.secrets_of(session, {d.subscription_id for d in batch})
        for i, delivery in enumerate(batch):
            if self.stop_event.is_set():
                with self._transaction() as session:
                    webhooks.release(session, self.name, [d.id or 0 for d in batch[i:]])
                return i
            url, secret = targets[delivery.subscription_id]
            msg_id = webhooks.message_id(delivery)
            outcome = self.sender.post(url, secret, msg_id, delivery.body.encode())
            if not outcome.ok:
                log.warning("webhook %s to %s failed: %s", msg_id, url, outcome.error)
            with self._transaction() as session:
                webhooks.record(session, self.name, delivery, outcome, self.settings)
        return len(batch)

    def _record(self, ids: list[int]) -> None:
        if ids:
            with self._transaction() as session:
                record_sent(session, self.name, ids)

    def run_once(self) -> dict[str, int]:
        with self._transaction() as session:
            read, made = consume_feed(session)
        with self._transaction() as session:
            reminded = scan_reminders(session)
        sent = self.send_batch()
        hooks = self.queue_webhooks() + self.send_webhooks()
        return {
            "changes": read,
            "notifications": made + reminded,
            "emails": sent,
            "webhooks": hooks,
        }

    def run(self) -> None:
        """Until ``stop()``: a round, then a pause when there was nothing to do."""
        log.info("worker %s started", self.name)
        while not self.stop_event.is_set():
            try:
                done = self.run_once()
            except Exception:  # a database restart, a bug in one handler: log and go on
                log.exception("worker round failed")
                done = {}
            if not any(done.values()):
                self.stop_event.wait(self.settings.worker_poll_seconds)
        log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        self.stop_event.set()


def start_in_thread(
    engine: Engine, settings: Settings | None = None
) -> tuple[Worker, threading.Thread]:
    worker = Worker(engine, settings)
    thread = threading.Thread(target=worker.run, name="bdtx-worker", daemon=True)
    thread.start()
    return worker, thread


def wait_until_idle(worker: Worker, timeout: float = 30.0) -> None:
    """For tests and one-shot runs: rounds until nothing is left to do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(worker.run_once().values()):
            return
