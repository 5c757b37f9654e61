"""Deliveries per second: N notifications e-mailed by W workers sharing one database
through SKIP LOCKED leases, to a real SMTP server in-process (aiosmtpd, a dev dependency).

    .venv/bin/python -m bench.notify --url postgresql+psycopg://postgres@127.0.0.1/bench_db

Also used by tests/notify/test_two_workers.py, which checks no duplicate and no loss.
"""

import argparse
import threading
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.auth.actor import system_actor
from app.auth.models import User
from app.core.config import get_settings
from app.core.driver import insert_many, insert_returning
from app.core.model_base import utcnow
from app.notify.mailer import Mailer
from app.notify.models import EmailOutbox, Notification
from app.notify.service import email_text
from app.notify.worker import Worker
from app.staff.models import StaffCategory
from app.staff.schemas import StaffCreate
from app.staff.service import create_staff
from app.units.models import UnitKind
from app.units.schemas import UnitCreate
from app.units.service import create_unit
from tests.notify.smtp import Inbox, smtp_server


@dataclass
class Delivery:
    notifications: int
    received: int
    duplicates: int
    missing: int
    seconds: float
    per_worker: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.received / self.seconds if self.seconds else 0.0


def seed(engine: Engine, n: int, users: int = 50, tag: str = "bench") -> int:
    """``users`` people with an address, ``n`` notifications between them; returns n made."""
    actor = system_actor("bench")
    with Session(engine) as session:
        unit = create_unit(
            session,
            actor,
            UnitCreate(external_code=f"{tag}-U", name="Trường đo tải", kind=UnitKind.school),
        )
        ids = []
        for i in range(users):
            staff = create_staff(
                session,
                actor,
                StaffCreate(
                    external_code=f"{tag}-S{i}",
                    full_name=f"Giáo viên đo tải {i}",
                    unit_id=unit.id or 0,
                    category=StaffCategory.teacher,
                    email=f"gv{i}@{tag}.test",
                ),
            )
            user = User(
                username=f"{tag}-gv{i}",
                password_hash="x",
                full_name=staff.full_name,
                staff_id=staff.id,
            )
            session.add(user)
            session.flush()
            ids.append(user.id or 0)
        # the rows deliver() would make, written in bulk: the figure is about sending
        now = utcnow()
        notes = [
            {
                "user_id": ids[k % users],
                "kind": "summons",
                "subject": f"event:{k}",
                "step": "",
                "title": "Giấy triệu tập",
                "body": f"Thông báo số {k}",
                "data": None,
                "created_at": now,
                "read_at": None,
            }
            for k in range(n)
        ]
        note_ids = insert_returning(session, Notification.__table__, notes)
        subject, body = email_text("Giáo viên", "Giấy triệu tập", "Thông báo")
        mails = [
            {
                "notification_id": nid,
                "to_address": f"gv{k % users}@{tag}.test",
                "subject": subject,
                "body": body,
                "status": "pending",
                "attempts": 0,
                "due_at": now,
                "leased_until": None,
                "lease_owner": None,
                "last_error": None,
                "sent_at": None,
                "created_at": now,
            }
            for k, nid in enumerate(note_ids)
        ]
        insert_many(session, EmailOutbox.__table__, mails)
        made = len(note_ids)
        session.commit()
    return made


def deliver_all(engine: Engine, port: int, inbox: Inbox, workers: int, timeout: float) -> Delivery:
    settings = get_settings().model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_tls": "none",
            "worker_batch": 100,
        }
    )
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(EmailOutbox)) or 0
    sent: Counter[str] = Counter()
    started = time.perf_counter()

    def work(name: str) -> None:
        worker = Worker(engine, settings, name=name, mailer=Mailer(settings))
        while time.perf_counter() - started < timeout:
            got = worker.send_batch()
            sent[name] += got
            if not got:
                with Session(engine) as s:
                    pending = select(func.count()).where(EmailOutbox.status == "pending")
                    if not s.scalar(pending):
                        return

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    received = inbox.outbox_ids()
    ids = Counter(received)
    return Delivery(
        notifications=total,
        received=len(received),
        duplicates=sum(c - 1 for c in ids.values() if c > 1),
        missing=total - len(ids),
        seconds=seconds,
        per_worker=dict(sent),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="a migrated, empty database")
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from app.core.db import make_engine

    engine = make_engine(args.url)
    seed(engine, args.n, tag=f"bench{int(time.time())}")
    for inbox, port in smtp_server():
        result = deliver_all(engine, port, inbox, args.workers, timeout=600)
        print(
            f"{result.received} e-mails from {args.workers} workers in {result.seconds:.1f} s: "
            f"{result.per_second:.0f} deliveries/s; duplicates {result.duplicates}, "
            f"missing {result.missing}; per worker {result.per_worker}"
        )


if __name__ == "__main__":
    main()
